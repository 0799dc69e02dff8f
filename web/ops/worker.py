"""``gongzhi worker``: one background process that runs every job in web.ops.jobs.

Scheduling is APScheduler's (3.x): an interval trigger per job, aligned on
multiples of the job's period since the epoch so that workers on different hosts
fire together, a thread pool, one instance of a job at a time, and missed runs
coalesced into one. Which worker actually runs a period is decided in the
database (participation.job_runs): each claims (job, period start) and only the
one whose insert succeeds runs it. A run that raises is logged with its
traceback, recorded as failed, and the next period runs the job again.
"""

from __future__ import annotations

import enum
import logging
import os
import signal
import socket
import threading
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session, sessionmaker

from participation import job_runs, sealing
from participation.db import make_engine, utcnow
from participation.requests import tracking_keys
from web.ops.jobs import JOBS, Job
from web.ops.schema import schema_state
from web.settings import Settings

log = logging.getLogger("gongzhi.worker")

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
#: A run that fires this much before its period's start (clock skew between
#: hosts, a timer a little early) still counts for that period.
SLACK = timedelta(seconds=5)


class Outcome(enum.Enum):
    RAN = "ran"
    SKIPPED = "skipped"  # another worker claimed the period
    FAILED = "failed"


def period_start(now: datetime, period: timedelta) -> datetime:
    """The start of the period ``now`` falls in (allowing ``SLACK`` of early firing)."""
    return EPOCH + ((now + SLACK - EPOCH) // period) * period


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_once(
    job: Job,
    sessions: sessionmaker[Session],
    settings: Settings,
    *,
    now: datetime,
    worker: str,
) -> Outcome:
    """Claim ``job``'s period at ``now`` and run it if the claim is ours.

    Three transactions: the claim (committed at once, so no lock is held while
    the job runs), the job's work, and the record of how it ended. The work's
    transaction rolls back when it raises, so a failed run leaves the work due.
    """
    start = period_start(now, job.period)
    fields: dict[str, object] = {"job": job.name, "period": start.isoformat(), "worker": worker}
    with sessions.begin() as session:
        run_id = job_runs.claim(
            session, job=job.name, period_start=start, period=job.period, worker=worker, now=now
        )
    if run_id is None:
        log.debug("job %s already claimed", job.name, extra={"fields": fields})
        return Outcome.SKIPPED
    try:
        with sessions.begin() as session:
            detail = job.run(session, now, settings)
    except Exception:
        log.exception(
            "job %s failed; it runs again next period",
            job.name,
            extra={"fields": fields | {"outcome": "failed"}},
        )
        with sessions.begin() as session:
            job_runs.finish(
                session, run_id, status=job_runs.FAILED, detail=traceback.format_exc(), now=utcnow()
            )
        return Outcome.FAILED
    with sessions.begin() as session:
        job_runs.finish(session, run_id, status=job_runs.OK, detail=detail, now=utcnow())
    log.info("job %s: %s", job.name, detail, extra={"fields": fields | {"outcome": "ok"}})
    return Outcome.RAN


def scheduled_jobs(settings: Settings, jobs: Sequence[Job] = JOBS) -> list[Job]:
    """The jobs these settings allow; the others are logged once and left out."""
    chosen = []
    for job in jobs:
        reason = job.unavailable(settings)
        if reason:
            log.warning("job %s is not scheduled: %s", job.name, reason)
        else:
            chosen.append(job)
    return chosen


def check_schema(settings: Settings) -> str | None:
    """Why a worker must not start on this database (code and schema differ), or None."""
    engine = make_engine(settings.database_url)
    try:
        state = schema_state(engine)
    finally:
        engine.dispose()
    return None if state.current else state.explain()


def build_scheduler(
    settings: Settings, sessions: sessionmaker[Session], jobs: Sequence[Job], worker: str
) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=max(1, len(jobs)))},
        timezone=UTC,
    )

    def fire(job: Job) -> None:
        try:
            run_once(job, sessions, settings, now=utcnow(), worker=worker)
        except Exception:  # the claim or the record failed (database down): next period
            log.exception("job %s could not be claimed or recorded", job.name)

    for job in jobs:
        seconds = int(job.period.total_seconds())
        scheduler.add_job(
            fire,
            IntervalTrigger(seconds=seconds, start_date=EPOCH, timezone=UTC),
            args=[job],
            id=job.name,
            name=job.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(1, seconds // 2),
        )
    return scheduler


def run_worker(settings: Settings, *, once: bool = False) -> int:
    """Run the schedule until SIGTERM or SIGINT (or each job once, with ``once``)."""
    problem = check_schema(settings)
    if problem:
        log.error("worker not started: %s", problem)
        return 1
    sealing.use_secret(settings.secret_key)
    tracking_keys.use_key(settings.id_hash_key)
    engine = make_engine(settings.database_url)
    sessions = sessionmaker(engine, expire_on_commit=False)
    worker = worker_name()
    jobs = scheduled_jobs(settings)
    try:
        if once:
            outcomes = [run_once(j, sessions, settings, now=utcnow(), worker=worker) for j in jobs]
            return 1 if Outcome.FAILED in outcomes else 0
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        scheduler = build_scheduler(settings, sessions, jobs, worker)
        scheduler.start()
        log.info(
            "worker started",
            extra={"fields": {"worker": worker, "jobs": [j.name for j in jobs]}},
        )
        while not stop.wait(timeout=1):
            pass
        log.info("worker stopping", extra={"fields": {"worker": worker}})
        scheduler.shutdown(wait=True)  # let running jobs finish and record themselves
        return 0
    finally:
        engine.dispose()
