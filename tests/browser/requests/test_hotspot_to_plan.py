"""On a 375 px phone with JavaScript off: a community worker turns a recurring matter
on the hotspot page into a governance plan item, and the item names where it came from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.areas import Area
from participation.db import make_engine
from participation.requests import intake
from tests.browser.conftest import LiveServer, sign_in

pytestmark = pytest.mark.browser


def test_a_hotspot_becomes_a_plan_item(browser: Browser, live_server: LiveServer) -> None:
    engine = make_engine(live_server.db_url)
    now = datetime.now(UTC)
    with Session(engine) as s, s.begin():
        grid = s.scalars(select(Area).where(Area.code == "G1")).one()
        for n in range(3):
            intake.file_request(
                s,
                intake.NewRequest(
                    category="market", description=f"菜市场缺斤少两{n}", area_id=grid.id
                ),
                now - timedelta(days=n + 1),
                filer_id=None,
                requester_id=None,
            )
    engine.dispose()
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 375, "height": 740}, java_script_enabled=False
    )
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, "worker")
    for path in ("/requests/board", "/requests/hotspots"):
        page.goto(f"{base}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
    row = page.locator("#recurring tr", has_text="望江社区第1网格").filter(
        has=page.locator("input[value=market]")
    )
    row.locator("form[action$='/plan'] button").click()
    expect(page.locator("#hotspot-item a")).to_be_visible()
    page.locator("#hotspot-item a").click()
    expect(page.locator("h1")).to_contain_text("望江社区第1网格")
    assert "/requests/hotspots/" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()
