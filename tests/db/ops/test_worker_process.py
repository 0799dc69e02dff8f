"""``gongzhi worker`` as a command: it runs the jobs through APScheduler, and
refuses a database whose migrations differ from the code's."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from participation import job_runs
from participation.db import make_engine
from participation.job_runs import JobRun
from tests.support.servers import HANG_GUARD_SECONDS
from web.migrate import upgrade
from web.ops.jobs import Job
from web.ops.worker import build_scheduler, check_schema
from web.settings import Settings


def _env(url: str) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "GONGZHI_DATABASE_URL": url, "GONGZHI_ENV": "test"}


def test_worker_once_runs_every_available_job(sqlite_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "web.cli", "worker", "--once"],
        env=_env(sqlite_url),
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
    )
    assert done.returncode == 0, done.stderr
    assert '"job": "volunteers-tick"' in done.stderr  # JSON log lines
    assert "GONGZHI_SMTP_URL is not set" in done.stderr
    engine = create_engine(sqlite_url)
    with Session(engine) as s:
        ran = set(s.scalars(select(JobRun.job).where(JobRun.status == job_runs.OK)))
    engine.dispose()
    assert ran == {
        "volunteers-tick",
        "plan-remind",
        "plan-figures",
        "requests-sweep",
        "requests-supervise",
        "requests-figures",
        "opinion-maps",
        "notices-sweep",
        "notices-digest",
        "home-counts",
        "search-index",
        "prune",
    }


def test_worker_refuses_a_database_behind_the_code(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path}/old.db"
    upgrade(url, "0015")
    assert "gongzhi migrate" in (check_schema(Settings(database_url=url)) or "")
    done = subprocess.run(
        [sys.executable, "-m", "web.cli", "worker"],
        env=_env(url),
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
    )
    assert done.returncode == 1
    assert "worker not started" in done.stderr


def test_worker_refuses_a_database_ahead_of_the_code(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    assert "code is older" in (check_schema(Settings(database_url=sqlite_url)) or "")


@pytest.mark.parametrize("period", [timedelta(seconds=1)])
def test_apscheduler_fires_the_jobs(sqlite_url: str, period: timedelta) -> None:
    settings = Settings(environment="test", database_url=sqlite_url)
    fired = threading.Event()

    def body(session: Session, now, settings) -> str:  # type: ignore[no-untyped-def]
        fired.set()
        return "fired"

    engine = make_engine(sqlite_url)
    scheduler = build_scheduler(
        settings, sessionmaker(engine), [Job("every-second", period, body, "test")], "w"
    )
    scheduler.start()
    try:
        assert fired.wait(timeout=30)
    finally:
        scheduler.shutdown(wait=True)
    with Session(engine) as s:
        assert s.scalar(select(JobRun.detail).where(JobRun.job == "every-second")) == "fired"
    engine.dispose()


def test_the_worker_stops_cleanly_on_sigterm(sqlite_url: str) -> None:
    """systemd and ``gongzhi demo --serve`` stop it with SIGTERM: it says so and exits 0."""
    import signal

    process = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "worker"],
        env=_env(sqlite_url),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        for line in process.stderr:
            if '"worker started"' in line:
                break
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        assert '"worker stopping"' in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
