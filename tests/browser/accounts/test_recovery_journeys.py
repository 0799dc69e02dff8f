"""Issue 18's account journeys in a real browser at phone width (375 px): a resident
resets a forgotten password with a code read from the local SMS provider, and a
resident signed up at the desk signs in with the slip the worker printed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import accounts
from participation.areas import Area
from participation.db import make_engine
from participation.rolls import RollEntry
from participation.rules.identity import id_hash
from participation.rules.permissions import Role
from tests.browser.conftest import PASSWORD, LiveServer, serve_live
from tests.support.people import person
from tests.support.sms_server import KEY, SmsServer, sms_server

pytestmark = pytest.mark.browser

PHONE = "13987654321"
PHONE_WIDTH: ViewportSize = {"width": 375, "height": 800}


@pytest.fixture(scope="module")
def sms() -> Iterator[SmsServer]:
    with sms_server() as server:
        yield server


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory, sms: SmsServer) -> Iterator[LiveServer]:
    directory: Path = tmp_path_factory.mktemp("recovery")
    with serve_live(directory, sms_url=sms.url, sms_key=KEY) as server:
        engine = make_engine(server.db_url)
        with Session(engine) as s, s.begin():
            community = s.scalars(select(Area).where(Area.code == "M1")).one()
            account = accounts.sign_up(s, login=PHONE, password=PASSWORD, display_name="李阿姨")
            s.add(
                RollEntry(
                    community_id=community.id,
                    name="李阿姨",
                    id_hash=id_hash(server.settings.id_hash_key.encode(), person(998)[1]),
                    birth_date=date(1955, 5, 5),
                    household_code="HL",
                    account_id=account.id,
                )
            )
            accounts.grant_role(s, account, Role.RESIDENT, community)
        engine.dispose()
        yield server


def phone(browser: Browser) -> Page:
    return browser.new_context(locale="zh-CN", viewport=PHONE_WIDTH).new_page()


def fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is wider than a phone: {width}px"


def test_password_reset_by_sms_code(browser: Browser, portal: LiveServer, sms: SmsServer) -> None:
    base = portal.url
    page = phone(browser)
    page.goto(f"{base}/login")
    page.get_by_role("link", name="忘记密码？").click()
    fits(page)
    page.fill("#f-phone", PHONE)
    page.get_by_role("button", name="发送验证码").click()
    page.wait_for_url(f"{base}/account/reset/code")
    expect(page.get_by_text("验证码已发送到该手机")).to_be_visible()
    sms.wait_for(1)  # the portal sends after its answer
    code = sms.last_code(PHONE)
    expect(page.locator("#f-login")).to_have_value(PHONE)
    page.fill("#f-code", code)
    page.fill("#f-password", "Gz-browser-new-61")
    page.fill("#f-confirm", "Gz-browser-new-61")
    fits(page)
    page.get_by_role("button", name="设置新密码").click()
    page.wait_for_url(f"{base}/login")
    page.fill("#f-login", PHONE)
    page.fill("#f-password", "Gz-browser-new-61")
    page.click("form#login_form button[type=submit]")
    page.wait_for_url(f"{base}/account")
    expect(page.get_by_text("李阿姨").first).to_be_visible()


def test_a_desk_created_account_signs_in_with_its_slip(
    browser: Browser, portal: LiveServer
) -> None:
    base = portal.url
    worker = phone(browser)
    worker.goto(f"{base}/login?next=/admin/desk")
    worker.fill("#f-login", "worker")
    worker.fill("#f-password", PASSWORD)
    worker.click("form#login_form button[type=submit]")
    worker.wait_for_url(f"{base}/admin/desk")
    name, number, born = person(5)
    worker.fill("#f-phone", "13600000005")
    worker.fill("#f-name", name)
    worker.fill("#f-id_number", number)
    worker.fill("#f-birth_date", born.isoformat())
    worker.get_by_role("button", name="创建账号并打印凭条").click()
    expect(worker.get_by_role("heading", name="登录凭条")).to_be_visible()
    fits(worker)
    code = worker.locator("#slip-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{8}", code)

    resident = phone(browser)
    resident.goto(f"{base}/account/reset/code")
    resident.fill("#f-login", "13600000005")
    resident.fill("#f-code", code)
    resident.fill("#f-password", "Gz-slip-browser-83")
    resident.fill("#f-confirm", "Gz-slip-browser-83")
    resident.get_by_role("button", name="设置新密码").click()
    resident.wait_for_url(f"{base}/login")
    resident.fill("#f-login", "13600000005")
    resident.fill("#f-password", "Gz-slip-browser-83")
    resident.click("form#login_form button[type=submit]")
    # Made at the desk, the account has agreed to no privacy notice yet: asked first.
    resident.wait_for_url(f"{base}/account/privacy?next=/account")
    fits(resident)
    resident.get_by_label("我已阅读并同意个人信息保护告知").check()
    resident.get_by_role("button", name="同意并继续").click()
    resident.wait_for_url(f"{base}/account")
    expect(resident.get_by_text(name).first).to_be_visible()
    fits(resident)
