"""Hours reports: balances per team, area and month, folded from the ledger."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.areas import Area
from volunteers.models import HoursEntry, Team
from volunteers.rules.hours import LedgerLine, balance, balances_by


@dataclass(frozen=True)
class HoursReport:
    total: int
    by_team: list[tuple[str, int]]
    by_area: list[tuple[str, int]]
    by_month: list[tuple[str, int]]
    rows: list[tuple[str, str, str, int]]  # month, team, area, minutes


def hours_report(session: Session) -> HoursReport:
    lines = [
        LedgerLine(m, d, t, a)
        for m, d, t, a in session.execute(
            select(HoursEntry.minutes, HoursEntry.served_on, HoursEntry.team_id, HoursEntry.area_id)
        ).all()
    ]
    teams: dict[object, str] = {i: n for i, n in session.execute(select(Team.id, Team.name))}
    areas: dict[object, str] = {i: n for i, n in session.execute(select(Area.id, Area.name))}
    by_team = sorted(
        ((teams.get(k, "?"), v) for k, v in balances_by(lines, "team_id").items()),
        key=lambda kv: -kv[1],
    )
    by_area = sorted(
        ((areas.get(k, "?"), v) for k, v in balances_by(lines, "area_id").items()),
        key=lambda kv: -kv[1],
    )
    by_month = sorted((str(k), v) for k, v in balances_by(lines, "month").items())
    cells: dict[tuple[str, str, str], int] = {}
    for line in lines:
        key = (
            f"{line.served_on:%Y-%m}",
            teams.get(line.team_id, "?"),
            areas.get(line.area_id, "?"),
        )
        cells[key] = cells.get(key, 0) + line.minutes
    rows = [(m, t, a, v) for (m, t, a), v in sorted(cells.items())]
    return HoursReport(balance(lines), by_team, by_area, by_month, rows)
