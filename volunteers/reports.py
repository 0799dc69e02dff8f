"""Hours reports: balances per team, area and month, folded from the ledger."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, aliased

from participation.areas import Area
from participation.scopes import under_any
from volunteers.models import (
    HoursEntry,
    HoursTotal,
    MonthContributors,
    MonthPersonMinutes,
    Team,
    TeamContributors,
    TeamPersonMinutes,
)


@dataclass(frozen=True)
class HoursReport:
    total: int
    by_team: list[tuple[str, int]]
    by_area: list[tuple[str, int]]
    by_month: list[tuple[str, int]]
    rows: list[tuple[str, str, str, int]]  # month, team, area, minutes


#: The area a ledger line was served in, and the area of its team (the one that
#: decides who may read the team's hours: ``certificates.service_area_paths`` too).
_PLACE, _HOME = aliased(Area, name="place"), aliased(Area, name="home")
#: The summary's cells with their team's and place's names, built once at import.
_CELLS = (
    select(
        HoursTotal.month,
        HoursTotal.team_id,
        Team.name,
        HoursTotal.area_id,
        _PLACE.name,
        HoursTotal.minutes,
    )
    .join(Team, Team.id == HoursTotal.team_id)
    .join(_PLACE, _PLACE.id == HoursTotal.area_id)
)
_CELLS_BY_HOME = _CELLS.join(_HOME, _HOME.id == Team.area_id)


def hours_report(session: Session, within: Sequence[str] | None = None) -> HoursReport:
    """Totals from the summary per month, team and area (``HoursTotal``): as many
    rows as months × teams × areas with hours, however long the ledger, read in
    one statement. ``within``: only the teams whose area lies at or below one of
    these paths (an officer's reach, ``participation.rules.reach.reach``; None:
    every team, []: none)."""
    query = _CELLS if within is None else _CELLS_BY_HOME.where(under_any(_HOME.path, within))
    teams: dict[int, str] = {}
    areas: dict[int, str] = {}
    by_team: dict[int, int] = {}
    by_area: dict[int, int] = {}
    by_month: dict[str, int] = {}
    named: dict[tuple[str, str, str], int] = {}
    for month, team_id, team, area_id, area, minutes in session.execute(query):
        teams[team_id], areas[area_id] = team, area
        by_team[team_id] = by_team.get(team_id, 0) + minutes
        by_area[area_id] = by_area.get(area_id, 0) + minutes
        by_month[month] = by_month.get(month, 0) + minutes
        named[(month, team, area)] = named.get((month, team, area), 0) + minutes
    return HoursReport(
        sum(by_month.values()),
        sorted(((teams[k], v) for k, v in by_team.items()), key=lambda kv: -kv[1]),
        sorted(((areas[k], v) for k, v in by_area.items()), key=lambda kv: -kv[1]),
        sorted(by_month.items()),
        [(m, t, a, v) for (m, t, a), v in sorted(named.items())],
    )


#: Teams and areas the office overview names (the most hours first); months it shows
#: (the latest). The CSV and XLSX hold every row.
OVERVIEW_TOP = 20
OVERVIEW_MONTHS = 24


@dataclass(frozen=True)
class HoursOverview:
    """The office overview's hours: the total, the teams and areas with the most hours
    (and how many others have hours), the latest months in order."""

    total: int
    by_team: list[tuple[str, int]]
    more_teams: int
    by_area: list[tuple[str, int]]
    more_areas: int
    by_month: list[tuple[str, int]]


def hours_overview(
    session: Session,
    within: Sequence[str] | None = None,
    top: int = OVERVIEW_TOP,
    months: int = OVERVIEW_MONTHS,
) -> HoursOverview:
    """What the office overview shows of :func:`hours_report` (``within`` as there),
    grouped and bounded in SQL over the summary: three statements of at most ``top``,
    ``top`` and ``months`` rows, however many teams, areas and months have hours."""
    base = _CELLS if within is None else _CELLS_BY_HOME.where(under_any(_HOME.path, within))
    minutes = func.sum(HoursTotal.minutes)
    groups = func.count().over()

    def grouped(key: Any, name: Any) -> tuple[list[tuple[str, int]], int]:
        rows = session.execute(
            base.with_only_columns(name, minutes, groups)
            .group_by(key, name)
            .order_by(minutes.desc(), name, key)
            .limit(top)
        ).all()
        shown = [(str(n), int(v)) for n, v, _ in rows]
        return shown, (int(rows[0][2]) - len(rows) if rows else 0)

    by_team, more_teams = grouped(HoursTotal.team_id, Team.name)
    by_area, more_areas = grouped(HoursTotal.area_id, _PLACE.name)
    latest = session.execute(
        base.with_only_columns(HoursTotal.month, minutes, func.sum(minutes).over())
        .group_by(HoursTotal.month)
        .order_by(HoursTotal.month.desc())
        .limit(months)
    ).all()
    return HoursOverview(
        int(latest[0][2]) if latest else 0,
        by_team,
        more_teams,
        by_area,
        more_areas,
        [(str(m), int(v)) for m, v, _ in reversed(latest)],
    )


def rebuild_totals(session: Session) -> int:
    """Recompute the summaries from the ledger: per month, team and area
    (``HoursTotal``), each person's balance per team and per month and how many
    people have a positive one (for the open data's small-cell rule), for a loader
    that inserted ledger lines in bulk, past the ORM (the migrations that made the
    tables do the same). Returns the number of rows of ``HoursTotal``."""
    summaries = (
        HoursTotal,
        TeamPersonMinutes,
        MonthPersonMinutes,
        TeamContributors,
        MonthContributors,
    )
    for summary in summaries:
        session.execute(delete(summary))
    month = ledger_month(session)
    summed = select(
        month, HoursEntry.team_id, HoursEntry.area_id, func.sum(HoursEntry.minutes), func.count()
    ).group_by(month, HoursEntry.team_id, HoursEntry.area_id)
    session.execute(
        insert(HoursTotal).from_select(["month", "team_id", "area_id", "minutes", "lines"], summed)
    )
    for key, name, people, counts in (
        (HoursEntry.team_id, "team_id", TeamPersonMinutes, TeamContributors),
        (month, "month", MonthPersonMinutes, MonthContributors),
    ):
        per_person = select(key, HoursEntry.account_id, func.sum(HoursEntry.minutes)).group_by(
            key, HoursEntry.account_id
        )
        session.execute(insert(people).from_select([name, "account_id", "minutes"], per_person))
        by = getattr(people, name)
        counted = select(by, func.count()).where(people.minutes > 0).group_by(by)
        session.execute(insert(counts).from_select([name, "people"], counted))
    return int(session.scalar(select(func.count()).select_from(HoursTotal)) or 0)


def ledger_month(session: Session) -> Any:
    """A ledger line's month, "YYYY-MM", in the session's SQL dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(HoursEntry.served_on, "YYYY-MM")
    return func.strftime("%Y-%m", HoursEntry.served_on)


def team_minutes(session: Session, team_id: int) -> int:
    """The team's service minutes over all time, from the summary per month and
    area (``HoursTotal``): a few rows a month, however long the ledger."""
    return int(
        session.scalar(
            select(func.coalesce(func.sum(HoursTotal.minutes), 0)).where(
                HoursTotal.team_id == team_id
            )
        )
        or 0
    )
