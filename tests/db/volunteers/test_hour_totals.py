"""The ledger's summary per month, team and area is written with each ledger line,
on SQLite and PostgreSQL, and equals what ``rebuild_totals`` sums from the ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.support.volunteering import make_person, make_shift
from volunteers.models import HoursEntry, HoursTotal
from volunteers.reports import hours_report, rebuild_totals
from volunteers.signups import shift_context


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


def _totals(s: Session) -> list[tuple[str, int, int, int, int]]:
    rows = s.execute(
        select(
            HoursTotal.month,
            HoursTotal.team_id,
            HoursTotal.area_id,
            HoursTotal.minutes,
            HoursTotal.lines,
        ).order_by(HoursTotal.month)
    )
    return [(m, t, a, v, n) for m, t, a, v, n in rows]


def test_each_ledger_line_adds_to_its_month(engine: Engine, world: dict[str, Any]) -> None:
    with Session(engine) as s, s.begin():
        person = make_person(s, "记账志愿者")
        shift = make_shift(s, world["community"], datetime(2026, 10, 1, 1, tzinfo=UTC))
        team_id = shift_context(s, shift.id).team.id
        for served_on, minutes in [
            (date(2026, 9, 3), 90),
            (date(2026, 9, 30), 30),
            (date(2026, 10, 1), 45),
            (date(2026, 10, 2), -15),  # a correction is a line too
        ]:
            s.add(
                HoursEntry(
                    account_id=person,
                    team_id=team_id,
                    area_id=shift.area_id,
                    shift_id=shift.id,
                    served_on=served_on,
                    minutes=minutes,
                    kind="system",
                )
            )
    area_id = world["community"].id
    with Session(engine) as s, s.begin():
        written = _totals(s)
        assert written == [
            ("2026-09", team_id, area_id, 120, 2),
            ("2026-10", team_id, area_id, 30, 2),
        ]
        report = hours_report(s)
        assert report.total == 150
        assert report.by_month == [("2026-09", 120), ("2026-10", 30)]
        assert rebuild_totals(s) == 2
        assert _totals(s) == written
