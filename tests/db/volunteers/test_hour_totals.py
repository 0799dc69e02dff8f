"""The ledger's summaries (per month, team and area; per team and person; per month
and person) are written with each ledger line, on SQLite and PostgreSQL, and equal
what ``rebuild_totals`` sums from the ledger."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.db import make_engine
from tests.support.volunteering import make_person, make_shift
from volunteers.models import (
    HoursEntry,
    HoursTotal,
    MonthContributors,
    MonthPersonMinutes,
    TeamContributors,
    TeamPersonMinutes,
)
from volunteers.open_hours import public_hours
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


def _people_summaries(s: Session) -> tuple[dict[tuple[int, int], int], dict[tuple[str, int], int]]:
    teams = s.execute(
        select(TeamPersonMinutes.team_id, TeamPersonMinutes.account_id, TeamPersonMinutes.minutes)
    )
    months = s.execute(
        select(MonthPersonMinutes.month, MonthPersonMinutes.account_id, MonthPersonMinutes.minutes)
    )
    return {(t, a): m for t, a, m in teams}, {(k, a): m for k, a, m in months}


def _folded(s: Session) -> tuple[dict[tuple[int, int], int], dict[tuple[str, int], int]]:
    """Each person's balance per team and per month, folded from the ledger here."""
    by_team: dict[tuple[int, int], int] = {}
    by_month: dict[tuple[str, int], int] = {}
    for account, team, served_on, minutes in s.execute(
        select(HoursEntry.account_id, HoursEntry.team_id, HoursEntry.served_on, HoursEntry.minutes)
    ):
        by_team[(team, account)] = by_team.get((team, account), 0) + minutes
        month = (f"{served_on:%Y-%m}", account)
        by_month[month] = by_month.get(month, 0) + minutes
    return by_team, by_month


#: Ledger lines: (person 0-3, team 0-1, month 9-11, minutes; negative: a correction).
_lines = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 1), st.integers(9, 11), st.integers(-120, 240)),
    min_size=1,
    max_size=12,
)


@hsettings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(lines=_lines)
def test_the_people_summaries_equal_the_ledger_folded(
    engine: Engine, world: dict[str, Any], lines: list[tuple[int, int, int, int]]
) -> None:
    """Per team and person and per month and person, as each line is written (the
    examples go on from each other's ledger: it only grows) and as rebuilt."""
    with Session(engine) as s, s.begin():
        people = _setup.get(engine.url.render_as_string())
        if people is None:
            shift = make_shift(s, world["community"], datetime(2026, 10, 1, 1, tzinfo=UTC))
            other = make_shift(s, world["community"], datetime(2026, 10, 1, 1, tzinfo=UTC))
            teams = [shift_context(s, x.id).team.id for x in (shift, other)]
            persons = [make_person(s, f"汇总志愿者{n}") for n in range(4)]
            people = _setup[engine.url.render_as_string()] = (teams, persons)
        teams, persons = people
        for person, team, month, minutes in lines:
            s.add(
                HoursEntry(
                    account_id=persons[person],
                    team_id=teams[team],
                    area_id=world["community"].id,
                    served_on=date(2026, month, 15),
                    minutes=minutes,
                    kind="system" if minutes >= 0 else "correction",
                )
            )
    with Session(engine) as s, s.begin():
        written = _people_summaries(s)
        assert written == _folded(s)
        counts = _contributors(s)
        assert counts == _positive(written)
        rebuild_totals(s)
        assert _people_summaries(s) == written
        assert _contributors(s) == counts


def _contributors(s: Session) -> tuple[dict[int, int], dict[str, int]]:
    """The counters, without the keys whose people all went back to zero (written
    as a zero, where rebuilding writes no row)."""
    teams = s.execute(select(TeamContributors.team_id, TeamContributors.people))
    months = s.execute(select(MonthContributors.month, MonthContributors.people))
    return {t: n for t, n in teams if n}, {m: n for m, n in months if n}


def _positive(
    balances: tuple[dict[tuple[int, int], int], dict[tuple[str, int], int]],
) -> tuple[dict[int, int], dict[str, int]]:
    """How many people have a positive balance per team and per month."""
    teams: dict[int, int] = {}
    months: dict[str, int] = {}
    for (team, _), minutes in balances[0].items():
        teams[team] = teams.get(team, 0) + (minutes > 0)
    for (month, _), minutes in balances[1].items():
        months[month] = months.get(month, 0) + (minutes > 0)
    return {k: n for k, n in teams.items() if n}, {k: n for k, n in months.items() if n}


#: Per database: the two teams and four people the examples share.
_setup: dict[str, tuple[list[int], list[int]]] = {}


def test_a_correction_to_zero_takes_a_person_out_of_the_count(
    engine: Engine, world: dict[str, Any]
) -> None:
    with Session(engine) as s, s.begin():
        shift = make_shift(s, world["community"], datetime(2026, 10, 1, 1, tzinfo=UTC))
        team_id = shift_context(s, shift.id).team.id
        people = {name: make_person(s, f"更正{name}") for name in "甲乙丙"}
        for name, minutes in [("甲", 60), ("乙", 60), ("丙", 60), ("丙", -60)]:
            s.add(
                HoursEntry(
                    account_id=people[name],
                    team_id=team_id,
                    area_id=shift.area_id,
                    served_on=date(2026, 10, 1),
                    minutes=minutes,
                    kind="system" if minutes > 0 else "correction",
                )
            )
    with Session(engine) as s:
        data = public_hours(s)
        assert data.total == 120
        assert data.by_team == [] and data.teams_withheld == 1
        assert data.by_month == [] and data.months_withheld == 1


RACERS = 8


def test_racing_writers_count_each_person_once(db_url: str, world: dict[str, Any]) -> None:
    """Eight transactions at once credit and correct four people in one team and
    month (on PostgreSQL, concurrently): every crossing of zero counts once."""
    engine = make_engine(db_url, pool_size=RACERS, max_overflow=0)
    with Session(engine) as s, s.begin():
        shift = make_shift(s, world["community"], datetime(2026, 10, 1, 1, tzinfo=UTC))
        team_id, area_id = shift_context(s, shift.id).team.id, shift.area_id
        persons = [make_person(s, f"竞速志愿者{n}") for n in range(4)]
    barrier = threading.Barrier(RACERS)

    def one(n: int) -> None:
        barrier.wait()
        with Session(engine) as s, s.begin():
            # Racers 0-3 credit persons 0-3; racers 4-7 take back persons 0-1's and
            # credit persons 2-3 again: in whatever order, persons 2-3 stay positive.
            person, minutes = persons[n % 4], (60 if n < 4 or n % 4 >= 2 else -60)
            s.add(
                HoursEntry(
                    account_id=person,
                    team_id=team_id,
                    area_id=area_id,
                    served_on=date(2026, 10, 1),
                    minutes=minutes,
                    kind="system" if minutes > 0 else "correction",
                )
            )

    with ThreadPoolExecutor(RACERS) as pool:
        list(pool.map(one, range(RACERS)))
    with Session(engine) as s:
        assert s.get(TeamContributors, team_id).people == 2  # type: ignore[union-attr]
        assert s.get(MonthContributors, "2026-10").people == 2  # type: ignore[union-attr]
        assert _people_summaries(s) == _folded(s)
    engine.dispose()
