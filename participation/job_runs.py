"""The ledger of periodic job runs: one row per job and period, claimed by one worker.

Several background workers (one per host) run the same schedule. Before a job
runs, its worker inserts the row for (job, period start); the unique key lets
exactly one insert succeed, on SQLite (writers take the lock in turn) and on
PostgreSQL (a second insert of the same key waits for the first transaction and
then fails) alike. The claim is committed on its own, before the job's work, so
no lock is held while the job runs. The row then records how the run ended.

A run that fails is recorded with its error; its work is not lost, because
every job is a sweep over what is due (offers to expire, reminders to queue,
mail to send) and the next period's run finds it still due. A worker that dies
mid-run leaves its row ``running``; later claims of the job mark such rows
``abandoned`` once they are older than ``STALE_AFTER`` periods.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, Text, UniqueConstraint, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from participation.db import Base

RUNNING = "running"
OK = "ok"
FAILED = "failed"
ABANDONED = "abandoned"
STALE_AFTER = 10  # periods
KEEP_FOR = timedelta(days=30)


class JobRun(Base):
    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(80))
    period_start: Mapped[datetime]
    worker: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default=RUNNING)
    detail: Mapped[str] = mapped_column(Text, default="")


def claim(
    session: Session,
    *,
    job: str,
    period_start: datetime,
    period: timedelta,
    worker: str,
    now: datetime,
) -> int | None:
    """Claim the job's run for the period; its row id, or None when another worker
    (or this one, earlier) already claimed it. The caller commits at once."""
    session.execute(
        update(JobRun)
        .where(
            JobRun.job == job,
            JobRun.status == RUNNING,
            JobRun.period_start < period_start - STALE_AFTER * period,
        )
        .values(status=ABANDONED, detail="the worker stopped before the run ended")
    )
    run = JobRun(job=job, period_start=period_start, worker=worker, started_at=now)
    try:
        with session.begin_nested():
            session.add(run)
    except IntegrityError:
        return None
    return run.id


def finish(session: Session, run_id: int, *, status: str, detail: str, now: datetime) -> None:
    """Record how a claimed run ended (``OK`` or ``FAILED``)."""
    session.execute(
        update(JobRun)
        .where(JobRun.id == run_id)
        .values(status=status, detail=detail[:4000], finished_at=now)
    )


def prune(session: Session, now: datetime) -> int:
    """Delete rows of runs that started more than ``KEEP_FOR`` ago; how many."""
    result = session.execute(delete(JobRun).where(JobRun.started_at < now - KEEP_FOR))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class RunCount:
    job: str
    status: str
    count: int
    last_started: datetime


def run_counts(session: Session) -> list[RunCount]:
    """Runs kept in the ledger, per job and outcome, with the latest start of each."""
    rows = session.execute(
        select(JobRun.job, JobRun.status, func.count(), func.max(JobRun.started_at))
        .group_by(JobRun.job, JobRun.status)
        .order_by(JobRun.job, JobRun.status)
    ).all()
    return [RunCount(job, status, count, last) for job, status, count, last in rows]
