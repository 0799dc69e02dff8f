"""Resident requests filed per second through the HTTP intake form, on SQLite.

python bench/bench_intake.py [--quick] [--workers N] [--verbose]

The portal runs with 2 workers (``gongzhi serve --workers 2``) over a city of 10
streets, 100 communities and 1,000 grids with a routing rule; wrk keeps 32
connections busy, each request a valid filing (POST /requests/new with the CSRF
token of a signed session cookie made here with the portal's secret) by one of 2,000
residents, in a grid drawn for them. Afterwards the database must hold as many
requests as wrk saw accepted (303 to the page showing the number): nothing lost.

The same run first measures the bare Starlette "hello" app (bench/hello.py) under the
same wrk load: the ratio to it is the figure to compare between runs.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

from harness import BIN, PORTAL_ENV, ROOT, free_port, machine, server

sys.path.insert(0, str(ROOT))

from bench_cast import duration, figures, hello_baseline, wrk
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from participation.accounts import Account
from participation.areas import create_area
from participation.db import make_engine
from participation.requests import routing
from participation.requests.models import ResidentRequest
from participation.rules.areas import AreaKind
from tests.support.voters import SECRET, signed_in
from web.migrate import upgrade

PEOPLE = 2000


def prepare(url: str, people_file: Path) -> None:
    upgrade(url)
    engine = make_engine(url)
    rnd = random.Random(15)
    with Session(engine) as s, s.begin():
        city = create_area(s, code="B", name="基准市", kind=AreaKind.CITY, parent=None)
        district = create_area(s, code="B1", name="基准区", kind=AreaKind.DISTRICT, parent=city)
        grids = []
        for i in range(10):
            street = create_area(
                s, code=f"S{i}", name=f"街道{i}", kind=AreaKind.STREET, parent=district
            )
            for j in range(10):
                community = create_area(
                    s, code=f"C{i}.{j}", name=f"社区{i}.{j}", kind=AreaKind.COMMUNITY, parent=street
                )
                for k in range(10):
                    grid = create_area(
                        s,
                        code=f"G{i}.{j}.{k}",
                        name=f"网格{i}.{j}.{k}",
                        kind=AreaKind.GRID,
                        parent=community,
                    )
                    grids.append(grid.id)
        routing.add_rule(
            s, routing.NewRule("environment", district.id, "any", "community", None), None
        )
        s.execute(
            insert(Account),
            [
                {"username": f"r{n}", "display_name": f"r{n}", "password_hash": None}
                for n in range(PEOPLE)
            ],
        )
        ids = list(s.scalars(select(Account.id).order_by(Account.id)))
    engine.dispose()
    with people_file.open("w") as fh:
        for _account_id, cookie, token in signed_in(ids):
            fh.write(f"{cookie}\t{token}\t{rnd.choice(grids)}\n")


def stored(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as s:
        n = int(s.scalar(select(func.count()).select_from(ResidentRequest)) or 0)
    engine.dispose()
    return n


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--verbose", action="store_true", help="print wrk's whole report")
    args = parser.parse_args()
    seconds = 5 if args.quick else 10
    print(machine())
    with open("/proc/loadavg") as fh:
        print(f"load average before: {' '.join(fh.read().split()[:3])}")
    hello, hello_p50, hello_p99 = hello_baseline(seconds)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/intake.db"
        people = Path(tmp) / "people.txt"
        prepare(url, people)
        port = free_port()
        env = {
            **PORTAL_ENV,
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
        new_url = f"http://127.0.0.1:{port}/requests/new"
        lua = str(ROOT / "bench" / "intake.lua")
        with server(command, port, env):
            warm_total, warm_refused, _p50, _p99 = figures(wrk(new_url, 1, lua, str(people), "2"))
            out = wrk(new_url, seconds, lua, str(people), "2")
        if args.verbose:
            print(out)
        total, refused, p50, p99 = figures(out)
        requests = stored(url)
    accepted = total - refused
    rate = accepted / duration(out)
    print(f"load: wrk, 2 threads, 32 connections, {seconds} s each; one filing per request")
    print(f"bare Starlette hello (2 workers): {hello:.0f} req/s, p50 {hello_p50}, p99 {hello_p99}")
    print(
        f"filed requests ({args.workers} workers): {accepted} ({rate:.0f}/s, "
        f"{rate / hello:.3f} x hello), refused: {refused}, p50 {p50}, p99 {p99}"
    )
    # wrk stops counting at the deadline while up to 32 requests are still in flight;
    # the server finishes those, so the store may hold up to 32 more per wrk run.
    accepted_all = warm_total - warm_refused + accepted
    intact = accepted_all <= requests <= accepted_all + 64
    print(f"stored: {requests} requests ({'nothing lost' if intact else 'MISMATCH'})")
    return 0 if intact else 1


if __name__ == "__main__":
    sys.exit(main())
