"""``gongzhi serve --workers 2`` serves even when each worker takes longer to start
than uvicorn's 5 s health check (a loaded host): it used to kill and restart the
workers forever (web.cli.WORKER_HEALTH_SECONDS)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.pg import free_port

#: Seconds each worker process sleeps before it imports anything: past uvicorn's
#: default of 5 s, well within WORKER_HEALTH_SECONDS.
SLOW_START = 8

# Loaded by every Python process started with this folder on PYTHONPATH; only the
# workers (multiprocessing's spawned children) sleep, so the parent starts at once.
SITECUSTOMIZE = f"""
import sys, time
if "--multiprocessing-fork" in sys.argv:
    time.sleep({SLOW_START})
"""


def test_workers_slower_to_start_than_five_seconds_still_serve(
    sqlite_url: str, tmp_path: Path
) -> None:
    (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE)
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(tmp_path),
        "GONGZHI_DATABASE_URL": sqlite_url,
        "GONGZHI_ENV": "test",
        "GONGZHI_BASE_URL": f"http://127.0.0.1:{port}",
    }
    command = [sys.executable, "-m", "web.cli", "serve", "--workers", "2", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300  # a guard only: the workers start in SLOW_START
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, "the server stopped"
            assert time.monotonic() < deadline, "no worker ever served"
            time.sleep(0.2)
    finally:
        server.terminate()
        log = server.communicate(timeout=60)[0].decode()
    assert "died" not in log, log  # no worker was killed for being slow
