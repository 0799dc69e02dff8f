"""Volunteering in a real browser: sign up, waitlist and promotion after a cancel;
the leader's attendance and hours approval; QR check-in; a certificate verified."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from participation import accounts
from participation.db import make_engine
from tests.browser.conftest import LiveServer, sign_in
from tests.browser.volunteers.volunteering import team_with_shift
from volunteers import signups

pytestmark = pytest.mark.browser
numbers = itertools.count(1)


def person_page(browser: Browser, base: str, login: str) -> Page:
    page = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}).new_page()
    sign_in(page, base, login)
    return page


def test_sign_up_waitlist_and_promotion(browser: Browser, live_server: LiveServer) -> None:
    base = live_server.url
    _, shift_id, (first, second), _ = team_with_shift(
        live_server, timedelta(days=3), capacity=1, helpers=2
    )
    url = f"{base}/volunteers/shifts/{shift_id}"
    a, b = person_page(browser, base, first), person_page(browser, base, second)
    a.goto(url)
    a.get_by_role("button", name="报名参加").click()
    expect(a.get_by_text("报名成功")).to_be_visible()
    expect(a.locator("[data-status]")).to_have_attribute("data-status", "confirmed")
    b.goto(url)
    expect(b.locator("#availability")).to_contain_text("剩 0 个")
    b.get_by_role("button", name="登记候补").click()
    expect(b.get_by_text("候补第 1 位")).to_be_visible()
    # The page fits a 375 px phone: nothing scrolls sideways.
    assert b.evaluate("document.documentElement.scrollWidth") <= 375
    a.get_by_role("button", name="取消报名").click()
    expect(a.get_by_text("报名已取消")).to_be_visible()
    b.reload()
    expect(b.locator("[data-status]")).to_have_attribute("data-status", "confirmed")
    a.context.close()
    b.context.close()


def test_leader_marks_attendance_and_approves_hours(
    browser: Browser, live_server: LiveServer
) -> None:
    base = live_server.url
    team_id, shift_id, (came, forgot), leader_login = team_with_shift(
        live_server, -timedelta(hours=4), capacity=5, helpers=2
    )
    engine = make_engine(live_server.db_url)
    with Session(engine) as s, s.begin():
        shift = signups.shift_context(s, shift_id).shift
        for login in (came, forgot):
            account = accounts.find_by_login(s, login)
            assert account is not None
            signups.sign_up(s, shift_id, account.id, shift.starts_at - timedelta(days=1))
    engine.dispose()
    leader = person_page(browser, base, leader_login)
    leader.goto(f"{base}/lead/shifts/{shift_id}")
    name = came.replace("vol", "志愿者").replace("x", "-")  # display name from team_with_shift()
    row = leader.locator("tr", has_text=name)
    expect(row.locator(".contact")).to_have_text(came)  # contacts are on the leader's roster
    row.get_by_role("button", name="保存出勤").click()
    expect(leader.get_by_text("出勤已保存")).to_be_visible()
    expect(leader.locator("tr", has_text=name)).to_contain_text("已记时长")

    volunteer = person_page(browser, base, forgot)
    volunteer.goto(f"{base}/volunteers/me")
    volunteer.get_by_label("分钟").fill("90")
    volunteer.get_by_label("原因").fill("签到设备故障")
    volunteer.get_by_role("button", name="申请").click()
    expect(volunteer.get_by_text("申请已提交给队长审批")).to_be_visible()

    leader.goto(f"{base}/lead/teams/{team_id}")
    expect(leader.locator("#backfills")).to_contain_text("签到设备故障")
    leader.locator("#backfills").get_by_role("button", name="批准").click()
    expect(leader.get_by_text("已保存")).to_be_visible()
    volunteer.goto(f"{base}/volunteers/me")
    expect(volunteer.locator("#total-hours")).to_have_text("1 小时 30 分")
    leader.context.close()
    volunteer.context.close()

    # A certificate for the one who came: issued, downloaded as PDF, verified, revoked.
    worker = person_page(browser, base, "worker")
    worker.goto(f"{base}/admin/volunteers")
    worker.fill("#f-login", came)
    # Not on the roll: an ID number typed for them is refused, their certificate has none.
    worker.fill("#f-id_number", "11010519491231002X")
    worker.fill("#f-issuer", "望江社区志愿服务站")
    worker.get_by_role("button", name="出具证明").click()
    expect(worker.locator("#f-id_number-error")).to_contain_text("身份证号留空")
    worker.fill("#f-id_number", "")
    worker.get_by_role("button", name="出具证明").click()
    expect(worker.locator("[data-verdict]")).to_have_attribute("data-verdict", "valid")
    expect(worker.get_by_text("无（未经名册核验）")).to_be_visible()
    number = worker.url.rsplit("/", 1)[1]
    holder = person_page(browser, base, came)
    holder.goto(f"{base}/volunteers/me")
    with holder.expect_download() as download:
        holder.get_by_role("link", name=number).click()
    assert download.value.suggested_filename == f"{number}.pdf"
    with open(download.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    worker.goto(f"{base}/admin/volunteers")
    row = worker.locator("tr", has_text=number)
    row.get_by_label("理由").fill("信息录入有误")
    row.get_by_role("button", name="撤销").click()
    holder.goto(f"{base}/volunteers/verify?number={number}")
    expect(holder.locator("[data-verdict]")).to_have_attribute("data-verdict", "revoked")
    worker.context.close()
    holder.context.close()


def test_qr_check_in_and_certificate(browser: Browser, live_server: LiveServer) -> None:
    base = live_server.url
    _, shift_id, (helper,), leader_login = team_with_shift(
        live_server, timedelta(minutes=20), capacity=3, helpers=1
    )
    volunteer = person_page(browser, base, helper)
    volunteer.goto(f"{base}/volunteers/shifts/{shift_id}")
    volunteer.get_by_role("button", name="报名参加").click()
    leader = person_page(browser, base, leader_login)
    leader.goto(f"{base}/lead/shifts/{shift_id}/checkin-code")
    expect(leader.locator("#qr svg")).to_be_visible()
    code = leader.locator("[data-code]").get_attribute("data-code")
    # What the phone's camera opens: the URL inside the QR code.
    volunteer.goto(f"{base}/volunteers/checkin/{shift_id}?code={code}")
    volunteer.get_by_role("button", name="立即签到").click()
    expect(volunteer.get_by_text("签到成功")).to_be_visible()
    expect(volunteer.locator("[data-state]")).to_have_attribute("data-state", "in")
    leader.context.close()
    volunteer.context.close()


def test_volunteer_pages_pass_axe(browser: Browser, live_server: LiveServer) -> None:
    from axe_playwright_python.sync_playwright import Axe

    base = live_server.url
    team_id, shift_id, _, _ = team_with_shift(live_server, timedelta(days=2), capacity=3, helpers=0)
    page = person_page(browser, base, "admin")
    axe = Axe()
    found = {}
    for path in [
        "/volunteers",
        f"/volunteers/teams/{team_id}",
        f"/volunteers/shifts/{shift_id}",
        "/volunteers/me",
        f"/lead/teams/{team_id}",
        f"/lead/shifts/{shift_id}",
        f"/lead/shifts/{shift_id}/checkin-code",
        "/admin/volunteers",
        "/volunteers/verify?number=NONE",
    ]:
        page.goto(base + path)
        violations = [
            f"{v['id']} ({v['impact']})"
            for v in axe.run(page).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if violations:
            found[path] = violations
    page.context.close()
    assert found == {}
