"""Shared pieces of the benchmarks: the machine, servers on loopback, wrk runs."""

from __future__ import annotations

import cProfile
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


#: What every measured portal process runs with, as deploy/gongzhi.env runs it: the
#: production environment (templates compiled once and never checked for edits, static
#: files hashed once at start), not the development default that re-reads both on
#: every page. Each bench adds its database and base URL (and may set its own secret
#: key, with which it signs the session cookies it sends).
PORTAL_ENV = {
    "GONGZHI_ENV": "production",
    "GONGZHI_SECRET_KEY": "bench-secret-key-bench-secret-key-bench-secret-0123",
    "GONGZHI_ID_HASH_KEY": "bench-id-hash-key-bench-id-hash-key-bench-0123",
}


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"machine: {os.cpu_count()} CPUs ({model}), {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_average() -> str:
    with open("/proc/loadavg") as fh:
        return " ".join(fh.read().split()[:3])


@contextmanager
def server(
    command: Sequence[str],
    port: int,
    env: dict[str, str] | None = None,
    cwd: Path = ROOT,
    start_within: float = 300,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start a server in its own process group (``start_within`` seconds at most for it to
    listen); always stop the whole group."""
    process = subprocess.Popen(
        list(command),
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        cwd=cwd,
    )
    try:
        # A guard only: a loaded machine starts workers slowly.
        deadline = time.monotonic() + start_within
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"server did not start: {' '.join(command)}") from None
                time.sleep(0.1)
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@dataclass(frozen=True)
class Load:
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def ab(
    url: str,
    *,
    requests: int,
    seconds: int,
    connections: int = 32,
    varying: bool = False,
    cookie: str | None = None,
) -> Load:
    """Bounded load with ApacheBench: ``requests`` requests, or ``seconds`` at most.
    ``varying``: the page's length may change between requests (ab -l), which ab
    would otherwise count as failed requests; ``cookie`` ("name=value") is sent with
    each request."""
    if shutil.which("ab") is None:
        raise SystemExit("ab is needed: apt-get install apache2-utils (make bench installs it)")
    # -t before -n: -t alone would imply 50,000 requests; -n after it sets the count.
    out = subprocess.run(
        [
            "ab",
            "-q",
            *(["-l"] if varying else []),
            *("-t", str(seconds), "-n", str(requests), "-c", str(connections)),
            *(["-C", cookie] if cookie else []),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    if "Requests per second" not in out:
        raise RuntimeError(f"ab {url}: no figures in its report:\n{out}")
    done = int(re.search(r"Complete requests:\s+(\d+)", out).group(1))  # type: ignore[union-attr]
    failed = int(re.search(r"Failed requests:\s+(\d+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    rps = float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = float(re.search(r"\n\s+50%\s+(\d+)", out).group(1))  # type: ignore[union-attr]
    p99 = float(re.search(r"\n\s+99%\s+(\d+)", out).group(1))  # type: ignore[union-attr]
    return Load(done, rps, p50, p99, failed + (int(non2xx.group(1)) if non2xx else 0))


def row(name: str, load: Load, baseline: Load | None) -> str:
    ratio = f"{load.rps / baseline.rps:6.2f}" if baseline else "  1.00"
    return (
        f"{name:<28} {load.requests:>8} {load.rps:>10.0f} {load.p50_ms:>8.1f} "
        f"{load.p99_ms:>8.1f} {ratio:>8} {load.errors:>6}"
    )


HEADER = (
    f"{'endpoint':<28} {'requests':>8} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} "
    f"{'vs hello':>8} {'non2xx':>6}"
)


async def post_form(app: Any, path: str, body: bytes, cookie: str) -> int:
    """POST a form straight into the ASGI ``app`` as a signed-in browser would, with
    no client or socket in between (the in-process profiles); returns the status."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
            (b"cookie", f"gongzhi_session={cookie}".encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def timed_posts(
    post: Callable[[str, str], Awaitable[int]],
    sessions: Iterable[tuple[str, str]],
    *,
    statuses: Counter[int],
    log: Any,
    profiler: cProfile.Profile | None,
) -> tuple[float, float]:
    """Post once for each (cookie, CSRF token), one after another, counting the
    statuses; CPU and wall seconds of the whole run. ``log.last`` is emptied before
    each post, so it holds the last request's statements; ``profiler``, when given,
    runs only around the posts."""
    cpu = time.process_time()
    wall = time.perf_counter()
    for cookie, token in sessions:
        log.last = []
        if profiler is not None:
            profiler.enable()
        status = await post(cookie, token)
        if profiler is not None:
            profiler.disable()
        statuses[status] += 1
    return time.process_time() - cpu, time.perf_counter() - wall


def portal_command(workers: int, port: int) -> list[str]:
    """``gongzhi serve`` of the code in the working directory the server starts in
    (bench/serve.py: that directory comes first on the import path, so a previous
    release unpacked elsewhere serves its own code)."""
    return [sys.executable, str(ROOT / "bench" / "serve.py"), str(workers), str(port)]


@contextmanager
def code_trees(previous: str | None) -> Iterator[list[tuple[str, Path]]]:
    """("this code", ROOT), and with ``previous`` (a git ref) that commit's tree
    unpacked (``git archive``) into a temporary folder, removed afterwards."""
    trees = [("this code", ROOT)]
    if previous is None:
        yield trees
        return
    folder = Path(tempfile.mkdtemp(prefix="gongzhi-previous-"))
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", previous], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", previous],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        yield [*trees, (f"{previous} ({commit})", folder)]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class Databases:
    """Empty databases by name: SQLite files in a temporary folder, and PostgreSQL
    ones on a throwaway cluster (tests/support/pg.py, Debian's postgresql),
    started on first use and removed by :meth:`close`."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="gongzhi-bench-"))
        self.cluster: Any = None

    def url(self, kind: str, name: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{self.folder}/{name}.db"
        from sqlalchemy import create_engine, text

        if self.cluster is None:
            sys.path.insert(0, str(ROOT))
            from tests.support.pg import start_cluster

            self.cluster = start_cluster()
        admin = create_engine(self.cluster.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
        url: str = self.cluster.url(name)
        return url

    def close(self) -> None:
        if self.cluster is not None:
            self.cluster.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
