"""A refused ballot comes back as the voter filled it in, with what went wrong in
numbers: a budget ballot over the cap shows its total and the amount over."""

from __future__ import annotations

from typing import Any

import pytest
import tinyhtml5
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.ballots.models import CastBallot
from tests.conftest import PASSWORD
from tests.support.people import enrol
from tests.support.world import World
from tests.web.ballots.test_ballots import NOW
from tests.web.ballots.test_ballots import create_box as create_ballots_box

XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture
def voter(app: Any, client: Any, make_client: Any, world: World, engine: Any) -> Any:
    with Session(engine) as s, s.begin():
        enrol(s, world, ["resident"])
    app.state.fixed_now = NOW
    client.sign_in("communityworker", PASSWORD)
    someone = make_client()
    someone.sign_in("resident", PASSWORD)
    return someone


def create_box(client: Any, world: World, **extra: str) -> int:
    """A community-budget box (100,000 yuan, three projects) made through the back office."""
    budget = {
        "title": "社区微实事投票",
        "kind": "budget",
        "rule": "greedy",
        "budget": "100000",
        "items": "加装电梯 | 60000\n修缮凉亭 | 30000\n增设路灯 | 25000",
    }
    return create_ballots_box(client, world, **(budget | extra))


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
    client: Any, voter: Any, world: World, engine: Any
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
    client: Any, voter: Any, world: World
) -> None:
    box_id = create_box(client, world)
    html = voter.get(f"/ballots/{box_id}").text
    assert checked_items(html) == set()
    total = text_of(html, "budget-total")
    assert "0" in total and "100,000" in total and "超出" not in total


def test_a_refused_choose_ballot_keeps_the_choices(client: Any, voter: Any, world: World) -> None:
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
