"""The age-friendly switch in a real browser with JavaScript turned off: pressed on
any page it comes back to that page in the mode, the next pages keep it, and the
same button turns it off again."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_the_switch_works_without_javascript(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}/ballots?page=1")
    assert page.get_attribute("html", "class") is None
    page.get_by_role("button", name="大字版").click()
    page.wait_for_url(f"{base}/ballots?page=1")
    assert page.get_attribute("html", "class") == "age-friendly"
    # Fewer header items, a clear way home, and every section listed at the foot.
    assert (
        not page.get_by_role("navigation", name="主导航")
        .get_by_role("link", name="治理计划")
        .is_visible()
    )
    assert page.get_by_role("link", name="返回首页").is_visible()
    page.get_by_role("link", name="全部栏目").click()
    page.get_by_role("navigation", name="全部栏目").get_by_role("link", name="治理计划").click()
    page.wait_for_url(f"{base}/plan")
    assert page.get_attribute("html", "class") == "age-friendly"
    page.get_by_role("button", name="标准版").click()
    page.wait_for_url(f"{base}/plan")
    assert page.get_attribute("html", "class") is None
    context.close()
