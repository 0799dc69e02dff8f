"""The certificates list's count (volunteers.certificates.count_managed) is exactly
the number of rows its pages show in total, for every reach, and both are the
certificates whose every certified team (the holder's ledger up to the issue,
``service_area_paths``) lies within the reach: checked on any history of hours
and certificates (hypothesis). And the list reads no ledger line: its statements
are as many for three times the certificates (tests/web/volunteers too)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.accounts import Account
from tests.support.queries import statements
from tests.support.world import World
from volunteers import certificates
from volunteers.models import Certificate, HoursEntry, Team

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
PER_PAGE = 3

#: (hours or a certificate, holder, team, hour of the history)
events = st.lists(
    st.tuples(
        st.sampled_from(["hours", "hours", "certificate"]),
        st.integers(0, 3),
        st.integers(0, 3),
        st.integers(0, 200),
    ),
    min_size=1,
    max_size=12,
)


def _reaches(world: World) -> list[list[str] | None]:
    here, there = world["community"].path, world["other"].path
    return [
        None,
        [],
        [here],
        [there],
        [here, there],
        [world["street"].path],
        [world["district"].path],
        [world["grid"].path],
    ]


def _expected(s: Session, within: Sequence[str] | None) -> list[int]:
    """The certificates managed, newest first, from each holder's ledger (the rule
    as :func:`certificates.service_area_paths` states it)."""
    managed = []
    for cert in s.scalars(select(Certificate).order_by(Certificate.id.desc())):
        paths = certificates.service_area_paths(s, cert.account_id, cert.issued_at)
        if within is None or all(any(p.startswith(w) for w in within) for p in paths):
            managed.append(cert.id)
    return managed


def _all_pages(s: Session, within: Sequence[str] | None) -> tuple[int, list[int]]:
    """The count and every row of every page of the list, in order."""
    total = certificates.count_managed(s, within)
    shown: list[int] = []
    for number in range(1, -(-total // PER_PAGE) + 1):
        rows, page, counted = certificates.manageable_page(s, within, number, PER_PAGE)
        assert (page, counted) == (number, total)
        shown.extend(c.id for c in rows)
    return total, shown


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """The certificates' teams are written by an INSERT ... SELECT in the flush, and
    the count read with IN and NOT EXISTS: SQLite and PostgreSQL."""
    return any_db_url


@pytest.fixture
def teams(world: World, engine: Engine) -> list[int]:
    """A team in each community, one in the street and one in the grid."""
    with Session(engine) as s, s.begin():
        made = [
            Team(area_id=world[key].id, name=f"{key}队", kind="featured", join_mode="open")
            for key in ("community", "other", "street", "grid")
        ]
        s.add_all(made)
        s.flush()
        return [t.id for t in made]


#: Runs and certificate numbers: never repeated across examples (one database).
numbers = itertools.count(1)


@hsettings(
    max_examples=40,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=events)
def test_the_count_is_the_rows_of_every_page_for_every_reach(
    world: World, engine: Engine, teams: list[int], history: list[tuple[str, int, int, int]]
) -> None:
    run = next(numbers)
    with Session(engine) as s, s.begin():
        holders = [Account(username=f"h{run}-{k}", display_name=f"持证人{k}") for k in range(4)]
        s.add_all(holders)
        s.flush()
        served: set[int] = set()
        for kind, holder, team, hour in sorted(history, key=lambda e: e[3]):
            at = T0 + timedelta(days=run, hours=hour)
            person = holders[holder]
            if kind == "hours":
                area = s.get_one(Team, teams[team]).area_id
                s.add(
                    HoursEntry(
                        account_id=person.id,
                        team_id=teams[team],
                        area_id=area,
                        served_on=date(2026, 1, 1),
                        minutes=60,
                        kind="backfill",
                        reason="测试",
                        recorded_at=at,
                    )
                )
                s.flush()
                served.add(person.id)
            elif person.id in served:  # as issue(): only for approved hours
                s.add(
                    Certificate(
                        number=f"ZYT{next(numbers):09d}",
                        account_id=person.id,
                        holder_name="持证人",
                        masked_id="",
                        volunteer_number="",
                        minutes=60,
                        service_content="测试",
                        issuer="测试",
                        issued_at=at,
                    )
                )
                s.flush()
    with Session(engine) as s:
        for within in _reaches(world):
            total, shown = _all_pages(s, within)
            assert total == len(shown) == len(set(shown)), within
            assert shown == _expected(s, within), within


def test_counting_reads_no_ledger_and_as_many_statements_for_3n(
    world: World, engine: Engine, teams: list[int]
) -> None:
    here = [world["community"].path]

    def issue(n: int, tag: str) -> None:
        with Session(engine) as s, s.begin():
            for k in range(n):
                person = Account(username=f"{tag}{k}", display_name="某人")
                s.add(person)
                s.flush()
                for team in (teams[0], teams[k % 4]):  # some served elsewhere too
                    s.add(
                        HoursEntry(
                            account_id=person.id,
                            team_id=team,
                            area_id=s.get_one(Team, team).area_id,
                            served_on=date(2026, 1, 1),
                            minutes=60,
                            kind="backfill",
                            reason="测试",
                            recorded_at=T0,
                        )
                    )
                s.flush()
                s.add(
                    Certificate(
                        number=f"ZYB{tag}{k:05d}",
                        account_id=person.id,
                        holder_name="某人",
                        masked_id="",
                        volunteer_number="",
                        minutes=120,
                        service_content="测试",
                        issuer="测试",
                        issued_at=T0 + timedelta(hours=1),
                    )
                )

    def read() -> tuple[list[str], int]:
        with Session(engine) as s, statements() as seen:
            rows, _page, total = certificates.manageable_page(s, here, 1, 20)
            assert len(rows) == min(20, total)
        return seen, total

    issue(20, "a")
    few, some = read()
    issue(40, "b")
    many, more = read()
    assert (some, more) == (10, 30)  # half served only here (or in its grid)
    selects = [[sql for sql in seen if sql.startswith("SELECT")] for seen in (few, many)]
    assert [len(found) for found in selects] == [2, 2]  # the count and the page
    assert not [sql for sql in many if "vol_hours" in sql], many
