"""The ballot creation and paper-count forms read their fields with the kit's
form reader: an unreadable field is marked, nothing is guessed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.ballots.models import BallotBox, PaperEntry
from tests.conftest import PASSWORD
from tests.support.people import enrol
from tests.web.ballots.test_ballots import NOW, create_box, local


@pytest.fixture
def voters(world, engine):  # type: ignore[no-untyped-def]
    with Session(engine) as s, s.begin():
        enrol(s, world, ["resident"])
    return world


def _box_form(world) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "title": "社区议题表决",
        "area_id": str(world["community"].id),
        "roll": "residents",
        "secrecy": "secret",
        "opens_at": local(NOW - timedelta(hours=1)),
        "closes_at": local(NOW + timedelta(hours=1)),
        "kind": "choose",
        "rule": "threshold",
        "min_choices": "1",
        "max_choices": "2",
        "items": "加装电梯\n修缮凉亭",
    }


def test_an_unreadable_closing_time_is_marked_on_its_own_field(app, client, voters, engine) -> None:  # type: ignore[no-untyped-def]
    app.state.fixed_now = NOW
    client.sign_in("communityworker", PASSWORD)
    for closes_at in ("明天", "2026-02-30T10:00", "2026-11-22"):
        refused = client.submit(
            "/admin/ballots", _box_form(voters) | {"closes_at": closes_at}, page="/admin/ballots"
        )
        assert refused.status_code == 422
        assert 'id="f-closes_at-error"' in refused.text
        assert 'id="f-opens_at-error"' not in refused.text  # the opening time was fine
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(BallotBox)) == 0


def test_paper_counts_take_whole_numbers_as_people_type_them(app, client, voters, engine) -> None:  # type: ignore[no-untyped-def]
    app.state.fixed_now = NOW
    client.sign_in("communityworker", PASSWORD)
    box_id = create_box(
        client,
        voters,
        kind="yes_no",
        rule="threshold",
        min_choices="",
        max_choices="",
        places="",
        items="甲\n乙",
    )
    app.state.fixed_now = NOW + timedelta(hours=2)
    counts = {"label": "会场", "valid": "10", "void": "2", "counts": "1: 7 2 1\n2: 3 6 1"}
    # Python's int() reads "1_0" as 10 and " +10" as 10; nobody types a count that way.
    for field, typed in (("valid", "1_0"), ("valid", "+10"), ("void", "２x"), ("void", "-1")):
        refused = client.submit(
            f"/admin/ballots/{box_id}/paper-counts",
            counts | {field: typed},
            page="/admin/ballots",
        )
        assert refused.status_code == 422, (field, typed)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(PaperEntry)) == 0
    full_width = client.submit(
        f"/admin/ballots/{box_id}/paper-counts",
        counts | {"valid": "１０", "void": "２"},
        page="/admin/ballots",
    )
    assert full_width.status_code == 303


def test_refusals_of_chosen_fields_are_shown_beside_them(app, client, voters) -> None:  # type: ignore[no-untyped-def]
    """Fails on the old page: the selects showed no message, so a deputies' ballot
    without its congress said only "please correct the marked fields"."""
    app.state.fixed_now = NOW
    client.sign_in("communityworker", PASSWORD)
    form = _box_form(voters) | {"roll": "deputies", "kind": "nonsense"}
    refused = client.submit("/admin/ballots", form, page="/admin/ballots")
    assert refused.status_code == 422
    assert 'id="f-kind-error"' in refused.text
    form = _box_form(voters) | {"roll": "deputies", "congress_id": ""}
    refused = client.submit("/admin/ballots", form, page="/admin/ballots")
    assert refused.status_code == 422
    assert 'id="f-congress_id-error"' in refused.text
