"""The escalation ladder of supervision notices, table by table (pure)."""

from __future__ import annotations

import pytest

from participation.requests.rules.lateness import Due
from participation.requests.rules.supervision import Kind, Rung, extension_cap, rungs, stage_of

LATE = Kind.OVERDUE


@pytest.mark.parametrize(
    ("due", "late", "levels", "expected"),
    [
        (Due.NONE, 0, 3, []),
        (Due.ON_TIME, 0, 3, []),
        (Due.SOON, 0, 3, [Rung(0, Kind.SOON)]),
        (Due.SOON, 0, 0, []),
        (Due.OVERDUE, 1, 3, [Rung(0, LATE)]),
        (Due.OVERDUE, 2, 3, [Rung(0, LATE)]),
        (Due.OVERDUE, 3, 3, [Rung(0, LATE), Rung(1, LATE)]),
        (Due.OVERDUE, 4, 3, [Rung(0, LATE), Rung(1, LATE)]),
        (Due.OVERDUE, 5, 3, [Rung(0, LATE), Rung(1, LATE), Rung(2, LATE)]),
        # A community unit's ladder has three levels (community, street, district):
        # nothing climbs past the district however late.
        (Due.OVERDUE, 30, 3, [Rung(0, LATE), Rung(1, LATE), Rung(2, LATE)]),
        # A grid unit's has four (grid, community, street, district).
        (Due.OVERDUE, 8, 4, [Rung(0, LATE), Rung(1, LATE), Rung(2, LATE), Rung(3, LATE)]),
        (Due.OVERDUE, 7, 4, [Rung(0, LATE), Rung(1, LATE), Rung(2, LATE)]),
        # A district department: itself, then the district office.
        (Due.OVERDUE, 9, 2, [Rung(0, LATE), Rung(1, LATE)]),
        (Due.OVERDUE, 1, 1, [Rung(0, LATE)]),
    ],
)
def test_the_ladder(due: Due, late: int, levels: int, expected: list[Rung]) -> None:
    assert rungs(due, late, levels) == expected


@pytest.mark.parametrize(
    ("status", "stage"),
    [
        ("routed", "accept"),
        ("accepted", "resolve"),
        ("unrouted", None),
        ("proposed", None),
        ("closed", None),
    ],
)
def test_the_clock_of_each_status(status: str, stage: str | None) -> None:
    assert stage_of(status) == stage


@pytest.mark.parametrize(("limit", "cap"), [(0, 1), (1, 1), (7, 7), (20, 20)])
def test_an_extension_is_at_most_the_time_to_resolve(limit: int, cap: int) -> None:
    assert extension_cap(limit) == cap


def test_every_step_kind_fits_the_column() -> None:
    """request_steps.kind is String(16): PostgreSQL refuses anything longer."""
    from sqlalchemy import String

    from participation.requests.models import RequestStep
    from participation.requests.rules.supervision import STEPS

    kind_type = RequestStep.__table__.c.kind.type
    assert isinstance(kind_type, String) and kind_type.length is not None
    width = kind_type.length
    assert all(len(kind) <= width for kind in STEPS), [k for k in STEPS if len(k) > width]
