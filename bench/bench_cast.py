"""Ballots accepted per second through the HTTP cast endpoint, on SQLite (and PostgreSQL).

python bench/bench_cast.py [--quick] [--workers N] [--pg] [--previous REF] [--verbose]

``--pg`` measures on a throwaway PostgreSQL cluster too; ``--previous REF`` serves
the code of a git ref (unpacked with ``git archive``) the same way, next to this
code, each on a database of its own. The portal runs with 2 workers by default;
wrk keeps 32 connections busy, each request casting one ballot as a different
verified voter (signed session cookies made here with the portal's secret).
Afterwards the database must hold exactly as many ballots and participations as
requests were accepted: nothing lost.

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

from harness import (
    BIN,
    KINDS,
    PORTAL_ENV,
    ROOT,
    Databases,
    code_trees,
    free_port,
    load_average,
    machine,
    portal_command,
    server,
)

sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.ballots.models import Participation
from participation.db import make_engine
from tests.support.voters import SECRET, prepare_voters, stored_ballots

WARM_UP_VOTERS = 1000


def prepare(url: str, voters: int, warm_up_file: Path, cookie_file: Path) -> int:
    """Voters for a short warm-up (each worker's first casts read the box and
    compile statements), then the measured voters: nobody casts twice."""
    box_id, people = prepare_voters(url, WARM_UP_VOTERS + voters)
    for path, group in (
        (warm_up_file, people[:WARM_UP_VOTERS]),
        (cookie_file, people[WARM_UP_VOTERS:]),
    ):
        with path.open("w") as fh:
            for _account_id, cookie, token in group:
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
    total = int(re.search(r"(\d+) requests in ", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)  # type: ignore[union-attr]
    return total, int(bad.group(1)) if bad else 0, p50, p99


def duration(out: str) -> float:
    """wrk's own measured duration (a little over the -d it was given)."""
    found = re.search(r"requests in ([\d.]+)(m?s)", out)
    assert found is not None
    return float(found.group(1)) / (1000 if found.group(2) == "ms" else 1)


def hello_baseline(seconds: int) -> tuple[float, str, str]:
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
        out = wrk(f"http://127.0.0.1:{port}/", seconds)
    total, _refused, p50, p99 = figures(out)
    return total / duration(out), p50, p99


def cast_run(
    url: str, tree: Path, workers: int, seconds: int, voters: int, verbose: bool
) -> tuple[str, bool]:
    """Prepare ``voters`` in a new database, serve it with the code in ``tree`` and
    cast for ``seconds``; a table row and whether every accepted ballot is stored."""
    with tempfile.TemporaryDirectory() as tmp:
        cookies, warm_up = Path(tmp) / "voters.txt", Path(tmp) / "warm-up.txt"
        box_id = prepare(url, voters, warm_up, cookies)
        port = free_port()
        env = {
            **PORTAL_ENV,
            "GONGZHI_DATABASE_URL": url,
            "GONGZHI_SECRET_KEY": SECRET,
            "GONGZHI_BASE_URL": f"http://127.0.0.1:{port}",
        }
        cast_url = f"http://127.0.0.1:{port}/ballots/{box_id}/cast"
        lua = str(ROOT / "bench" / "cast.lua")
        with server(portal_command(workers, port), port, env, cwd=tree):
            warm_total, warm_refused, _p50, _p99 = figures(wrk(cast_url, 1, lua, str(warm_up), "2"))
            out = wrk(cast_url, seconds, lua, str(cookies), "2")
    if verbose:
        print(out)
    total, refused, p50, p99 = figures(out)
    engine = make_engine(url)
    with Session(engine) as s:
        ballots = stored_ballots(s)  # opened in batches, or still sealed
        participations = s.scalar(select(func.count()).select_from(Participation))
    engine.dispose()
    accepted = total - refused
    # wrk stops counting at the deadline while up to 32 requests are still in
    # flight; the server finishes those, so the store may hold up to 32 more
    # per wrk run (warm-up and measured).
    accepted_all = warm_total - warm_refused + accepted
    intact = ballots == participations and accepted_all <= (ballots or 0) <= accepted_all + 64
    rate = accepted / duration(out)
    stored = f"{ballots} stored, {'nothing lost' if intact else 'MISMATCH'}"
    return f"{accepted:>9} {rate:>9.0f} {p50:>8} {p99:>8} {refused:>8}  {stored}", intact


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--pg", action="store_true", help="PostgreSQL too (a throwaway cluster), after SQLite"
    )
    parser.add_argument(
        "--previous", metavar="REF", help="the code of this git ref too, served the same way"
    )
    parser.add_argument("--verbose", action="store_true", help="print wrk's whole report")
    args = parser.parse_args()
    seconds = 5 if args.quick else 10
    voters = 15000 if args.quick else 30000
    print(machine())
    print(f"load average before: {load_average()}")
    hello, hello_p50, hello_p99 = hello_baseline(seconds)
    print(f"load: wrk, 2 threads, 32 connections, {seconds} s each; one new voter per cast")
    print(f"bare Starlette hello (2 workers): {hello:.0f} req/s, p50 {hello_p50}, p99 {hello_p99}")
    print(f"ballots accepted through POST /ballots/{{id}}/cast, {args.workers} workers:")
    print(
        f"{'database':<11} {'code':<20} {'accepted':>9} {'per s':>9} {'p50':>8} {'p99':>8} "
        f"{'refused':>8}  store"
    )
    databases = Databases()
    intact = True
    try:
        with code_trees(args.previous) as trees:
            for kind in ["sqlite", *(["postgresql"] if args.pg else [])]:
                for n, (label, tree) in enumerate(trees):
                    url = databases.url(kind, f"cast_{kind}_{n}")
                    line, ok = cast_run(url, tree, args.workers, seconds, voters, args.verbose)
                    print(f"{KINDS[kind]:<11} {label:<20} {line}", flush=True)
                    intact = intact and ok
    finally:
        databases.close()
    print(f"load average after: {load_average()}")
    return 0 if intact else 1


if __name__ == "__main__":
    sys.exit(main())
