"""A refused ballot comes back as the voter filled it in, with what went wrong in
numbers: a budget ballot over the cap shows its total and the amount over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import tinyhtml5
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.ballots.models import CastBallot
from tests.conftest import PASSWORD
from tests.support.people import enrol
from web.i18n import LOCAL_TZ

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
XHTML = "{http://www.w3.org/1999/xhtml}"


def local(dt: datetime) -> str:
    return dt.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def voter(app: Any, client: Any, make_client: Any, world: dict[str, Any], engine: Any) -> Any:
    with Session(engine) as s, s.begin():
        enrol(s, world, ["resident"])
    app.state.fixed_now = NOW
    client.sign_in("communityworker", PASSWORD)
    someone = make_client()
    someone.sign_in("resident", PASSWORD)
    return someone


def create_box(client: Any, world: dict[str, Any], **extra: str) -> int:
    form = {
        "title": "社区微实事投票",
        "area_id": str(world["community"].id),
        "roll": "residents",
        "secrecy": "secret",
        "opens_at": local(NOW - timedelta(hours=1)),
        "closes_at": local(NOW + timedelta(hours=1)),
        "kind": "budget",
        "rule": "greedy",
        "min_choices": "1",
        "budget": "100000",
        "items": "加装电梯 | 60000\n修缮凉亭 | 30000\n增设路灯 | 25000",
    } | extra
    response = client.submit("/admin/ballots", form, page="/admin/ballots")
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def checked_items(html: str) -> set[str]:
    document = tinyhtml5.parse(html)
    return {
        element.get("value", "")
        for element in document.iter(f"{XHTML}input")
        if element.get("name") == "item" and "checked" in element.attrib
    }


def visible_text(element: Any) -> str:
    if "hidden" in element.attrib:
        return element.tail or ""
    inner = "".join(visible_text(child) for child in element)
    return (element.text or "") + inner + (element.tail or "")


def text_of(html: str, element_id: str) -> str:
    """The text of the element with ``element_id``, leaving out hidden parts."""
    document = tinyhtml5.parse(html)
    for element in document.iter():
        if element.get("id") == element_id:
            return visible_text(element)
    raise AssertionError(f"no #{element_id}")


def test_budget_ballot_over_the_cap_keeps_the_choices_and_says_by_how_much(
    client: Any, voter: Any, world: dict[str, Any], engine: Any
) -> None:
    box_id = create_box(client, world)
    page = f"/ballots/{box_id}"
    over = voter.submit(f"{page}/cast", {"item": ["1", "2", "3"]}, page=page)
    assert over.status_code == 422
    assert checked_items(over.text) == {"1", "2", "3"}
    total = text_of(over.text, "budget-total")
    assert "115,000" in total and "100,000" in total and "15,000" in total
    assert "超出" in total
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(CastBallot)) == 0


def test_the_budget_form_shows_the_total_before_anything_is_chosen(
    client: Any, voter: Any, world: dict[str, Any]
) -> None:
    box_id = create_box(client, world)
    html = voter.get(f"/ballots/{box_id}").text
    assert checked_items(html) == set()
    total = text_of(html, "budget-total")
    assert "0" in total and "100,000" in total and "超出" not in total


def test_a_refused_choose_ballot_keeps_the_choices(
    client: Any, voter: Any, world: dict[str, Any]
) -> None:
    box_id = create_box(
        client,
        world,
        kind="choose",
        rule="approval",
        max_choices="1",
        budget="",
        items="甲\n乙\n丙",
    )
    page = f"/ballots/{box_id}"
    refused = voter.submit(f"{page}/cast", {"item": ["1", "3"]}, page=page)
    assert refused.status_code == 422
    assert checked_items(refused.text) == {"1", "3"}
