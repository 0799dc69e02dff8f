"""The hourly pruning job's deletes of old rows of growing tables read an index,
not the whole table: the spent reset codes (``used_at``/``expires_at``) and the
sent mail (``sent_at``). Each DELETE is captured with its parameters and
EXPLAINed as it ran: on SQLite (EXPLAIN QUERY PLAN) and on PostgreSQL after
seeding what the tables hold between two prunes, and ANALYZE.

Not the counted failures (rate_limits.prune): that table only ever holds its
limits' windows (at most 7 days, mostly a day), and each hour's delete removes
the rows past a window of 15 minutes to a day, which is most of the table
whichever way it is read: an index of ``at`` would be read almost whole. Nor the
job runs (job_runs.prune): a day of successes and a month of failures, whose
delete reads every success kept to find each job's latest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert
from sqlalchemy.orm import Session

from participation import outbox, recovery
from participation.accounts import Account
from participation.db import make_engine
from participation.outbox import OutboxMessage
from participation.recovery import ResetCode
from tests.conftest import _pg_database
from tests.support.pg import Cluster

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)

#: Each pruning function, the table its delete reads and the index it must use.
PRUNES: dict[str, tuple[Callable[[Session, datetime], int], str, tuple[str, ...]]] = {
    "reset codes": (
        recovery.prune_codes,
        "reset_codes",
        ("ix_reset_codes_used_at", "ix_reset_codes_expires_at"),
    ),
    "sent mail": (outbox.prune_sent, "outbox", ("ix_outbox_sent_at",)),
}


def _deletes(engine: Engine, run: Callable[[], object]) -> list[tuple[str, Any]]:
    """The DELETE statements ``run`` sends, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("DELETE"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return seen


def _plan(engine: Engine, prune: Callable[[Session, datetime], int], explain: str) -> str:
    with Session(engine) as s:
        [(statement, parameters)] = _deletes(engine, lambda: prune(s, NOW))
        rows = s.connection().exec_driver_sql(f"{explain} {statement}", parameters)
        plan = "\n".join(str(row[-1]) for row in rows)
        s.rollback()
    return plan


@pytest.mark.parametrize("what", PRUNES)
def test_each_prune_searches_its_index_on_sqlite(engine: Engine, what: str) -> None:
    prune, table, indexes = PRUNES[what]
    plan = _plan(engine, prune, "EXPLAIN QUERY PLAN")
    assert f"SCAN {table}\n" not in plan + "\n", plan
    for index in indexes:
        assert f"SEARCH {table} USING" in plan and index in plan, plan


def _seed(engine: Engine) -> None:
    """What the tables hold between two hourly prunes, and the hour past keeping
    the next prune deletes: a week of reset codes (half used), a month of sent
    mail."""

    def every(step: timedelta, keep: timedelta) -> list[datetime]:
        span = keep + timedelta(hours=1)
        return [NOW - step * k for k in range(int(span / step))]

    with Session(engine) as s, s.begin():
        person = Account(username="pruned", display_name="某人")
        s.add(person)
        s.flush()
        codes = every(timedelta(minutes=1), recovery.KEEP_SPENT_FOR)
        s.execute(
            insert(ResetCode),
            [
                {
                    "account_id": person.id,
                    "channel": "sms",
                    "code_hash": f"{k:064d}",
                    "created_at": at,
                    "expires_at": at + timedelta(minutes=10),
                    "used_at": at + timedelta(minutes=1) if k % 2 else None,
                }
                for k, at in enumerate(codes)
            ],
        )
        sent = every(timedelta(minutes=2), outbox.KEEP_SENT_FOR)
        s.execute(
            insert(OutboxMessage),
            [
                {
                    "key": f"m{k}",
                    "to_address": "a@example.org",
                    "subject": "s",
                    "body": "b",
                    "created_at": at,
                    "sent_at": at,
                }
                for k, at in enumerate(sent)
            ],
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql("ANALYZE")


@pytest.mark.pg
def test_each_prune_uses_its_index_on_postgresql(pg_cluster: Cluster) -> None:
    engine = make_engine(_pg_database(pg_cluster))
    try:
        _seed(engine)
        for what, (prune, table, indexes) in PRUNES.items():
            plan = _plan(engine, prune, "EXPLAIN")
            assert f"Seq Scan on {table}" not in plan, (what, plan)
            for index in indexes:
                assert index in plan, (what, plan)
    finally:
        engine.dispose()
