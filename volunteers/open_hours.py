"""The service minutes open data publishes (``/api/v1/volunteer/hours``): the city's
total, per team and per month, with the small-cell rule applied
(``volunteers.rules.disclosure``). The office's reports (``volunteers.reports``)
are for staff and show every figure."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from volunteers.models import (
    HoursTotal,
    MonthContributors,
    MonthPersonMinutes,
    Team,
    TeamContributors,
    TeamPersonMinutes,
)
from volunteers.rules.disclosure import MIN_CONTRIBUTORS, Cell, disclose

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class PublicHours:
    """The total (withheld figures included), the teams' and months' totals that may
    be shown, most minutes first and in month order, and how many were withheld."""

    total: int
    by_team: list[tuple[str, int]]
    teams_withheld: int
    by_month: list[tuple[str, int]]
    months_withheld: int


_CELLS = select(HoursTotal.team_id, Team.name, HoursTotal.month, HoursTotal.minutes).join(
    Team, Team.id == HoursTotal.team_id
)


def _people(
    session: Session, counts: Any, people: Any, key: str
) -> dict[Any, tuple[int, frozenset[int]]]:
    """Per key, how many people have a positive balance and, when fewer than
    :data:`MIN_CONTRIBUTORS`, who: one statement reading the counter per key and at
    most two people of each small one, however many people served."""
    counted = getattr(counts, key)
    rows = session.execute(
        select(counted, counts.people, people.account_id).outerjoin(
            people,
            (getattr(people, key) == counted)
            & (counts.people < MIN_CONTRIBUTORS)
            & (people.minutes > 0),
        )
    )
    found: dict[Any, tuple[int, set[int]]] = {}
    for k, n, person in rows:
        found.setdefault(k, (n, set()))[1].update(() if person is None else (person,))
    return {k: (n, frozenset(few)) for k, (n, few) in found.items()}


def _cells(minutes: dict[K, int], people: dict[K, tuple[int, frozenset[int]]]) -> list[Cell[K]]:
    return [Cell(k, v, *people.get(k, (0, frozenset()))) for k, v in minutes.items()]


def public_hours(session: Session) -> PublicHours:
    """The open data's hours in three statements, however long the ledger and many
    the people: the summary per month, team and area (``HoursTotal``) and how many
    people have a positive balance per team and per month (``TeamContributors``,
    ``MonthContributors``, with the few of the small ones).
    A team's or month's total is shown only when the small-cell rule allows it."""
    names: dict[int, str] = {}
    by_team: dict[int, int] = {}
    by_month: dict[str, int] = {}
    for team_id, name, month, minutes in session.execute(_CELLS):
        names[team_id] = name
        by_team[team_id] = by_team.get(team_id, 0) + minutes
        by_month[month] = by_month.get(month, 0) + minutes
    team_people = _people(session, TeamContributors, TeamPersonMinutes, "team_id")
    month_people = _people(session, MonthContributors, MonthPersonMinutes, "month")
    # Most minutes first (ties by name, then id), as the report always listed them;
    # the rule withholds from this order.
    teams = disclose(
        sorted(_cells(by_team, team_people), key=lambda c: (-c.minutes, names[c.key], c.key))
    )
    months = disclose(sorted(_cells(by_month, month_people), key=lambda c: c.key))
    return PublicHours(
        sum(by_month.values()),
        [(names[c.key], c.minutes) for c in teams.shown],
        teams.withheld,
        [(c.key, c.minutes) for c in months.shown],
        months.withheld,
    )
