"""Ballots accepted per second through the HTTP cast endpoint, on SQLite.

python bench/bench_cast.py [--quick] [--workers N]

The portal runs with 2 workers; wrk keeps 32 connections busy, each request
casting one ballot as a different verified voter (signed session cookies made
here with the portal's secret). Afterwards the database must hold exactly as
many ballots and participations as requests were accepted: nothing lost.

The machine is shared and its load varies, so the same run first measures a
bare Starlette "hello" app under the same wrk load (2 workers): the ratio to it
is the figure to compare between runs.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import BIN, ROOT, free_port, machine, server

sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.ballots.models import CastBallot, Participation
from participation.db import make_engine
from tests.support.voters import SECRET, prepare_voters


def prepare(url: str, voters: int, cookie_file: Path) -> int:
    box_id, people = prepare_voters(url, voters)
    with cookie_file.open("w") as fh:
        for _account_id, cookie, token in people:
            fh.write(f"{cookie}\t{token}\n")
    return box_id


def wrk(url: str, seconds: int, *script: str) -> str:
    """wrk with 2 threads and 32 connections; ``script`` is the Lua file and its arguments."""
    lua = ["-s", script[0]] if script else []
    extra = ["--", *script[1:]] if script else []
    return subprocess.run(
        ["wrk", "-t", "2", "-c", "32", "-d", f"{seconds}s", "--latency", *lua, url, *extra],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout


def figures(out: str) -> tuple[int, int, str, str]:
    """Requests, refused (non-2xx/3xx), p50 and p99 from wrk's report."""
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p50 = re.search(r"50%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    return total, int(bad.group(1)) if bad else 0, p50, p99


def hello_baseline(seconds: int) -> tuple[int, str, str]:
    port = free_port()
    command = [
        str(BIN / "uvicorn"),
        "hello:app",
        "--app-dir",
        str(ROOT / "bench"),
        "--workers",
        "2",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    with server(command, port):
        wrk(f"http://127.0.0.1:{port}/", 1)  # warm up
        total, _refused, p50, p99 = figures(wrk(f"http://127.0.0.1:{port}/", seconds))
    return total, p50, p99


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    seconds = 5 if args.quick else 10
    voters = 15000 if args.quick else 30000
    print(machine())
    with open("/proc/loadavg") as fh:
        print(f"load average before: {' '.join(fh.read().split()[:3])}")
    hello, hello_p50, hello_p99 = hello_baseline(seconds)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/cast.db"
        cookies = Path(tmp) / "voters.txt"
        box_id = prepare(url, voters, cookies)
        port = free_port()
        env = {
            "GONGZHI_DATABASE_URL": url,
            "GONGZHI_SECRET_KEY": SECRET,
            "GONGZHI_BASE_URL": f"http://127.0.0.1:{port}",
        }
        command = [
            str(BIN / "gongzhi"),
            "serve",
            "--workers",
            str(args.workers),
            "--port",
            str(port),
            "--quiet",
        ]
        with server(command, port, env):
            out = wrk(
                f"http://127.0.0.1:{port}/ballots/{box_id}/cast",
                seconds,
                str(ROOT / "bench" / "cast.lua"),
                str(cookies),
                "2",
            )
        total, refused, p50, p99 = figures(out)
        engine = make_engine(url)
        with Session(engine) as s:
            ballots = s.scalar(select(func.count()).select_from(CastBallot))
            participations = s.scalar(select(func.count()).select_from(Participation))
        engine.dispose()
    accepted = total - refused
    print(f"load: wrk, 2 threads, 32 connections, {seconds} s each; one new voter per cast")
    print(
        f"bare Starlette hello (2 workers): {hello / seconds:.0f} req/s, "
        f"p50 {hello_p50}, p99 {hello_p99}"
    )
    print(
        f"accepted ballots ({args.workers} workers): {accepted} ({accepted / seconds:.0f}/s, "
        f"{accepted / hello:.3f} x hello), refused: {refused}, p50 {p50}, p99 {p99}"
    )
    # wrk stops counting at the deadline while up to 32 requests are still in
    # flight; the server finishes those, so the store may hold up to 32 more.
    intact = ballots == participations and accepted <= (ballots or 0) <= accepted + 32
    print(
        f"stored: {ballots} ballots, {participations} participations "
        f"({'nothing lost' if intact else 'MISMATCH'})"
    )
    return 0 if intact else 1


if __name__ == "__main__":
    sys.exit(main())
