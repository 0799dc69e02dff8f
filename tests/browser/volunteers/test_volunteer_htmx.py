"""htmx on the volunteer pages in a real browser (375 px wide): actions swap
their panel or row without a page load (a marker set on ``window`` survives),
polling brings a promotion and a fresh check-in code, and the same sign-up works
with JavaScript switched off."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlalchemy.orm import Session

from participation import accounts
from participation.db import make_engine
from tests.browser.conftest import LiveServer, sign_in
from tests.browser.kit.test_accessibility import serious
from tests.browser.volunteers.volunteering import team_with_shift
from volunteers import signups

pytestmark = pytest.mark.browser
numbers = itertools.count(1)
PHONE: ViewportSize = {"width": 375, "height": 800}


def setup_approval(
    live_server: LiveServer, starts_in: timedelta, capacity: int, helpers: int
) -> tuple[int, int, list[str], str]:
    """A team joined on approval (see team_with_shift)."""
    return team_with_shift(live_server, starts_in, capacity, helpers, join_mode="approval")


def phone(browser: Browser, base: str, login: str, *, javascript: bool = True) -> Page:
    context = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    sign_in(page, base, login)
    return page


def mark(page: Page) -> None:
    """Set a marker that only a full page load would wipe.

    No ``wait_for_function``: Playwright evaluates its string predicate with ``eval``,
    which the portal's CSP forbids, so it could fail on a busy machine. The page's
    scripts have run once its load event has fired.
    """
    page.wait_for_load_state("load")
    assert page.evaluate("window.htmx !== undefined")
    page.evaluate("window.__noReload = true")


def kept(page: Page) -> bool:
    return bool(page.evaluate("window.__noReload === true"))


def test_sign_up_waitlist_and_promotion_without_page_loads(
    browser: Browser, live_server: LiveServer
) -> None:
    base = live_server.url
    _, shift_id, (first, second), _ = setup_approval(
        live_server, timedelta(days=3), capacity=1, helpers=2
    )
    url = f"{base}/volunteers/shifts/{shift_id}"
    a, b = phone(browser, base, first), phone(browser, base, second)
    b.clock.install()  # b's page polls; the test moves its clock instead of waiting 15 s

    a.goto(url)
    mark(a)
    a.get_by_role("button", name="报名参加").click()
    panel = a.locator("#signup_panel")
    expect(panel.locator("[data-status]")).to_have_attribute("data-status", "confirmed")
    expect(panel).to_contain_text("报名成功")
    expect(panel.locator("[data-free]")).to_have_attribute("data-free", "0")
    assert kept(a)

    b.goto(url)
    mark(b)
    b.get_by_role("button", name="登记候补").click()
    expect(b.locator("#signup_panel [data-position]")).to_have_text("候补第 1 位")
    assert kept(b)
    assert b.evaluate("document.documentElement.scrollWidth") <= 375  # fits the phone

    a.get_by_role("button", name="取消报名").click()
    expect(panel).to_contain_text("报名已取消")
    # The freed place went to b at once: a could only join the waitlist now.
    expect(panel.get_by_role("button", name="登记候补")).to_be_visible()
    assert kept(a)

    # b did nothing: the next poll finds b promoted and brings b's whole panel.
    b.clock.fast_forward("00:16")
    expect(b.locator("#signup_panel [data-status]")).to_have_attribute(
        "data-status", "confirmed", timeout=10_000
    )
    assert kept(b)
    # The swapped panels leave the pages as accessible as a full load.
    assert serious(a) == [] and serious(b) == []
    a.context.close()
    b.context.close()


def test_the_same_sign_up_without_javascript(browser: Browser, live_server: LiveServer) -> None:
    base = live_server.url
    _, shift_id, (helper,), _ = setup_approval(
        live_server, timedelta(days=3), capacity=2, helpers=1
    )
    page = phone(browser, base, helper, javascript=False)
    url = f"{base}/volunteers/shifts/{shift_id}"
    page.goto(url)
    with page.expect_navigation():  # a real form post, redirected back to the page
        page.get_by_role("button", name="报名参加").click()
    assert page.url == url
    expect(page.locator(".flash-success")).to_contain_text("报名成功")
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "confirmed")
    expect(page.locator("[data-free]")).to_have_attribute("data-free", "1")
    page.context.close()


def test_leader_rows_swap_and_the_code_refreshes_itself(
    browser: Browser, live_server: LiveServer
) -> None:
    base = live_server.url
    team_id, shift_id, (came, asker), leader_login = setup_approval(
        live_server, -timedelta(hours=4), capacity=5, helpers=2
    )
    engine = make_engine(live_server.db_url)
    with Session(engine) as s, s.begin():
        shift = signups.shift_context(s, shift_id).shift
        account = accounts.find_by_login(s, came)
        assert account is not None
        signups.sign_up(s, shift_id, account.id, shift.starts_at - timedelta(days=1))
    engine.dispose()

    # A volunteer asks to join: the membership panel is swapped in place.
    volunteer = phone(browser, base, asker)
    volunteer.goto(f"{base}/volunteers/teams/{team_id}")
    mark(volunteer)
    volunteer.get_by_role("button", name="申请加入").click()
    expect(volunteer.locator("#membership [data-membership]")).to_have_attribute(
        "data-membership", "pending"
    )
    assert kept(volunteer)

    # The leader approves: that row alone changes.
    leader = phone(browser, base, leader_login)
    leader.clock.install()
    leader.goto(f"{base}/lead/teams/{team_id}")
    mark(leader)
    asker_row = leader.locator(
        "#roster tr", has_text=asker.replace("vol", "志愿者").replace("x", "-")
    )
    asker_row.get_by_role("button", name="批准").click()
    expect(asker_row.locator("[data-membership]")).to_have_attribute("data-membership", "active")
    expect(asker_row).to_contain_text("已保存")
    assert kept(leader)

    # Attendance on the shift roster: the row shows the credited hours.
    leader.goto(f"{base}/lead/shifts/{shift_id}")
    mark(leader)
    row = leader.locator("#attendance tr", has_text=came.replace("vol", "志愿者").replace("x", "-"))
    row.get_by_role("button", name="保存出勤").click()
    expect(row).to_contain_text("出勤已保存")
    expect(row).to_contain_text("已记时长")
    expect(row.locator("form")).to_have_count(0)
    assert kept(leader)

    # The check-in code: htmx fetches a new one when the 30 s window ends.
    leader.goto(f"{base}/lead/shifts/{shift_id}/checkin-code")
    mark(leader)
    leader.evaluate("document.getElementById('qr_code').dataset.old = 'yes'")
    with leader.expect_response(lambda r: "/checkin-code" in r.url):
        leader.clock.fast_forward("00:31")
    # The block is swapped by outerHTML: the marked element is gone once the new one is in.
    expect(leader.locator("#qr_code[data-old]")).to_have_count(0)
    expect(leader.locator("#qr_code svg")).to_be_visible()
    assert kept(leader)
    leader.context.close()
    volunteer.context.close()
