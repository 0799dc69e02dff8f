"""The header on a phone (375 × 800) leaves the page on the first screen: the brand,
the language and print-size switches, the person's own links, the search box and
one link to every section (listed at the foot of the page, #sections), in the
standard and the age-friendly mode, signed in or not. It took a third of the
screen in the standard mode and almost half in the age-friendly one (the walk-
through of stop 16). Wide screens keep every section in the header."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import LiveServer, sign_in

pytestmark = pytest.mark.browser

SECTIONS = [
    "投票",
    "社区协商",
    "公众评议",
    "社区微实事",
    "民生实事项目",
    "区域",
    "治理计划",
    "志愿服务",
    "群众诉求",
]
#: The most of the 800 px screen the header may take, by mode: a quarter, a third
#: (it took 253-282 px and 368 px).
TALLEST = {"standard": 800 // 4, "age-friendly": 800 // 3}


def _page(browser: Browser, base: str, display: str, width: int = 375) -> Page:
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 800})
    if display == "age-friendly":
        context.add_cookies([{"name": "display", "value": display, "url": base}])
    return context.new_page()


def _header_height(page: Page) -> float:
    return float(page.evaluate("document.querySelector('.site-header').offsetHeight"))


@pytest.mark.parametrize("display", ["standard", "age-friendly"])
@pytest.mark.parametrize("who", [None, "admin"])
def test_the_header_leaves_the_page_on_a_phones_first_screen(
    browser: Browser, live_server: LiveServer, display: str, who: str | None
) -> None:
    base = live_server.url
    page = _page(browser, base, display)
    if who:
        sign_in(page, base, who)
    page.goto(f"{base}/ballots")
    assert _header_height(page) <= TALLEST[display], _header_height(page)
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    header = page.locator(".site-header")
    for name in ("English", "标准版" if display == "age-friendly" else "大字版", "搜索"):
        assert header.get_by_role("button", name=name).is_visible(), name
    assert header.get_by_role("searchbox").is_visible()
    own = ["我的账户", "通知"] if who else ["登录", "注册"]
    for name in own:
        assert header.get_by_role("link", name=name).is_visible(), name
    assert page.locator("main h1").is_visible()
    # Every section is two taps away: "all sections", then the list at the foot.
    header.get_by_role("link", name="全部栏目").click()
    listed = page.get_by_role("navigation", name="全部栏目")
    for name in SECTIONS:
        assert listed.get_by_role("link", name=name).is_visible(), name
    listed.get_by_role("link", name="群众诉求").click()
    page.wait_for_url(f"{base}/requests")
    page.context.close()


def test_a_wide_screen_keeps_every_section_in_the_header(
    browser: Browser, live_server: LiveServer
) -> None:
    page = _page(browser, live_server.url, "standard", width=1280)
    page.goto(f"{live_server.url}/ballots")
    main = page.get_by_role("navigation", name="主导航")
    for name in SECTIONS:
        assert main.get_by_role("link", name=name).is_visible(), name
    assert not page.get_by_role("link", name="全部栏目").is_visible()
    assert not page.get_by_role("navigation", name="全部栏目").is_visible()
    page.context.close()
