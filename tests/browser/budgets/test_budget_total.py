"""A budget ballot's running total follows the ticked boxes in the browser, and says
by how much the choice is over the cap before anything is sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.areas import Area
from participation.ballots.boxes import NewBox, NewItem, create_box
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from participation.db import make_engine
from tests.browser.conftest import LiveServer, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def box_id(live_server: LiveServer) -> int:
    """A budget box of its own, so that no other test's vote closes it to 'resident':
    the district's, since an area runs one budget vote at a time and the street and
    望江社区 have theirs (see conftest and test_projects)."""
    engine = make_engine(live_server.db_url)
    now = datetime.now(UTC)
    with Session(engine) as s, s.begin():
        district = s.scalars(select(Area).where(Area.code == "D1")).one()
        box = create_box(
            s,
            NewBox(
                title="运行合计测试投票",
                area=district,
                roll=Roll.RESIDENTS,
                opens_at=now - timedelta(hours=1),
                closes_at=now + timedelta(days=1),
                form=BallotForm(FormKind.BUDGET, min_choices=1, budget=100_000),
                rule={"rule": "greedy", "budget": 100_000},
                items=[NewItem("长者饭堂", 60_000), NewItem("儿童乐园", 50_000)],
            ),
            None,
        )
        made = box.id
    engine.dispose()
    return made


def test_the_running_total_follows_the_ticked_boxes(
    page: Page, live_server: LiveServer, box_id: int, problems: list[str]
) -> None:
    sign_in(page, live_server.url, "resident")
    page.goto(f"{live_server.url}/ballots/{box_id}")
    total = page.locator("#budget-total")
    expect(total.locator("[data-total]")).to_have_text("0")
    page.get_by_label("长者饭堂").check()
    expect(total.locator("[data-total]")).to_have_text("60,000")
    expect(total.locator("[data-left]")).to_have_text("40,000")
    expect(total.locator("[data-over-line]")).to_be_hidden()
    page.get_by_label("儿童乐园").check()
    expect(total.locator("[data-total]")).to_have_text("110,000")
    expect(total.locator("[data-over-line]")).to_be_visible()
    expect(total.locator("[data-over]")).to_have_text("10,000")
    # Sent anyway: refused, with both boxes still ticked and the same figures.
    page.get_by_role("button", name="投出我的选票").click()
    expect(page.locator(".error-summary")).to_contain_text("超出预算 10,000 元")
    expect(page.get_by_label("长者饭堂")).to_be_checked()
    expect(page.get_by_label("儿童乐园")).to_be_checked()
    assert problems == []
