"""The pruning job: the job ledger keeps what the metrics and the worker's lease read
(every failure for 30 days, each job's latest run of each outcome, the last day's
successful runs) and forgets the rest, in one statement (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from participation import job_runs
from participation.accounts import SignInFailure
from participation.db import make_engine
from participation.job_runs import ABANDONED, FAILED, OK, RUNNING, JobRun
from tests.support.queries import statements
from web.ops import jobs
from web.settings import Settings

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
#: Runs start a little after the hour, so no age falls on a cut-off.
SKEW = timedelta(minutes=10)


@pytest.fixture
def maker(any_db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(any_db_url)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def hourly(status: str, newest: timedelta, oldest: timedelta) -> list[tuple[timedelta, str]]:
    """A run every hour with this outcome, from ``newest`` to ``oldest`` ago."""
    hours = range(int(newest / HOUR), int(oldest / HOUR) + 1)
    return [(h * HOUR - SKEW, status) for h in hours if h * HOUR - SKEW >= timedelta(0)]


@dataclass(frozen=True)
class Ledger:
    job: str
    runs: list[tuple[timedelta, str]]  # (age, status)
    kept: set[tuple[timedelta, str]]


STEADY = hourly(OK, timedelta(0), 40 * DAY)
LATE_FAILURES = hourly(FAILED, timedelta(0), 3 * DAY - HOUR)
LATE_OK = hourly(OK, 3 * DAY, 40 * DAY)
MONTH_OF_FAILURES = [(d * DAY + 12 * HOUR, FAILED) for d in range(41)]
GONE = hourly(OK, 31 * DAY, 40 * DAY)

LEDGERS = [
    # A job that runs fine: the last day's runs.
    Ledger("steady", STEADY, {run for run in STEADY if run[0] < DAY}),
    # Failing for three days: every failure and the last run that went well (the
    # alert on the time since the last "ok" run stays true).
    Ledger("failing", LATE_FAILURES + LATE_OK, set(LATE_FAILURES) | {min(LATE_OK)}),
    # Failures are kept 30 days.
    Ledger(
        "flaky",
        MONTH_OF_FAILURES,
        {run for run in MONTH_OF_FAILURES if run[0] < job_runs.KEEP_FOR},
    ),
    # A job that no longer runs (renamed, removed): forgotten after 30 days.
    Ledger("removed", GONE, set()),
    # Runs a worker left: kept 30 days; the running one is the current period.
    Ledger(
        "crashed",
        [(SKEW, RUNNING), (2 * DAY, ABANDONED), (31 * DAY, ABANDONED), (5 * DAY, OK)],
        {(SKEW, RUNNING), (2 * DAY, ABANDONED), (5 * DAY, OK)},
    ),
]


def _fill(maker: sessionmaker[Session], ledgers: list[Ledger]) -> None:
    with maker.begin() as s:
        for ledger in ledgers:
            for age, status in ledger.runs:
                at = NOW - age
                s.add(
                    JobRun(
                        job=ledger.job,
                        period_start=at,
                        worker="w",
                        started_at=at,
                        finished_at=None if status == RUNNING else at,
                        status=status,
                        detail="",
                    )
                )


def _kept(maker: sessionmaker[Session], job: str) -> set[tuple[timedelta, str]]:
    with maker() as s:
        rows = s.execute(select(JobRun.started_at, JobRun.status).where(JobRun.job == job))
        return {(NOW - at, status) for at, status in rows}


@pytest.mark.parametrize("ledger", LEDGERS, ids=[ledger.job for ledger in LEDGERS])
def test_the_ledger_keeps_what_is_read_and_forgets_the_rest(
    maker: sessionmaker[Session], ledger: Ledger
) -> None:
    _fill(maker, [ledger])
    with maker.begin() as s:
        before = {(c.job, c.status): c.last_started for c in job_runs.run_counts(s)}
        deleted = job_runs.prune(s, NOW)
    assert _kept(maker, ledger.job) == ledger.kept
    assert deleted == len(ledger.runs) - len(ledger.kept)
    # The metrics' "latest run of each outcome" is unchanged for every outcome seen
    # in the last 30 days.
    with maker() as s:
        after = {(c.job, c.status): c.last_started for c in job_runs.run_counts(s)}
    assert after == {k: v for k, v in before.items() if NOW - v < job_runs.KEEP_FOR}


def test_the_leases_of_the_last_day_still_hold(maker: sessionmaker[Session]) -> None:
    # A worker late for a period of the last day finds it claimed (never runs it twice).
    minute = timedelta(minutes=1)
    with maker.begin() as s:
        for i in range(0, 24 * 60, 7):
            at = NOW - i * minute
            job_runs.claim(s, job="j", period_start=at, period=minute, worker="w", now=at)
    with maker.begin() as s:
        job_runs.prune(s, NOW)
    with maker.begin() as s:
        for i in range(0, 24 * 60, 7):
            at = NOW - i * minute
            claimed = job_runs.claim(
                s, job="j", period_start=at, period=minute, worker="x", now=NOW
            )
            assert claimed is None


def test_pruning_is_one_statement_however_long_the_ledger(maker: sessionmaker[Session]) -> None:
    _fill(maker, LEDGERS)
    with maker.begin() as s, statements() as seen:
        deleted = job_runs.prune(s, NOW)
    assert deleted > 1000
    run = [sql for sql in seen if not sql.startswith("BEGIN")]  # SQLite's, as it begins
    assert len(run) == 1 and run[0].lstrip().upper().startswith("DELETE")


def test_the_pruning_job_prunes_the_ledger_and_the_failures(
    maker: sessionmaker[Session], any_db_url: str
) -> None:
    _fill(maker, LEDGERS)
    with maker.begin() as s:
        s.add_all(
            [
                SignInFailure(key="ip:10.0.0.1", at=NOW - DAY),
                SignInFailure(key="account:someone", at=NOW - timedelta(minutes=1)),
            ]
        )
    settings = Settings(environment="test", database_url=any_db_url)
    job = next(j for j in jobs.JOBS if j.name == "prune")
    assert job.period == jobs.HOUR
    with maker.begin() as s:
        summary = job.run(s, NOW, settings)
    assert "1 counted failures" in summary
    with maker() as s:
        assert s.scalars(select(SignInFailure.key)).all() == ["account:someone"]
        kept = s.scalar(select(func.count()).select_from(JobRun))
    assert kept == sum(len(ledger.kept) for ledger in LEDGERS)
