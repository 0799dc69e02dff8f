"""The stored opinion map at phone width (375 px): drawn with its time and vote
count, and saying that an update is on its way once newer votes arrive."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from consultations import opinion_maps
from consultations.models import OpinionStatement, OpinionVote
from participation.db import make_engine, utcnow
from tests.browser.conftest import LiveServer, serve_live
from tests.browser.kit.test_accessibility import serious
from tests.support.consultations import community, elevator_in_two_camps

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own: the vote added below stays out of the shared pages."""
    with serve_live(tmp_path_factory.mktemp("opinion")) as server:
        yield server


def deliberating(live_server: LiveServer) -> tuple[int, int]:
    """A consultation open for deliberation, 30 residents in two camps, its map
    stored; and the author of its statements, who has not voted yet."""
    engine = make_engine(live_server.db_url)
    now = utcnow()
    with Session(engine, expire_on_commit=False) as s, s.begin():
        c = community(s, residents=31)
        _, consultation, _ = elevator_in_two_camps(s, c, now)
        opinion_maps.store_now(s, consultation.id, now)
    engine.dispose()
    return consultation.id, c.residents[0].id


def test_the_stored_map_at_phone_width(browser: Browser, own_server: LiveServer) -> None:
    cid, author = deliberating(own_server)
    engine = make_engine(own_server.db_url)
    page = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}).new_page()
    page.goto(f"{own_server.url}/consultations/{cid}")
    as_of = page.get_by_test_id("map-as-of")
    expect(as_of).to_contain_text("观点地图更新于")
    expect(as_of).to_contain_text("次表态")
    expect(page.get_by_test_id("map-update-waiting")).to_have_count(0)
    expect(page.locator("svg.opinion-map")).to_be_visible()
    expect(page.get_by_test_id("group").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is wider than a phone: {width}px"
    svg = page.locator("svg.opinion-map").bounding_box()
    assert svg is not None and svg["width"] <= 375
    assert serious(page) == []

    # A new vote arrives (straight into the database, as from another phone):
    # the page keeps the stored map and says an update is on its way.
    with Session(engine) as s, s.begin():
        statement = s.scalars(
            select(OpinionStatement).where(OpinionStatement.consultation_id == cid).limit(1)
        ).one()
        s.add(
            OpinionVote(
                consultation_id=cid,
                statement_id=statement.id,
                account_id=author,
                choice=1,
                voted_at=utcnow(),
            )
        )
    engine.dispose()
    page.get_by_role("link", name="刷新地图").click()
    expect(page.get_by_test_id("map-update-waiting")).to_have_text(
        "已有新的表态，更新的地图正在计算中。"
    )
    expect(page.locator("svg.opinion-map")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
