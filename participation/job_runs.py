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

The ledger is pruned hourly (:func:`prune`): what is read of it is each job's
latest run of each outcome (the metrics) and recent failures; the last day's
successful runs stay for a look at what the jobs did, and as the claims of those
periods (no worker claims a period that long gone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    String,
    Text,
    UniqueConstraint,
    and_,
    delete,
    func,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from participation.db import Base

RUNNING = "running"
OK = "ok"
FAILED = "failed"
ABANDONED = "abandoned"
STALE_AFTER = 10  # periods
#: Failed, abandoned and running runs, and each job's latest successful run.
KEEP_FOR = timedelta(days=30)
#: The other successful runs (the opinion maps alone make 8,640 a day).
KEEP_OK_FOR = timedelta(days=1)


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
    """Forget runs no reader needs; how many, in one statement.

    Every run that started more than ``KEEP_FOR`` ago goes (a job that no longer
    runs leaves the metrics then), and each successful run older than
    ``KEEP_OK_FOR`` but the job's latest one: the latest run of each job and
    outcome stays, so the metrics' time of the last good run is true however
    long the job has been failing.
    """
    ok = aliased(JobRun)
    latest_ok = select(ok.job, func.max(ok.started_at)).where(ok.status == OK).group_by(ok.job)
    result = session.execute(
        delete(JobRun)
        .where(
            or_(
                JobRun.started_at < now - KEEP_FOR,
                and_(
                    JobRun.status == OK,
                    JobRun.started_at < now - KEEP_OK_FOR,
                    tuple_(JobRun.job, JobRun.started_at).not_in(latest_ok),
                ),
            )
        )
        .execution_options(synchronize_session=False)
    )
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
