"""What a person does in the portal, in a real browser."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PASSWORD, LiveServer, sign_in
from tests.support.people import person

pytestmark = pytest.mark.browser
counter = itertools.count(1)


def new_login() -> str:
    return f"1390000{next(counter):04d}"


def sign_up(page: Page, base: str, login: str, name: str = "新居民") -> None:
    page.goto(f"{base}/signup")
    page.fill("#f-display_name", name)
    page.fill("#f-login", login)
    page.fill("#f-password", "a long password")
    page.check("#f-agree")
    page.click("form#signup_form button[type=submit]")


def test_sign_up_verify_and_switch_language(
    page: Page, live_server: LiveServer, problems: list[str]
) -> None:
    base = live_server.url
    page.goto(base)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("link", name="注册").first).to_be_visible()
    sign_up(page, base, new_login(), "李新")
    page.wait_for_url(f"{base}/verify")
    expect(page.get_by_role("heading", name="居民身份核验")).to_be_visible()
    name, number, born = person(3)
    page.fill("#f-name", name)
    page.fill("#f-id_number", number)
    page.fill("#f-birth_date", born.isoformat())
    page.click("form#verify_form button[type=submit]")
    page.wait_for_url(f"{base}/")
    expect(page.get_by_role("heading", name="您现在可以做的事")).to_be_visible()
    page.goto(f"{base}/account")
    expect(page.get_by_text("已核验为望江社区居民")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    assert problems == []


def test_sign_out_and_in_again(page: Page, live_server: LiveServer) -> None:
    base = live_server.url
    login = new_login()
    sign_up(page, base, login)
    page.wait_for_url(f"{base}/verify")
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_text("您已退出登录")).to_be_visible()
    page.goto(f"{base}/login")
    page.fill("#f-login", login)
    page.fill("#f-password", "a long password")
    page.click("form#login_form button[type=submit]")
    page.wait_for_url(f"{base}/account")


def test_htmx_swaps_errors_in_place(
    page: Page, live_server: LiveServer, problems: list[str]
) -> None:
    base = live_server.url
    page.goto(f"{base}/signup")
    assert page.evaluate("typeof window.htmx") == "object"
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.fill("#f-display_name", "甲")
    page.fill("#f-login", "x")
    page.fill("#f-password", "short")
    page.click("form#signup_form button[type=submit]")
    expect(page.locator("#f-login-error")).to_be_visible()
    expect(page.locator("#f-password-error")).to_be_visible()
    assert navigations == []  # swapped by htmx, no page load
    assert problems == []


def test_without_javascript(browser: Browser, live_server: LiveServer) -> None:
    base = live_server.url
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    sign_up(page, base, "x")  # invalid: the server re-renders with messages
    expect(page.locator("#f-login-error")).to_be_visible()
    login = new_login()
    sign_up(page, base, login)
    page.wait_for_url(f"{base}/verify")
    page.get_by_role("button", name="退出登录").click()
    page.goto(f"{base}/login")
    page.fill("#f-login", login)
    page.fill("#f-password", "a long password")
    page.click("form#login_form button[type=submit]")
    page.wait_for_url(f"{base}/account")
    context.close()


@pytest.mark.parametrize(
    "path", ["/", "/signup", "/login", "/areas", "/ballots", "/ballots/1", "/ballots/2"]
)
def test_phone_width_has_no_sideways_scroll(
    browser: Browser, live_server: LiveServer, path: str
) -> None:
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(live_server.url + path)
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    expect(page.locator("main h1")).to_be_visible()
    context.close()


def test_admin_adds_an_area(page: Page, live_server: LiveServer) -> None:
    base = live_server.url
    sign_in(page, base, "admin")
    page.goto(f"{base}/admin/areas")
    parent = page.locator("#a-parent option", has_text="望江社区").first.get_attribute("value")
    page.select_option("#a-parent", label="——— 望江社区")
    page.select_option("#a-kind", "grid")
    page.fill("#f-code", "G2")
    page.fill("#f-name", "望江社区第2网格")
    page.get_by_role("button", name="添加").click()
    expect(page.get_by_text("区域已创建")).to_be_visible()
    page.goto(f"{base}/areas/{parent}")  # the public tree shows one level at a time
    expect(page.get_by_role("link", name="望江社区第2网格")).to_be_visible()


def test_wrong_password_message(page: Page, live_server: LiveServer) -> None:
    base = live_server.url
    page.goto(f"{base}/login")
    page.fill("#f-login", "resident")
    page.fill("#f-password", "not the password")
    page.click("form#login_form button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("登录名或密码不正确")
    assert PASSWORD != "not the password"
