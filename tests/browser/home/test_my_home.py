"""The personal home (我的社区) at phone width (375 px): a new resident verifies and
the home page shows what is open for them; a staff member sees their to-do list."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlalchemy.orm import Session

from consultations.models import Topic
from participation import accounts
from participation.areas import area_by_code, create_area
from participation.db import make_engine
from participation.rules.areas import AreaKind
from participation.rules.permissions import Role
from tests.browser.conftest import PASSWORD, LiveServer
from tests.support.people import person

pytestmark = pytest.mark.browser
PHONE: ViewportSize = {"width": 375, "height": 800}


def phone(browser: Browser) -> Page:
    return browser.new_context(locale="zh-CN", viewport=PHONE).new_page()


def fits(page: Page) -> None:
    """The page never scrolls sideways at phone width."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_a_new_resident_verifies_and_sees_what_is_open(
    browser: Browser, live_server: LiveServer
) -> None:
    base = live_server.url
    page = phone(browser)
    page.goto(f"{base}/signup")
    page.fill("#f-display_name", "新来的居民")
    page.fill("#f-login", "13977770017")
    page.fill("#f-password", "a long password")
    page.check("#f-agree")
    page.click("form#signup_form button[type=submit]")
    page.wait_for_url(f"{base}/verify")
    page.goto(base)
    expect(page.get_by_role("heading", name="核验居民身份")).to_be_visible()
    fits(page)
    page.get_by_role("link", name="与居民名册核验身份").click()
    name, number, born = person(17)
    page.fill("#f-name", name)
    page.fill("#f-id_number", number)
    page.fill("#f-birth_date", born.isoformat())
    page.click("form#verify_form button[type=submit]")
    page.wait_for_url(f"{base}/")
    expect(page.get_by_role("heading", name="我的社区 · 望江社区")).to_be_visible()
    expect(page.get_by_role("heading", name="您现在可以做的事")).to_be_visible()
    ballots = page.locator("section", has=page.get_by_role("heading", name="正在进行的投票"))
    expect(ballots.get_by_role("link", name="望江社区微实事投票")).to_be_visible()
    expect(ballots.get_by_role("link", name="去投票")).to_be_visible()
    fits(page)
    page.get_by_role("link", name="我的参与").click()
    expect(page.get_by_role("heading", name="我的参与", exact=True)).to_be_visible()
    fits(page)
    page.context.close()


def test_a_visitor_chooses_a_community_without_javascript(
    browser: Browser, live_server: LiveServer
) -> None:
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(base)
    for level in ("海澄市", "东湖区", "临江街道", "望江社区"):
        option = page.locator("#f-at option", has_text=level).first
        page.select_option("#f-at", value=option.get_attribute("value"))
        fits(page)
        page.get_by_role("button", name="选择", exact=True).click()
    expect(page.get_by_role("heading", name="望江社区正在进行")).to_be_visible()
    expect(page.get_by_role("link", name="望江社区微实事投票")).to_be_visible()
    page.goto(base)  # remembered
    expect(page.get_by_role("heading", name="望江社区正在进行")).to_be_visible()
    fits(page)
    context.close()


def test_a_staff_member_sees_their_to_do_list(browser: Browser, live_server: LiveServer) -> None:
    engine = make_engine(live_server.db_url)
    with Session(engine) as s, s.begin():
        street = area_by_code(s, "S1")
        assert street is not None
        own = create_area(s, code="M-home", name="望海社区", kind=AreaKind.COMMUNITY, parent=street)
        staff = accounts.sign_up(s, login="homestaff", password=PASSWORD, display_name="社工")
        accounts.grant_role(s, staff, Role.COMMUNITY_WORKER, own)
        for n in range(2):
            s.add(
                Topic(
                    area_id=own.id,
                    title=f"待研判议题{n}",
                    source="worker",
                    proposer_id=staff.id,
                    threshold=1,
                    status="triage",
                )
            )
    engine.dispose()
    base = live_server.url
    page = phone(browser)
    page.goto(f"{base}/login")
    page.fill("#f-login", "homestaff")
    page.fill("#f-password", PASSWORD)
    page.click("form#login_form button[type=submit]")
    page.wait_for_url(f"{base}/account")
    page.goto(base)
    todo = page.locator("section", has=page.get_by_role("heading", name="待您跟进"))
    triage = todo.get_by_role("link", name="待研判的议题：2")
    expect(triage).to_be_visible()
    fits(page)
    triage.click()
    page.wait_for_url(f"{base}/admin/consultations")
    page.context.close()


def test_the_home_pages_pass_axe(browser: Browser, live_server: LiveServer) -> None:
    from tests.browser.kit.test_accessibility import serious

    base = live_server.url
    page = phone(browser)
    found = {}
    for path in ("/", "/?at=1", "/?at=4"):
        page.goto(base + path)
        if problems := serious(page):
            found[path] = problems
    for login in ("resident", "worker"):
        page.goto(f"{base}/login")
        page.fill("#f-login", login)
        page.fill("#f-password", PASSWORD)
        page.click("form#login_form button[type=submit]")
        page.wait_for_url(f"{base}/account")
        for path in ("/", "/me/activity", "/me/activity?show=ballots"):
            page.goto(base + path)
            if problems := serious(page):
                found[f"{login} {path}"] = problems
        page.get_by_role("button", name="退出登录").click()
    assert found == {}
    page.context.close()
