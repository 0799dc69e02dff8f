"""A request blocked in PostgreSQL does not hold up the other requests of its worker.

The real server with one worker process: the test takes a lock that one request
needs, sees in ``pg_locks`` that the request is waiting for it, and asks for
another page. Database calls are synchronous; were they made on the event loop
(the code before web/kit/request_threads.py), the worker could answer nothing
until the lock was released. No timing decides the outcome: the second page
must be answered while the first is still seen waiting in the database (the
wait for it is only a hang guard; ``GONGZHI_HANG_GUARD_SECONDS`` shortens it to
watch the test fail on code that blocks the loop).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection

from tests.support.pg import Cluster, free_port
from tests.support.queries import RENDER_ANEW
from tests.support.servers import HANG_GUARD_SECONDS, wait_until_serving

pytestmark = pytest.mark.pg

ROOT = Path(__file__).resolve().parents[3]
GUARD = float(os.environ.get("GONGZHI_HANG_GUARD_SECONDS", HANG_GUARD_SECONDS))


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> str:
    name = "event_loop_free"
    admin = create_engine(pg_cluster.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE gongzhi_template"))
    admin.dispose()
    return pg_cluster.url(name)


@pytest.fixture
def one_worker(pg_url: str) -> Iterator[str]:
    port = free_port()
    env = os.environ | {
        "GONGZHI_DATABASE_URL": pg_url,
        "GONGZHI_ENV": "test",
        "GONGZHI_BASE_URL": f"http://127.0.0.1:{port}",
    }
    command = [sys.executable, "-m", "web.cli", "serve", "--workers", "1", "--port", str(port)]
    server = subprocess.Popen([*command, "--quiet"], cwd=ROOT, env=env, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(f"{base}/healthz", server)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=20)


def waiting_on(conn: Connection, table: str) -> int:
    """Backends waiting for a lock on ``table`` (not granted)."""
    count: int = conn.execute(
        text("SELECT count(*) FROM pg_locks WHERE relation = CAST(:t AS regclass) AND NOT granted"),
        {"t": table},
    ).scalar_one()
    return count


def test_a_request_waiting_on_a_lock_leaves_the_worker_free(pg_url: str, one_worker: str) -> None:
    engine = create_engine(pg_url)
    watcher = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    holder = engine.connect()
    answers: dict[str, int] = {}
    try:
        with httpx.Client(base_url=one_worker, timeout=GUARD) as client:
            # Both pages once, so that nothing waits for a first import or template.
            assert client.get("/plan").status_code == 200
            assert client.get("/areas").status_code == 200
        holder.execute(text("LOCK TABLE plan_items IN ACCESS EXCLUSIVE MODE"))

        def blocked() -> None:
            # Rendered, not shown again from the page cache: it must reach the lock.
            page = httpx.get(f"{one_worker}/plan", headers=RENDER_ANEW, timeout=None)
            answers["/plan"] = page.status_code

        first = threading.Thread(target=blocked)
        first.start()
        guard = time.monotonic() + GUARD
        while waiting_on(watcher, "plan_items") == 0:  # the request now waits in PostgreSQL
            assert time.monotonic() < guard, "the first request never reached the lock"
            time.sleep(0.05)

        try:
            second = httpx.get(f"{one_worker}/areas", timeout=GUARD)
        except httpx.TimeoutException:
            pytest.fail("the worker answered nothing while one request waited in the database")
        assert second.status_code == 200
        assert "/plan" not in answers and waiting_on(watcher, "plan_items") == 1
    finally:
        holder.rollback()  # the lock goes: the first request goes on
        holder.close()
    first.join(timeout=GUARD)
    assert answers == {"/plan": 200}
    watcher.close()
    engine.dispose()
