"""On a 375 px phone with JavaScript off: a community worker opens the hotspot page and
makes one hotspot a consultation topic and a plan item; a requester following their
request by number sees both; the topic's page says where it came from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.accounts import find_by_login
from participation.areas import Area
from participation.db import make_engine
from participation.requests import intake
from tests.browser.conftest import LiveServer, sign_in

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 375, "height": 740}


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, page.url


def test_a_hotspot_becomes_a_topic_and_a_plan_item_the_requester_follows_both(
    browser: Browser, live_server: LiveServer
) -> None:
    engine = make_engine(live_server.db_url)
    now = datetime.now(UTC)
    with Session(engine) as s, s.begin():
        grid = s.scalars(select(Area).where(Area.code == "G1")).one()
        requester = find_by_login(s, "resident")
        assert requester is not None
        filed = [
            intake.file_request(
                s,
                intake.NewRequest(
                    category="property", description=f"物业电梯又停了{n}", area_id=grid.id
                ),
                now - timedelta(days=n + 1),
                filer_id=requester.id if n == 0 else None,
                requester_id=requester.id if n == 0 else None,
            )
            for n in range(3)
        ]
        number, secret = filed[0].request.number, filed[0].secret
    engine.dispose()
    base = live_server.url

    staff_ctx = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=False)
    staff = staff_ctx.new_page()
    sign_in(staff, base, "worker")
    staff.goto(f"{base}/requests/hotspots")
    _fits(staff)
    row = staff.locator("#recurring tr", has_text="望江社区第1网格").filter(
        has=staff.locator("input[value=property]")
    )
    row.locator("form[action$='/topic'] button").first.click()
    expect(staff.locator("#hotspot-topic a")).to_be_visible()
    _fits(staff)
    staff.locator("#hotspot-to-plan").click()
    expect(staff.locator("#hotspot-item a")).to_be_visible()
    expect(staff.locator("#hotspot-topic a")).to_be_visible()
    expect(staff.locator("#hotspot-count strong")).to_have_text("3")
    _fits(staff)
    hotspot_url = staff.url
    staff.locator("#hotspot-topic a").click()
    expect(staff.locator("#topic-origin")).to_contain_text("望江社区第1网格")
    expect(staff.locator("#topic-origin")).to_contain_text("3 条诉求")
    assert hotspot_url.endswith(str(staff.locator("#topic-origin a").get_attribute("href")))
    _fits(staff)
    staff_ctx.close()

    follower_ctx = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=False)
    follower = follower_ctx.new_page()
    follower.goto(f"{base}/requests/track")
    follower.fill("#f-number", number)
    follower.fill("#f-secret", secret)
    follower.click("form[action='/requests/track'] button[type=submit]")
    expect(follower.locator("#loop-item")).to_be_visible()
    expect(follower.locator("#loop-topic")).to_be_visible()
    _fits(follower)
    topic_href = follower.locator("#loop-topic").get_attribute("href")
    follower.locator("#loop-item").click()
    expect(follower.locator("#source-link")).to_have_attribute("href", hotspot_url[len(base) :])
    _fits(follower)
    follower.goto(f"{base}{topic_href}")
    expect(follower.locator("#topic-origin")).to_contain_text("物业管理")
    _fits(follower)
    follower_ctx.close()
