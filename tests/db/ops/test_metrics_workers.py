"""``gongzhi serve --workers 2``: a scrape of either worker counts both workers' requests."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import httpx

from tests.support.pg import free_port


def _count(body: str, route: str) -> float:
    labels = f'method="GET",route="{route}",status="200"'
    pattern = rf"^gongzhi_http_requests_total\{{{re.escape(labels)}\}} (\S+)$"
    return sum(float(m) for m in re.findall(pattern, body, flags=re.M))


def test_a_scrape_counts_every_workers_requests(sqlite_url: str) -> None:
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "GONGZHI_DATABASE_URL": sqlite_url,
        "GONGZHI_ENV": "test",
        "GONGZHI_BASE_URL": f"http://127.0.0.1:{port}",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "web.cli",
            "serve",
            "--workers",
            "2",
            "--port",
            str(port),
            "--quiet",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        for _ in range(40):  # a new connection each: the kernel spreads them over the workers
            assert httpx.get(f"{base}/readyz", timeout=30).status_code == 200
        scrapes = [httpx.get(f"{base}/metrics", timeout=30).text for _ in range(6)]
    finally:
        server.terminate()
        server.wait(timeout=60)
    assert [_count(body, "/readyz") for body in scrapes] == [40.0] * 6
