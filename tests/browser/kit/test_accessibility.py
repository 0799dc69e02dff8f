"""axe-core on the main pages: no serious or critical violations."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.conftest import LiveServer, sign_in

pytestmark = pytest.mark.browser
axe = Axe()

PUBLIC = [
    "/",
    "/login",
    "/signup",
    "/areas",
    "/areas/1",
    "/ballots",
    "/ballots/1",
    "/ballots/2",
    "/consultations",
    "/no-such-page",
]
ADMIN = [
    "/account",
    "/admin",
    "/admin/areas",
    "/admin/accounts",
    "/admin/accounts/1",
    "/admin/audit",
    "/admin/rolls",
    "/admin/verify",
    "/admin/congresses",
    "/admin/ballots",
    "/admin/consultations",
    "/admin/departments",
    "/admin/plan",
    "/consultations/topics/new",
    "/account/password",
]


def serious(page: Page) -> list[str]:
    results = axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_public_pages(page: Page, live_server: LiveServer) -> None:
    found = {}
    for path in PUBLIC:
        page.goto(live_server.url + path)
        if problems := serious(page):
            found[path] = problems
    assert found == {}


def test_signed_in_and_back_office_pages(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server.url, "admin")
    found = {}
    for path in ADMIN:
        page.goto(live_server.url + path)
        if problems := serious(page):
            found[path] = problems
    assert found == {}


def test_error_states_are_accessible(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/signup")
    # Filled (the fields are required, so the browser keeps an empty form back) but
    # invalid: the server answers with errors beside the fields.
    page.fill("#f-display_name", "甲")
    page.fill("#f-login", "x")
    page.fill("#f-password", "short")
    page.click("form#signup_form button[type=submit]")
    page.wait_for_selector("#f-login-error")
    assert page.get_attribute("#f-login", "aria-invalid") == "true"
    assert serious(page) == []
