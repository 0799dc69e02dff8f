"""Project ballots in Chromium: a community budget round from proposal to plan items,
and a deputy signing in at the congress session, voting and reading the result sheet."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from participation import accounts
from participation.areas import area_by_code
from participation.ballots.boxes import get_box
from participation.ballots.casting import cast_ballot
from participation.ballots.models import BallotBox
from participation.budgets.models import BudgetRound
from participation.db import make_engine
from participation.livelihood import services as livelihood
from participation.livelihood.rules import CandidateDraft
from participation.rolls import Congress, DeputyEntry
from participation.rules.permissions import Role
from tests.browser.conftest import PASSWORD, LiveServer, sign_in
from web.kit.i18n import LOCAL_TZ

pytestmark = pytest.mark.browser


def close_voting(live_server: LiveServer, box_id: int) -> None:
    """Time passes: the ballot's closing time is now behind us."""
    engine = make_engine(live_server.db_url)
    with Session(engine) as s, s.begin():
        s.execute(
            update(BallotBox)
            .where(BallotBox.id == box_id)
            .values(closes_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    engine.dispose()


def in_an_hour() -> str:
    return (datetime.now(LOCAL_TZ) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")


def test_resident_proposes_staff_screens_residents_vote_results_and_plan(
    browser: Browser, live_server: LiveServer, problems: list[str]
) -> None:
    base = live_server.url
    staff = browser.new_context(locale="zh-CN").new_page()
    sign_in(staff, base, "worker")
    staff.goto(f"{base}/admin/budgets")
    staff.fill("#f-title", "望江社区微实事（浏览器测试）")
    community = staff.locator("#f-area_id option", has_text="望江社区").first
    staff.select_option("#f-area_id", value=community.get_attribute("value"))
    staff.fill("#f-budget_yuan", "100000")
    staff.click("#new_round_form button[type=submit]")
    expect(staff.get_by_role("heading", name="望江社区微实事（浏览器测试）")).to_be_visible()
    round_url = staff.url

    resident = browser.new_context(locale="zh-CN").new_page()
    sign_in(resident, base, "resident")
    resident.goto(round_url.replace("/admin/budgets/", "/budgets/"))
    resident.get_by_role("link", name="提出项目").click()
    # A missing field and a cost that is not a positive amount: told beside the fields.
    resident.fill("#f-title", "长者饭堂")
    resident.fill("#f-description", "为老人提供午餐")
    resident.fill("#f-location", "社区活动中心")
    resident.fill("#f-cost_yuan", "-3")
    resident.fill("#f-beneficiaries", "   ")  # passes the browser's check, not ours
    resident.click("#propose_form button[type=submit]")
    expect(resident.locator("#f-cost_yuan-error")).to_contain_text("大于零的整数")
    expect(resident.locator("#f-beneficiaries-error")).to_be_visible()
    resident.fill("#f-cost_yuan", "60000")
    resident.fill("#f-beneficiaries", "60岁以上居民")
    resident.click("#propose_form button[type=submit]")
    expect(resident.get_by_role("heading", name="长者饭堂")).to_be_visible()
    for title, cost in (("路灯改造", "30000"), ("儿童乐园", "50000")):
        resident.goto(round_url.replace("/admin/budgets/", "/budgets/") + "/propose")
        resident.fill("#f-title", title)
        resident.fill("#f-description", f"{title}，方便居民")
        resident.fill("#f-location", "望江路")
        resident.fill("#f-cost_yuan", cost)
        resident.fill("#f-beneficiaries", "全体居民")
        resident.click("#propose_form button[type=submit]")
        expect(resident.get_by_role("heading", name=title)).to_be_visible()

    staff.goto(round_url)
    staff.get_by_role("button", name=re.compile("进入下一阶段")).click()  # -> screening
    for n in range(staff.locator("section.cards").count()):
        section = staff.locator("section.cards").nth(n)
        section.get_by_label("可行性").fill("可行")
        section.get_by_label("合法合规性").fill("合规")
        section.get_by_role("button", name="采纳，列入投票").click()
        expect(staff.get_by_text("初审意见已记录")).to_be_visible()
    staff.fill("#f-closes_at", in_an_hour())
    staff.get_by_role("button", name=re.compile("进入下一阶段")).click()  # -> voting
    expect(staff.locator(".phases [aria-current]")).to_have_text("投票")

    resident.goto(round_url.replace("/admin/budgets/", "/budgets/"))
    resident.get_by_role("link", name="立即投票").click()
    # Over budget (60,000 + 50,000 > 100,000): refused with a clear message.
    resident.get_by_label(re.compile("长者饭堂")).check()
    resident.get_by_label(re.compile("儿童乐园")).check()
    resident.get_by_role("button", name="投出我的选票").click()
    expect(resident.get_by_role("alert")).to_contain_text("超出预算")
    resident.get_by_label(re.compile("长者饭堂")).check()
    resident.get_by_label(re.compile("儿童乐园")).uncheck()
    resident.get_by_label(re.compile("路灯改造")).check()
    resident.get_by_role("button", name="投出我的选票").click()
    expect(resident.get_by_role("heading", name="您的选票已投出")).to_be_visible()

    engine = make_engine(live_server.db_url)
    with Session(engine) as s:
        round_id = int(round_url.rsplit("/", 1)[1])
        box_id = s.scalar(select(BudgetRound.box_id).where(BudgetRound.id == round_id))
    engine.dispose()
    assert box_id is not None
    close_voting(live_server, box_id)
    staff.goto(round_url)
    staff.get_by_role("button", name=re.compile("进入下一阶段")).click()  # -> results
    expect(staff.locator(".phases [aria-current]")).to_have_text("结果")

    resident.goto(round_url.replace("/admin/budgets/", "/budgets/") + "/results")
    table = resident.get_by_role("table", name="各项目获得或未获资助的原因")
    expect(table.get_by_role("row", name=re.compile("长者饭堂"))).to_contain_text("获得资助")
    expect(table.get_by_role("row", name=re.compile("儿童乐园"))).to_contain_text("未获资助")
    expect(resident.get_by_role("img", name="各项目得票")).to_be_visible()
    plan_link = table.get_by_role("link", name=re.compile("计划事项")).first
    expect(plan_link).to_have_attribute("href", re.compile(r"^/plan/items/\d+$"))
    assert problems == []


def test_deputy_signs_in_votes_and_reads_the_result_sheet(
    browser: Browser, live_server: LiveServer
) -> None:
    base = live_server.url
    engine = make_engine(live_server.db_url)
    with Session(engine) as s, s.begin():
        district = area_by_code(s, "D1")
        assert district is not None
        congress = Congress(area_id=district.id, term=1, session_number=9, name="东湖区人大会议")
        s.add(congress)
        s.flush()
        deputies: list[int] = []
        for n in range(4):  # daibiao3 arrives late, after the ballot has opened
            account = accounts.sign_up(
                s, login=f"daibiao{n}", password=PASSWORD, display_name=f"代表{n}"
            )
            accounts.grant_role(s, account, Role.DEPUTY, district)
            s.add(
                DeputyEntry(
                    congress_id=congress.id,
                    name=f"代表{n}",
                    id_hash=f"{900 + n:064d}",
                    account_id=account.id,
                )
            )
            deputies.append(account.id)
        cycle = livelihood.create_cycle(
            s, livelihood.NewCycle(congress.id, 2026, "东湖区民生实事（浏览器测试）", 2), None
        )
        listed = []
        for name in ("老旧小区加装电梯", "社区食堂", "口袋公园"):
            listed.append(
                livelihood.submit(
                    s,
                    cycle,
                    CandidateDraft(
                        name,
                        "背景",
                        "内容",
                        "区住建局",
                        1_000_000,
                        "区财政",
                        date(2030, 12, 31),
                        "deputy",
                    ),
                    deputies[0],
                )
            )
        livelihood.advance(s, cycle, deputies[0], datetime.now(UTC))
        for c in listed:
            livelihood.screen_candidate(s, c, "candidate", "", None, deputies[0])
        livelihood.advance(s, cycle, deputies[0], datetime.now(UTC))  # -> session
        # Two deputies are already in the hall.
        for account_id in deputies[1:3]:
            livelihood.sign_in_deputy(s, cycle, account_id, datetime.now(UTC))
        cycle_id = cycle.id
    engine.dispose()

    deputy = browser.new_context(locale="zh-CN").new_page()
    sign_in(deputy, base, "daibiao0")
    deputy.goto(f"{base}/livelihood/{cycle_id}")
    expect(deputy.locator("#quorum")).to_contain_text("2")
    deputy.get_by_role("button", name="会议签到").click()
    expect(deputy.get_by_role("status")).to_contain_text("您已完成会议签到")
    expect(deputy.locator("#quorum")).to_contain_text("3")

    admin = browser.new_context(locale="zh-CN").new_page()
    sign_in(admin, base, "admin")
    admin.goto(f"{base}/admin/livelihood/{cycle_id}")
    admin.fill("#f-closes_at", in_an_hour())
    admin.get_by_role("button", name="开始无记名投票").click()
    expect(admin.get_by_text("无记名投票已开始")).to_be_visible()

    deputy.goto(f"{base}/livelihood/{cycle_id}")
    deputy.get_by_role("link", name="进入无记名投票").click()
    deputy.get_by_label(re.compile("老旧小区加装电梯")).check()
    deputy.get_by_label(re.compile("社区食堂")).check()
    deputy.get_by_role("button", name="投出我的选票").click()
    expect(deputy.get_by_role("heading", name="您的选票已投出")).to_be_visible()

    # Only deputies present vote: the late deputy sees why there is no ballot,
    # signs in while voting is still open, and then votes.
    late = browser.new_context(locale="zh-CN").new_page()
    sign_in(late, base, "daibiao3")
    late.goto(f"{base}/livelihood/{cycle_id}")
    late.get_by_role("link", name="进入无记名投票").click()
    expect(late.get_by_text("您尚未在本次会议签到")).to_be_visible()
    expect(late.get_by_role("button", name="投出我的选票")).to_have_count(0)
    late.goto(f"{base}/livelihood/{cycle_id}")
    late.get_by_role("button", name="会议签到").click()
    expect(late.get_by_role("status")).to_contain_text("您已完成会议签到")
    late.get_by_role("link", name="进入无记名投票").click()
    late.get_by_label(re.compile("社区食堂")).check()
    late.get_by_role("button", name="投出我的选票").click()
    expect(late.get_by_role("heading", name="您的选票已投出")).to_be_visible()

    engine = make_engine(live_server.db_url)
    with Session(engine) as s, s.begin():
        cycle = livelihood.get_cycle(s, cycle_id)
        box = get_box(s, cycle.box_id or 0)
        box_id = box.id
        keys = [c.ballot_key for c in livelihood.candidates_of(s, cycle)]
        # The two other deputies vote too.
        for account_id, marks in zip(deputies[1:3], [keys[:2], [keys[0], keys[2]]], strict=True):
            cast_ballot(s, box, account_id, {"approved": marks}, datetime.now(UTC))
    engine.dispose()
    close_voting(live_server, box_id)
    admin.goto(f"{base}/admin/livelihood/{cycle_id}")
    admin.get_by_role("button", name="计票、公布并确定项目").click()
    expect(admin.get_by_text("已进入下一阶段")).to_be_visible()

    deputy.goto(f"{base}/livelihood/{cycle_id}")
    deputy.get_by_role("link", name="票决结果").click()
    sheet = deputy.get_by_role("table", name="各候选项目得票")
    expect(sheet.get_by_role("row", name=re.compile("老旧小区加装电梯"))).to_contain_text("3")
    expect(sheet.get_by_role("row", name=re.compile("社区食堂"))).to_contain_text("3")
    expect(sheet.get_by_role("row", name=re.compile("口袋公园"))).to_contain_text("1")
    adopted = deputy.locator("#adopted li")
    expect(adopted).to_have_count(2)
    expect(adopted.first).to_contain_text("老旧小区加装电梯")
    expect(deputy.locator("#delivery a").first).to_have_attribute(
        "href", re.compile(r"^/plan/items/\d+$")
    )
    href = deputy.get_by_role("link", name="下载票决结果（PDF）").get_attribute("href")
    pdf = deputy.request.get(f"{base}{href}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # Year-end: the deputies grade the adopted projects; a dissatisfied one is rectified.
    admin.goto(f"{base}/admin/livelihood/{cycle_id}")
    admin.fill("#f-closes_at", in_an_hour())
    admin.get_by_role("button", name="开始年终满意度测评").click()
    expect(admin.get_by_text("已进入下一阶段")).to_be_visible()
    deputy.goto(f"{base}/livelihood/{cycle_id}")
    deputy.get_by_role("link", name="年终满意度测评").click()
    deputy.get_by_role("group", name="社区食堂").get_by_label("不满意").check()
    deputy.get_by_role("group", name="老旧小区加装电梯").get_by_label("满意", exact=True).check()
    deputy.get_by_role("button", name="投出我的选票").click()
    expect(deputy.get_by_role("heading", name="您的选票已投出")).to_be_visible()
    engine = make_engine(live_server.db_url)
    with Session(engine) as s:
        satisfaction_id = livelihood.get_cycle(s, cycle_id).satisfaction_box_id
    engine.dispose()
    assert satisfaction_id is not None
    close_voting(live_server, satisfaction_id)
    admin.goto(f"{base}/admin/livelihood/{cycle_id}")
    admin.get_by_role("button", name="公布满意度测评结果").click()
    expect(admin.get_by_text("已进入下一阶段")).to_be_visible()
    deputy.goto(f"{base}/livelihood/{cycle_id}/result")
    grades = deputy.get_by_role("table", name="代表对各项目的测评结果")
    row = grades.get_by_role("row", name=re.compile("社区食堂"))
    expect(row).to_contain_text("不满意")
    expect(row.get_by_role("link", name="整改")).to_have_attribute(
        "href", re.compile(r"^/plan/items/\d+$")
    )
    expect(grades.get_by_role("row", name=re.compile("老旧小区加装电梯"))).not_to_contain_text(
        "整改"
    )
    # The judged plan item shows the grade and the counts, and leads back to the vote.
    deputy.locator("#delivery li", has_text="社区食堂").get_by_role("link").click()
    judged = deputy.locator("#judgements")
    expect(judged).to_contain_text("不满意（满意 0，基本满意 0，不满意 1，弃权 0）")
    expect(judged).to_contain_text("要求整改")
    judged.get_by_role("link", name="年终满意度测评").click()
    expect(deputy).to_have_url(re.compile(rf"/livelihood/{cycle_id}/result#satisfaction$"))


PAGES = ["/budgets", "/budgets/1", "/budgets/1/results", "/livelihood", "/livelihood/1"]


def test_project_pages_are_accessible_and_fit_a_phone(
    browser: Browser, live_server: LiveServer
) -> None:
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page: Page = context.new_page()
    axe = Axe()
    found = {}
    for path in PAGES:
        response = page.goto(live_server.url + path)
        assert response is not None
        if response.status == 404:
            continue  # the other tests of this module create the rounds and cycles
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), path
        violations = [
            v["id"]
            for v in axe.run(page).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if violations:
            found[path] = violations
    assert found == {}
    context.close()
