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

from participation.db import READ_ONLY, make_engine
from participation.roll_import import recover_stale_jobs, start_job
from participation.rolls import ImportJob, RollEntry
from tests.support.people import roll_csv
from tests.support.servers import HANG_GUARD_SECONDS, wait_until_serving
from tests.support.world import World

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


def test_an_import_killed_while_writing_leaves_no_rows(
    world: World, db_url: str, tmp_path: Path
) -> None:
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
        deadline = time.monotonic() + HANG_GUARD_SECONDS
        while True:
            with Session(engine) as s:
                # A read transaction: a plain one would queue behind the import's write
                # lock on SQLite and only see the job again once it is done.
                s.connection(execution_options={READ_ONLY: True})
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


def _kill_mid_stream(
    db_url: str, people: list[tuple[int, str, str]], path: str, form: str, enough: int
) -> list[int]:
    """Serve the portal (2 workers) and post ``form`` to ``path`` as each person,
    from 8 threads; kill -9 the whole server once ``enough`` posts have been
    acknowledged (303). Returns the accounts whose posts were acknowledged."""
    import threading

    import httpx

    from tests.support.pg import free_port
    from tests.support.voters import SECRET

    port = free_port()
    env = os.environ | {
        "GONGZHI_DATABASE_URL": db_url,
        "GONGZHI_SECRET_KEY": SECRET,
        "GONGZHI_ENV": "test",
        "GONGZHI_BASE_URL": f"http://127.0.0.1:{port}",
    }
    command = [sys.executable, "-m", "web.cli", "serve", "--workers", "2"]
    command += ["--port", str(port), "--quiet"]
    server = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    acknowledged: list[int] = []
    lock = threading.Lock()

    def poster(chunk: list[tuple[int, str, str]]) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            for account_id, cookie, token in chunk:
                try:
                    response = client.post(
                        path,
                        content=f"csrf_token={token}{form}",
                        headers={
                            "Cookie": f"gongzhi_session={cookie}",
                            "Content-Type": "application/x-www-form-urlencoded",
                        },
                    )
                except httpx.HTTPError:
                    return  # the server is gone
                if response.status_code == 303:
                    with lock:
                        acknowledged.append(account_id)

    try:
        wait_until_serving(f"http://127.0.0.1:{port}/healthz", server)
        threads = [threading.Thread(target=poster, args=(people[n::8],)) for n in range(8)]
        for t in threads:
            t.start()
        while len(acknowledged) < enough:
            time.sleep(0.01)
        os.killpg(server.pid, signal.SIGKILL)
        for t in threads:
            t.join(timeout=30)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
    assert len(acknowledged) < len(people)  # the kill really came mid-stream
    return acknowledged


def test_a_server_killed_during_voting_loses_no_acknowledged_ballot(db_url: str) -> None:
    """Voters cast through the real server; it is killed mid-stream.

    Every ballot the server acknowledged (303) must be stored, and ballots and
    participations must still pair up one to one.
    """
    from participation import sealing
    from participation.ballots.models import CastBallot, Participation
    from tests.support.voters import SECRET, open_sealed, prepare_voters, stored_ballots

    box_id, people = prepare_voters(db_url, 400)
    acknowledged = _kill_mid_stream(db_url, people, f"/ballots/{box_id}/cast", "&item=1", 60)
    engine = make_engine(db_url)
    with Session(engine) as s:
        voters = set(s.scalars(select(Participation.voter_key)))
        ballots = stored_ballots(s)
    assert {f"account:{a}" for a in acknowledged} <= voters
    assert ballots == len(voters)
    # Those still sealed open with the server's key, as publication will.
    sealing.use_secret(SECRET)
    with Session(engine) as s, s.begin():
        open_sealed(s)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(CastBallot)) == len(voters)
    engine.dispose()


def test_a_server_killed_during_sign_ups_loses_no_acknowledged_place(db_url: str) -> None:
    """People sign up for a 40-place shift through the real server; it is killed
    mid-stream. Every acknowledged sign-up is stored; the shift's counters agree
    with its rows; arrivals run 1..n without gaps; the confirmed are exactly the
    first 40 arrivals (or all, when fewer came)."""
    from tests.support.volunteering import prepare_volunteers
    from tests.support.voters import signed_in
    from volunteers.models import Shift, SignUp

    shift_id, ids = prepare_volunteers(db_url, 300, 40)
    path = f"/volunteers/shifts/{shift_id}/signup"
    acknowledged = _kill_mid_stream(db_url, signed_in(ids), path, "", 60)
    engine = make_engine(db_url)
    with Session(engine) as s:
        rows = s.execute(select(SignUp.account_id, SignUp.arrival, SignUp.status)).all()
        shift = s.get(Shift, shift_id)
        assert shift is not None
        arrivals, confirmed_count = shift.arrivals, shift.confirmed
    engine.dispose()
    assert set(acknowledged) <= {r.account_id for r in rows}
    assert sorted(r.arrival for r in rows) == list(range(1, len(rows) + 1)) and arrivals == len(
        rows
    )
    confirmed = sorted(r.arrival for r in rows if r.status == "confirmed")
    assert confirmed == list(range(1, min(40, len(rows)) + 1)) and confirmed_count == len(confirmed)
    assert all(r.status == "waitlisted" for r in rows if r.arrival > 40)
