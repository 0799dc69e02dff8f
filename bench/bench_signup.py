"""The 1,000-for-100 burst: 1,000 people sign up for a 100-place shift at once,
through HTTP (POST /volunteers/shifts/{id}/signup), on SQLite with 2 workers.

python bench/bench_signup.py [--people N] [--capacity C] [--workers W] [--connections C]
                             [--pg] [--previous REF]

``--pg`` runs the burst on a throwaway PostgreSQL cluster too; ``--previous REF``
serves the code of a git ref (unpacked with ``git archive``) the same way, next to
this code, each on a database of its own.

wrk (bench/signup.lua) sends the posts, each as a different signed-in person,
on 32 connections; a client written in C leaves the two cores to the server.
Reports the time from the first request to the last sign-up answered, the same
burst against a bare Starlette app as the baseline, and the outcome, then
checks the store: exactly ``capacity`` confirmed, everyone else waitlisted,
arrival order 1..N without gaps, nobody lost or signed up twice.
"""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
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

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.db import make_engine
from tests.support.volunteering import prepare_volunteers
from tests.support.voters import signed_in
from volunteers.models import Shift, SignUp

OUTCOME = "first arrivals confirmed, the rest waitlisted in order, nobody lost"
SECRET = "bench-secret-key-bench-secret-key-0123456789"


def prepare(url: str, people: int, capacity: int) -> tuple[int, list[tuple[str, str]]]:
    """The shift and, per person, a signed-in session cookie and its CSRF token."""
    shift_id, ids = prepare_volunteers(url, people, capacity)
    return shift_id, [(cookie, token) for _id, cookie, token in signed_in(ids, SECRET)]


def burst(
    url: str, people_file: Path, connections: int, filler: str = "/static/img/favicon.svg"
) -> tuple[float, int, str]:
    """Send every sign-up as fast as ``connections`` connections allow (wrk with 2
    threads, bench/signup.lua). Returns the burst's time from the first request
    to the last answer, the number of non-303 answers, and wrk's report."""
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", "300s", "--latency"]
    command += ["-s", str(ROOT / "bench" / "signup.lua"), url, "--"]
    command += [str(people_file), "2", filler]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    lines = []
    for line in process.stdout:  # both threads say "finished"; then stop wrk
        lines.append(line)
        if sum(seen == "finished\n" for seen in lines) == 2:
            process.send_signal(signal.SIGINT)
            break
    lines += process.stdout.readlines()
    process.wait(timeout=30)
    out = "".join(lines)
    elapsed = re.search(r"^burst ([\d.]+)$", out, re.M)
    refused = re.search(r"^answered \d+ refused (\d+)$", out, re.M)
    if elapsed is None or refused is None:
        raise RuntimeError(f"unexpected wrk report:\n{out}")
    return float(elapsed[1]), int(refused[1]), out


def hello_burst(people_file: Path, connections: int) -> float:
    """The same burst against a bare Starlette app that answers each post with
    303 (2 uvicorn workers): the baseline the sign-up burst is a multiple of."""
    port = free_port()
    command = [str(BIN / "uvicorn"), "hello:app", "--app-dir", str(ROOT / "bench")]
    command += ["--workers", "2", "--port", str(port), "--log-level", "warning"]
    command += ["--no-access-log"]
    with server(command, port):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=30)
        elapsed, _refused, _report = burst(
            f"http://127.0.0.1:{port}/form", people_file, connections, filler="/"
        )
    return elapsed


def signup_run(
    url: str, tree: Path, args: argparse.Namespace, folder: Path
) -> tuple[float, bool, Path, str]:
    """Prepare the shift in a new database, serve it with the code in ``tree`` and
    send the burst; seconds, whether the store is intact, the people file and wrk's
    report (with the outcome)."""
    shift_id, sessions = prepare(url, args.people, args.capacity)
    port = free_port()
    env = {
        **PORTAL_ENV,
        "GONGZHI_DATABASE_URL": url,
        "GONGZHI_SECRET_KEY": SECRET,
        "GONGZHI_BASE_URL": f"http://127.0.0.1:{port}",
    }
    people_file = folder / f"people-{port}.txt"
    people_file.write_text("".join(f"{c}\t{t}\n" for c, t in sessions))
    with server(portal_command(args.workers, port), port, env, cwd=tree):
        base = f"http://127.0.0.1:{port}"
        # Warm the workers (imports, templates, first connections) before timing.
        for _ in range(2 * args.workers):
            httpx.get(f"{base}/volunteers/shifts/{shift_id}", timeout=30)
        elapsed, refused, report = burst(
            f"{base}/volunteers/shifts/{shift_id}/signup", people_file, args.connections
        )
    engine = make_engine(url)
    with Session(engine) as s:
        rows = s.execute(select(SignUp.arrival, SignUp.status, SignUp.account_id)).all()
        shift = s.get(Shift, shift_id)
        assert shift is not None
        confirmed_counter = shift.confirmed
    engine.dispose()
    outcome = Counter(r.status for r in rows)
    intact = (
        outcome["confirmed"] == args.capacity == confirmed_counter
        and outcome["waitlisted"] == args.people - args.capacity
        and sorted(r.arrival for r in rows) == list(range(1, args.people + 1))
        and len({r.account_id for r in rows}) == args.people
        and refused == 0
        and sorted(r.arrival for r in rows if r.status == "confirmed")
        == list(range(1, args.capacity + 1))
    )
    told = f"stored: {dict(outcome)}; shift.confirmed = {confirmed_counter}; refused {refused}"
    return elapsed, intact, people_file, (report if args.verbose else "") + told


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--capacity", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--pg", action="store_true", help="PostgreSQL too (a throwaway cluster), after SQLite"
    )
    parser.add_argument(
        "--previous", metavar="REF", help="the code of this git ref too, served the same way"
    )
    parser.add_argument("--verbose", action="store_true", help="print wrk's whole report")
    args = parser.parse_args()
    print(machine())
    print(f"load average before: {load_average()}")
    print(
        f"burst: {args.people} concurrent sign-ups for {args.capacity} places through HTTP, "
        f"{args.connections} connections, {args.workers} workers"
    )
    databases = Databases()
    intact = True
    people_file: Path | None = None
    try:
        with code_trees(args.previous) as trees:
            for kind in ["sqlite", *(["postgresql"] if args.pg else [])]:
                for n, (label, tree) in enumerate(trees):
                    url = databases.url(kind, f"signup_{kind}_{n}")
                    elapsed, ok, people_file, told = signup_run(url, tree, args, databases.folder)
                    verdict = OUTCOME if ok else "MISMATCH"
                    print(
                        f"{KINDS[kind]:<11} {label:<20} {elapsed:6.2f} s "
                        f"({args.people / elapsed:5.0f}/s); {verdict}",
                        flush=True,
                    )
                    if args.verbose or not ok:
                        print(told)
                    intact = intact and ok
        assert people_file is not None
        baseline = hello_burst(people_file, args.connections)
    finally:
        databases.close()
    print(
        f"baseline: the same burst of posts to a bare Starlette app answering 303 "
        f"(2 workers): {baseline:.2f} s"
    )
    print(f"load average after: {load_average()}")
    return 0 if intact else 1


if __name__ == "__main__":
    sys.exit(main())
