"""Hours reports: balances per team, area and month, folded from the ledger."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from participation.areas import Area
from volunteers.models import HoursEntry, HoursTotal, Team


@dataclass(frozen=True)
class HoursReport:
    total: int
    by_team: list[tuple[str, int]]
    by_area: list[tuple[str, int]]
    by_month: list[tuple[str, int]]
    rows: list[tuple[str, str, str, int]]  # month, team, area, minutes


def hours_report(session: Session) -> HoursReport:
    """Totals from the summary per month, team and area (``HoursTotal``): as many
    rows as months × teams × areas with hours, however long the ledger."""
    cells = session.execute(
        select(HoursTotal.month, HoursTotal.team_id, HoursTotal.area_id, HoursTotal.minutes)
    ).all()
    team_ids = sorted({t for _, t, _, _ in cells})
    area_ids = sorted({a for _, _, a, _ in cells})
    teams = {
        i: n for i, n in session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids)))
    }
    areas = {
        i: n for i, n in session.execute(select(Area.id, Area.name).where(Area.id.in_(area_ids)))
    }
    by_team: dict[int, int] = {}
    by_area: dict[int, int] = {}
    by_month: dict[str, int] = {}
    named: dict[tuple[str, str, str], int] = {}
    for month, team_id, area_id, minutes in cells:
        by_team[team_id] = by_team.get(team_id, 0) + minutes
        by_area[area_id] = by_area.get(area_id, 0) + minutes
        by_month[month] = by_month.get(month, 0) + minutes
        key = (month, teams.get(team_id, "?"), areas.get(area_id, "?"))
        named[key] = named.get(key, 0) + minutes
    return HoursReport(
        sum(by_month.values()),
        sorted(((teams.get(k, "?"), v) for k, v in by_team.items()), key=lambda kv: -kv[1]),
        sorted(((areas.get(k, "?"), v) for k, v in by_area.items()), key=lambda kv: -kv[1]),
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
