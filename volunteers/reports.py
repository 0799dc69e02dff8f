"""Hours reports: balances per team, area and month, folded from the ledger."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, aliased

from participation.areas import Area
from participation.scopes import under_any
from volunteers.models import HoursEntry, HoursTotal, Team


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


def rebuild_totals(session: Session) -> int:
    """Recompute the summary from the ledger: for a loader that inserted ledger lines
    in bulk, past the ORM (the migration that made the table does the same). Returns
    the number of summary rows."""
    session.execute(delete(HoursTotal))
    month = (
        func.to_char(HoursEntry.served_on, "YYYY-MM")
        if session.get_bind().dialect.name == "postgresql"
        else func.strftime("%Y-%m", HoursEntry.served_on)
    )
    summed = select(
        month, HoursEntry.team_id, HoursEntry.area_id, func.sum(HoursEntry.minutes), func.count()
    ).group_by(month, HoursEntry.team_id, HoursEntry.area_id)
    session.execute(
        insert(HoursTotal).from_select(["month", "team_id", "area_id", "minutes", "lines"], summed)
    )
    return int(session.scalar(select(func.count()).select_from(HoursTotal)) or 0)


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
