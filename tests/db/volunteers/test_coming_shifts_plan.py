"""The lists of coming shifts (/volunteers, a team's pages) find their shifts through
the index on ``starts_at`` on SQLite, in order, instead of reading every shift of
every activity: a shift lasts at most LONGEST_SHIFT, so "still running now" also
bounds its start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from tests.support.volunteering import make_shift
from tests.support.world import World
from volunteers import activities

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _plans(session: Session, run: Any) -> list[str]:
    """EXPLAIN QUERY PLAN of every SELECT ``run`` sends, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", note)
    try:
        run()
    finally:
        event.remove(connection, "before_cursor_execute", note)
    plans = []
    for statement, parameters in seen:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        plans.append("\n".join(str(r[-1]) for r in rows))
    return plans


def test_coming_shifts_are_found_by_their_start(world: World, session: Session) -> None:
    for k in range(30):
        make_shift(session, world["community"], NOW + timedelta(days=k - 10))
    session.execute(text("ANALYZE"))
    plans = _plans(
        session,
        lambda: activities.shifts_page(session, 1, 20, since=NOW, public_only=True),
    )
    assert len(plans) == 2  # the count, then the page with its waiting counts
    for plan in plans:
        assert "vol_shifts USING INDEX ix_vol_shifts_starts_at (starts_at>?)" in plan, plan
    rows, number, total = activities.shifts_page(session, 1, 20, since=NOW, public_only=True)
    assert (number, total, len(rows)) == (1, 20, 20)
    assert rows[0].shift.starts_at == NOW  # still running: it ends three hours after


def test_a_teams_pending_requests_and_total_are_found_by_index(
    world: World, session: Session
) -> None:
    """The roster's pending hours requests start from the pending ones and its
    total from the team's summary rows, not from every request or every total."""
    from volunteers import ledger, reports
    from volunteers.models import Activity

    shift = make_shift(session, world["community"], NOW)
    team_id = session.get_one(Activity, shift.activity_id).team_id
    session.execute(text("ANALYZE"))
    pending = "\n".join(_plans(session, lambda: ledger.pending_backfills(session, team_id)))
    assert "vol_backfills USING INDEX ix_vol_backfills_status (status=?)" in pending, pending
    total = "\n".join(_plans(session, lambda: reports.team_minutes(session, team_id)))
    assert "ix_vol_hour_totals_team_id (team_id=?)" in total, total
