"""Kill -9 in the middle of work: nothing is half-written, nothing acknowledged is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from participation.db import make_engine
from participation.roll_import import recover_stale_jobs, start_job
from participation.rolls import ImportJob, RollEntry
from tests.support.people import roll_csv

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


def test_an_import_killed_while_writing_leaves_no_rows(world, db_url: str, tmp_path: Path) -> None:
    rows = 150_000
    data = tmp_path / "roll.csv"
    data.write_text(roll_csv(rows), encoding="utf-8")
    engine = make_engine(db_url)
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions.begin() as s:
        job_id = start_job(s, "residents", "roll.csv", None).id
    script = textwrap.dedent(f"""
        from pathlib import Path
        from sqlalchemy.orm import sessionmaker
        from participation.db import make_engine
        from participation.roll_import import run_job
        engine = make_engine({db_url!r})
        run_job(sessionmaker(engine, expire_on_commit=False), {job_id},
                Path({str(data)!r}).read_bytes(), secret=b"s")
    """)
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while True:
            with Session(engine) as s:
                status = s.scalar(select(ImportJob.status).where(ImportJob.id == job_id))
            if status == "writing":
                break
            assert status in ("pending", "validating"), status
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    with Session(engine) as s:
        stored = s.scalar(select(func.count()).select_from(RollEntry))
        job = s.get(ImportJob, job_id)
        assert job is not None
    # Either the single write transaction committed whole, or not at all.
    assert stored in (0, rows)
    if stored == 0:
        assert job.status == "writing"  # the process died without a word...
        with sessions.begin() as s:
            assert recover_stale_jobs(s, job.updated_at + timedelta(minutes=5)) == 0
            assert recover_stale_jobs(s, job.updated_at + timedelta(minutes=11)) == 1
        with Session(engine) as s:
            recovered = s.get(ImportJob, job_id)
            assert recovered is not None and recovered.status == "failed"  # ...and is told
    engine.dispose()
