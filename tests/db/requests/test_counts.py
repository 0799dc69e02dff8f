"""The summary tables of request counts (requests.counts) equal the direct aggregates
(requests.board) after random sequences of filings, acceptances, proposed closures and
merges, for the whole city, a street, a community and a grid; before the first refresh
the pages count live."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from participation.areas import create_area
from participation.errors import DomainError
from participation.requests import board, counts, handling, intake, merging, routing
from participation.requests.models import ResidentRequest
from participation.rules.areas import AreaKind
from tests.support.requests import NOW
from tests.support.world import World


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """On SQLite and on PostgreSQL (the month of filing is each dialect's own SQL)."""
    return any_db_url


CATEGORIES = ("environment", "roads")
CHANNELS = ("online", "hotline", "walk_in")

# One step: (kind, a, b, days before NOW). kind 0 files in place a, category a, channel b;
# 1 accepts the a-th request; 2 proposes its closure; 3 merges the a-th into the b-th.
steps = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 20), st.integers(0, 20), st.integers(0, 200)),
    min_size=1,
    max_size=30,
)


def _play(session: Session, places: list[int], actor: int, script: list) -> None:  # type: ignore[type-arg]
    made: list[ResidentRequest] = []
    for kind, a, b, days in script:
        now = NOW - timedelta(days=days, hours=a)
        if kind == 0 or not made:
            filed = intake.file_request(
                session,
                intake.NewRequest(
                    category=CATEGORIES[a % len(CATEGORIES)],
                    description=f"路灯坏了第{len(made)}次",
                    area_id=places[(a + b) % len(places)],
                    channel=CHANNELS[b % len(CHANNELS)],
                ),
                now,
                filer_id=None,
                requester_id=None,
            )
            made.append(filed.request)
            continue
        request = made[a % len(made)]
        try:
            if kind == 1 and request.status == "routed" and request.unit_id:
                handling.accept(session, request, request.unit_id, now, actor)
            elif kind == 2 and request.status == "accepted" and request.unit_id:
                handling.propose_closure(session, request, request.unit_id, "修好了", now, actor)
            elif kind == 3:
                into = made[b % len(made)]
                merging.merge(session, request, into, now, actor)
        except DomainError:  # refused (e.g. merging into itself): changes nothing
            pass


@hsettings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(script=steps)
def test_the_summary_equals_the_direct_aggregate(
    session: Session,
    world: World,
    script: list,  # type: ignore[type-arg]
) -> None:
    try:
        _check(session, world, script)
    finally:
        session.rollback()  # each example starts from the committed world


def _check(session: Session, world: World, script: list) -> None:  # type: ignore[type-arg]
    routing.add_rule(
        session,
        routing.NewRule("environment", world["district"].id, "any", "community", None),
        None,
    )
    routing.add_rule(
        session, routing.NewRule("roads", world["district"].id, "any", "street", None), None
    )
    grid2 = create_area(
        session, code="G2", name="二网格", kind=AreaKind.GRID, parent=world["other"]
    )
    places = [world["grid"].id, grid2.id, world["community"].id]
    _play(session, places, world["people"]["admin"].id, script)
    session.flush()
    counts.refresh(session, NOW)
    day = counts.last_run(session).day  # type: ignore[union-attr]
    for area in (None, world["district"], world["street"], world["community"], world["other"]):
        path = area.path if area else None
        summary = counts.public_board(session, area)
        assert summary.as_of == NOW
        assert summary.figures == board.public_board(session, area_path=path)
        spots = counts.hotspots(session, day, area)
        assert spots.as_of == NOW
        assert spots.figures == board.hotspots(session, day, area_path=path)
    # A grid's own board is counted live.
    assert counts.public_board(session, world["grid"]).as_of is None


def test_before_the_first_refresh_the_board_is_live(session: Session, world: World) -> None:
    intake.file_request(
        session,
        intake.NewRequest(category="environment", description="噪音", area_id=world["grid"].id),
        NOW,
        filer_id=None,
        requester_id=None,
    )
    found = counts.public_board(session, None)
    assert found.as_of is None
    assert found.figures.total == 1
    counts.refresh(session, NOW)
    intake.file_request(
        session,
        intake.NewRequest(category="environment", description="又噪音", area_id=world["grid"].id),
        NOW,
        filer_id=None,
        requester_id=None,
    )
    stored = counts.public_board(session, None)
    assert (stored.as_of, stored.figures.total) == (NOW, 1)  # as of the refresh
    counts.refresh(session, NOW + timedelta(hours=1))
    assert counts.public_board(session, None).figures.total == 2
