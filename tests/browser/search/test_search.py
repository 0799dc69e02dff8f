"""Search in a real browser at phone width (375 px): a resident types a Chinese word
into the header's search box and finds the plan item whose longer title holds it."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.areas import Area
from participation.db import make_engine
from participation.plan.delivery import DirectItem, enter_item
from search.indexing import drain
from tests.browser.conftest import LiveServer
from tests.browser.kit.test_accessibility import serious

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lift_item(live_server: LiveServer) -> int:
    engine = make_engine(live_server.db_url)
    with Session(engine) as s, s.begin():
        community = s.scalars(select(Area).where(Area.code == "M1")).one()
        item = enter_item(
            s,
            DirectItem(area_id=community.id, year=date.today().year, title="老旧小区加装电梯工程"),
            actor_id=None,
        )
        s.flush()
        item_id = item.id
    with Session(engine) as s, s.begin():
        drain(s)  # what the worker's search-index job does every minute
    engine.dispose()
    return item_id


def test_the_header_search_finds_a_plan_item_by_a_word_inside_its_title(
    browser: Browser, live_server: LiveServer, lift_item: int
) -> None:
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(live_server.url + "/")
    box = page.get_by_role("search").get_by_role("searchbox")
    box.fill("加装电梯")
    box.press("Enter")
    expect(page.get_by_role("heading", name="搜索", exact=True)).to_be_visible()
    result = page.locator(f"a[href='/plan/items/{lift_item}']")
    expect(result).to_have_text("老旧小区加装电梯工程")
    expect(result.locator("mark").first).to_be_visible()
    expect(page.locator("li[data-kind='plan_item'] .badge").first).to_have_text("计划事项")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is wider than a phone: {width}px"
    assert serious(page) == []
    result.click()
    expect(page.get_by_role("heading", name="老旧小区加装电梯工程")).to_be_visible()
    assert problems == []
    context.close()
