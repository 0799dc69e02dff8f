"""The consultation journey in a real browser at phone width (375 px), without
waiting days: the test moves the clock of a record forward in the database where
the journey waits (the meeting day, the vote's close, the end of the notice)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from consultations.models import CommunityRules, Consultation
from participation import accounts
from participation.areas import Area
from participation.ballots.models import BallotBox
from participation.db import make_engine
from participation.rolls import RollEntry
from participation.rules.permissions import Role
from tests.browser.conftest import PASSWORD, LiveServer, serve_live, sign_in
from tests.browser.kit.test_accessibility import serious

pytestmark = pytest.mark.browser
BEIJING = ZoneInfo("Asia/Shanghai")


def local(at: datetime) -> str:
    return at.astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own: the journey's records stay out of the shared pages."""
    with serve_live(tmp_path_factory.mktemp("consult")) as server:
        yield server


@pytest.fixture
def people(own_server: LiveServer) -> Iterator[None]:
    """A neighbour to co-sign and two representatives in 望江社区; threshold 2."""
    live_server = own_server
    engine = make_engine(live_server.db_url)
    with Session(engine) as s, s.begin():
        community = s.scalars(select(Area).where(Area.code == "M1")).one()
        if accounts.find_by_login(s, "neighbour") is None:
            neighbour = accounts.sign_up(
                s, login="neighbour", password=PASSWORD, display_name="李邻居"
            )
            s.add(
                RollEntry(
                    community_id=community.id,
                    name="李邻居",
                    id_hash="c" * 64,
                    birth_date=date(1975, 5, 5),
                    household_code="HN",
                    account_id=neighbour.id,
                )
            )
            for n in range(2):
                rep = accounts.sign_up(
                    s, login=f"rep{n}", password=PASSWORD, display_name=f"议事代表{n}"
                )
                accounts.grant_role(s, rep, Role.REPRESENTATIVE, community)
            s.add(CommunityRules(area_id=community.id, cosign_threshold=2))
    engine.dispose()
    yield


def move(live_server: LiveServer, model: type, row_id: int, **values: datetime) -> None:
    engine = make_engine(live_server.db_url)
    with Session(engine) as s, s.begin():
        s.execute(update(model).where(model.id == row_id).values(**values))  # type: ignore[attr-defined]
    engine.dispose()


def as_person(browser: Browser, base: str, login: str) -> Page:
    page = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}).new_page()
    sign_in(page, base, login)
    return page


def test_topic_to_plan_item_at_phone_width(
    browser: Browser, own_server: LiveServer, people: None
) -> None:
    live_server = own_server
    base = live_server.url
    now = datetime.now(UTC)
    resident = as_person(browser, base, "resident")
    resident.goto(f"{base}/consultations/topics/new")
    resident.get_by_label("议题（最多 100 个字）", exact=True).fill("楼道加装声控灯")
    resident.get_by_label("存在什么问题？您有什么建议？", exact=True).fill(
        "晚上楼道太黑，老人容易摔倒。"
    )
    resident.get_by_role("button", name="提交议题", exact=True).click()
    expect(resident.get_by_role("heading", name="楼道加装声控灯")).to_be_visible()
    topic_url = resident.url

    neighbour = as_person(browser, base, "neighbour")
    neighbour.goto(topic_url)
    neighbour.get_by_role("button", name="联名支持", exact=True).click()
    expect(neighbour.get_by_test_id("cosigners")).to_have_text("2")
    expect(neighbour.get_by_text("待分拣")).to_be_visible()

    worker = as_person(browser, base, "worker")
    worker.goto(f"{base}/admin/consultations")
    card = worker.locator("details", has_text="楼道加装声控灯")
    card.locator("summary").click()
    card.get_by_label("受理", exact=True).check()
    card.get_by_role("button", name="决定", exact=True).click()
    card = worker.locator("details", has_text="楼道加装声控灯")
    card.locator("summary").click()
    card.get_by_label("议程", exact=True).fill("一、听取意见；二、确定安装范围；三、表决。")
    card.get_by_label("地点", exact=True).fill("社区议事厅")
    card.get_by_label("会议时间", exact=True).fill(local(now + timedelta(days=4)))
    card.get_by_label("网上协商开始时间", exact=True).fill(local(now - timedelta(hours=1)))
    card.get_by_label("网上协商结束时间", exact=True).fill(local(now + timedelta(days=10)))
    card.get_by_role("button", name="发布预告", exact=True).click()
    worker.wait_for_url(re.compile(r"/admin/consultations/\d+$"))
    cid = int(worker.url.rsplit("/", 1)[1])
    page_url = f"{base}/consultations/{cid}"

    # Deliberation: an argument, a refused empty statement, a statement, a vote.
    resident.goto(page_url)
    resident.get_by_label("内容", exact=True).fill("支持，安全第一。")
    resident.get_by_role("button", name="发布", exact=True).click()
    expect(resident.locator("article.post")).to_contain_text("支持，安全第一。")
    resident.get_by_role("button", name="提交观点", exact=True).click()
    expect(resident.locator("#opinion .error")).to_have_text("请填写内容。")
    resident.get_by_label("提出一条观点（最多 140 个字）", exact=True).fill("声控灯应选用节能灯具")
    resident.get_by_role("button", name="提交观点", exact=True).click()
    # The statement is stored once its page says so; the neighbour looks after that.
    expect(resident.get_by_text("您的观点已添加。")).to_be_visible()
    neighbour.goto(page_url)
    expect(neighbour.get_by_test_id("next-statement")).to_have_text("声控灯应选用节能灯具")
    neighbour.get_by_role("button", name="赞同", exact=True).click()
    expect(neighbour.get_by_text("您已对所有观点表态。")).to_be_visible()
    width = neighbour.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is wider than a phone: {width}px"

    # The meeting day: attendance, the record, both signatures.
    move(live_server, Consultation, cid, meets_at=now - timedelta(minutes=5))
    worker.goto(f"{base}/admin/consultations/{cid}")
    for _ in range(2):
        worker.get_by_role("button", name="签到", exact=True).click()
    expect(worker.get_by_text("已达到法定人数。")).to_be_visible()
    worker.get_by_label("会议摘要", exact=True).fill("代表一致同意加装。")
    worker.get_by_label("会议纪要", exact=True).fill("会议纪要：同意为3栋至8栋楼道加装声控灯。")
    worker.get_by_label("记录人的登录名", exact=True).fill("rep0")
    worker.get_by_label("主持人的登录名", exact=True).fill("worker")
    worker.get_by_role("button", name="保存会议记录", exact=True).click()
    worker.goto(page_url)
    worker.get_by_role("button", name="在会议纪要上签字", exact=True).click()
    recorder = as_person(browser, base, "rep0")
    recorder.goto(page_url)
    recorder.get_by_role("button", name="在会议纪要上签字", exact=True).click()

    # The vote through the ballot engine.
    worker.goto(f"{base}/admin/consultations/{cid}")
    worker.get_by_label("决议内容", exact=True).fill("同意为3栋至8栋楼道加装声控灯。")
    worker.get_by_label("投票开始", exact=True).fill(local(now - timedelta(minutes=1)))
    worker.get_by_label("投票截止", exact=True).fill(local(now + timedelta(hours=1)))
    worker.get_by_label(re.compile("决议包含具体行动")).check()
    worker.get_by_label("承办部门", exact=True).select_option("临江街道城建办")
    worker.get_by_label("预算（元）", exact=True).fill("30000")
    worker.get_by_role("button", name="设置表决", exact=True).click()
    expect(worker.get_by_text("表决已设置。")).to_be_visible()
    href = worker.get_by_role("link", name=re.compile("投票管理")).get_attribute("href")
    assert href is not None
    box_id = int(href.rsplit("/", 1)[1])
    for login in ("rep0", "rep1"):
        voter = recorder if login == "rep0" else as_person(browser, base, login)
        voter.goto(f"{base}/ballots/{box_id}")
        voter.get_by_label("赞成", exact=True).check()
        voter.get_by_role("button", name="投出我的选票", exact=True).click()
        expect(voter.locator(".receipt code")).to_be_visible()
    move(live_server, BallotBox, box_id, closes_at=datetime.now(UTC) - timedelta(seconds=1))
    worker.goto(f"{base}/admin/ballots/{box_id}")
    worker.locator(f"form[action='/admin/ballots/{box_id}/publish'] button").click()
    worker.goto(f"{base}/admin/consultations/{cid}")
    worker.get_by_role("button", name="采用已公布的表决结果", exact=True).click()

    # Public notice: an objection, its public answer, then final.
    resident.goto(page_url)
    expect(resident.get_by_test_id("result")).to_have_text("决议已通过。")
    resident.get_by_label("提出异议", exact=True).fill("请把2栋也纳入。")
    resident.get_by_role("button", name="提交异议", exact=True).click()
    worker.goto(f"{base}/admin/consultations/{cid}")
    worker.get_by_label("公开答复", exact=True).fill("2栋已于去年安装，无需重复。")
    worker.get_by_role("button", name="发布答复", exact=True).click()
    move(live_server, Consultation, cid, notice_ends_at=datetime.now(UTC) - timedelta(seconds=1))
    worker.get_by_role("button", name="确认决议生效", exact=True).click()
    resident.goto(page_url)
    expect(resident.get_by_test_id("stage")).to_have_text("已生效")
    expect(resident.get_by_text("2栋已于去年安装，无需重复。")).to_be_visible()
    expect(resident.get_by_test_id("plan-status")).to_have_text("计划中")
    assert serious(resident) == []
    worker.goto(f"{base}/admin/consultations/{cid}")
    assert serious(worker) == []
    resident.goto(topic_url)
    assert serious(resident) == []
