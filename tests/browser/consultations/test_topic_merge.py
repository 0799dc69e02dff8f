"""Merging a topic in a real browser at phone width (375 px): from the list of
topics to the topic's merge page, a search, a refused merge (no topic chosen: the
message beside the field), then the merge; the page passes the accessibility check."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from consultations.models import Cosignature, Topic
from participation import accounts
from participation.areas import Area
from participation.db import make_engine
from tests.browser.conftest import LiveServer, serve_live, sign_in
from tests.browser.kit.test_accessibility import serious

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own: the topics made here stay out of the shared pages."""
    with serve_live(tmp_path_factory.mktemp("merge")) as server:
        yield server


def _topics(server: LiveServer, titles: list[str]) -> list[int]:
    """Open topics of 望江社区 (M1), each co-signed by the demo's resident."""
    engine = make_engine(server.db_url)
    with Session(engine) as s, s.begin():
        community = s.scalars(select(Area).where(Area.code == "M1")).one()
        resident = accounts.find_by_login(s, "resident")
        assert resident is not None
        made = []
        for title in titles:
            topic = Topic(
                area_id=community.id,
                title=title,
                source="resident",
                proposer_id=resident.id,
                status="collecting",
                threshold=10,
            )
            s.add(topic)
            s.flush()
            s.add(Cosignature(topic_id=topic.id, account_id=resident.id))
            made.append(topic.id)
    engine.dispose()
    return made


def _status(server: LiveServer, topic_id: int) -> tuple[str, int | None]:
    engine = make_engine(server.db_url)
    with Session(engine) as s:
        topic = s.get(Topic, topic_id)
        assert topic is not None
        found = (topic.status, topic.merged_into_id)
    engine.dispose()
    return found


def test_a_topic_is_merged_on_its_own_page_at_phone_width(
    browser: Browser, own_server: LiveServer
) -> None:
    base = own_server.url
    into, mine = _topics(own_server, ["小区南门停车难", "南门车位不够"])
    worker = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}).new_page()
    sign_in(worker, base, "worker")
    worker.goto(f"{base}/admin/consultations")
    card = worker.locator("details", has_text="南门车位不够")
    card.locator("summary").click()
    card.get_by_role("link", name="合并到其他议题", exact=True).click()
    expect(worker.get_by_role("heading", name="合并议题")).to_be_visible()

    worker.get_by_label("在本社区未结的议题中查找（标题或编号）", exact=True).fill("停车")
    worker.locator("#main").get_by_role("button", name="搜索", exact=True).click()
    choice = worker.get_by_label(f"#{into} 小区南门停车难", exact=False)
    expect(choice).to_be_visible()
    assert serious(worker) == []

    # No topic chosen: the message beside the field, the reason kept, nothing merged.
    worker.get_by_label("理由", exact=False).fill("同一个问题")
    worker.get_by_role("button", name="合并", exact=True).click()
    expect(worker.locator("fieldset .error")).to_have_text(
        "请选择同一社区另一个未结的议题进行合并。"
    )
    assert _status(own_server, mine) == ("collecting", None)

    worker.get_by_label(f"#{into} 小区南门停车难", exact=False).check()
    worker.get_by_role("button", name="合并", exact=True).click()
    worker.wait_for_url(f"{base}/admin/consultations")
    expect(worker.get_by_text("议题已合并。")).to_be_visible()
    assert _status(own_server, mine) == ("merged", into)
    width = worker.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is wider than a phone: {width}px"
