"""Chromium itself, after an htmx sign-in with a crafted ``next`` (issue 13, item 4):
it drops the tab from "/\t/host" and would follow "//host" off-site."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route

from tests.browser.conftest import PASSWORD, LiveServer

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("crafted", ["%2F%09%2Fevil.example", "%2F%5Cevil.example"])
def test_sign_in_stays_on_the_site(page: Page, live_server: LiveServer, crafted: str) -> None:
    base = live_server.url
    off_site: list[str] = []

    def trap(route: Route) -> None:
        off_site.append(route.request.url)
        route.fulfill(status=200, body="off site")

    page.route("**://evil.example/**", trap)
    page.goto(f"{base}/login?next={crafted}")
    page.fill("#f-login", "resident")
    page.fill("#f-password", PASSWORD)
    page.click("form#login_form button[type=submit]")
    page.wait_for_url(
        lambda url: urlsplit(url).path == "/account" or urlsplit(url).hostname == "evil.example"
    )
    assert off_site == [] and page.url == f"{base}/account"
