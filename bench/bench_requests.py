"""The public board, a unit's queue and the hotspot page of resident requests with many
requests: best-of-N time per answer in process, next to a bare Starlette page answered
through the same kind of client in the same run.

    .venv/bin/python bench/bench_requests.py [--requests 100000] [--repeat 5]
    .venv/bin/python bench/bench_requests.py --pg [--requests 1000000]

``--pg`` starts a throwaway PostgreSQL cluster (tests/support/pg.py, Debian's
postgresql) and seeds 1,000,000 requests unless ``--requests`` says otherwise; the
default is SQLite with 100,000. Seeding is bulk INSERTs of plain rows (one district, 10
streets, 100 communities, 1,000 grids, 300 units, a year of filing; requests filed
more than 45 days ago are closed, as a working city's are), then ANALYZE.

Timed: the worker's requests-figures job once (units' rates and the summary tables of
counts, requests.counts), then the board, one community's board and the hotspot page
through Starlette's test client, anonymous, reading those tables; one page (30 rows)
of a unit's queue as the back office asks for it (queues.queue, keyset by id), the
first and the one after 600 rows; the overdue sweep (requests-supervise) twice: the
first run issues every notice the backlog calls for, the next night's run only what
one more day of lateness adds.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from bench.harness import machine
from bench.hello import app as hello_app
from participation.areas import Area, create_area
from participation.db import make_engine
from participation.requests import board, counts, queues, supervision
from participation.requests.models import HandlingUnit, ResidentRequest
from participation.requests.rules.catalog import CATEGORIES, CHANNELS, OPEN_STATUSES
from participation.rules.areas import AreaKind
from web.app import create_app
from web.migrate import upgrade
from web.settings import Settings

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
STATUSES = ["routed", "accepted", "proposed", "closed", "closed", "closed", "closed"]
RATINGS = ["", "", "satisfied", "basic", "dissatisfied"]


def seed(url: str, n: int) -> str:
    """Seed ``n`` requests; returns the path of the community whose queue is timed."""
    upgrade(url)
    engine = make_engine(url)
    rnd = random.Random(15)
    with Session(engine) as s, s.begin():
        city = create_area(s, code="B", name="基准市", kind=AreaKind.CITY, parent=None)
        district = create_area(s, code="B1", name="基准区", kind=AreaKind.DISTRICT, parent=city)
        grids: list[int] = []
        communities: list[Area] = []
        for i in range(10):
            street = create_area(
                s, code=f"S{i}", name=f"街道{i}", kind=AreaKind.STREET, parent=district
            )
            for j in range(10):
                community = create_area(
                    s, code=f"C{i}.{j}", name=f"社区{i}.{j}", kind=AreaKind.COMMUNITY, parent=street
                )
                communities.append(community)
                for k in range(10):
                    grid = create_area(
                        s,
                        code=f"G{i}.{j}.{k}",
                        name=f"网格{i}.{j}.{k}",
                        kind=AreaKind.GRID,
                        parent=community,
                    )
                    grids.append(grid.id)
        units = []
        for u, community in enumerate(communities * 3):
            unit = HandlingUnit(kind="community", name=f"单位{u}", area_id=community.id)
            s.add(unit)
            s.flush()
            units.append(unit.id)
        target = communities[0].path
    categories, channels = list(CATEGORIES), list(CHANNELS)
    batch = []
    started = time.perf_counter()
    with engine.begin() as conn:
        for i in range(n):
            filed = NOW - timedelta(minutes=rnd.randrange(365 * 24 * 60))
            status = rnd.choice(STATUSES)
            if filed < NOW - timedelta(days=45):
                status = "closed"
            accepted = filed + timedelta(hours=rnd.randrange(1, 96)) if status != "routed" else None
            closed = filed + timedelta(days=rnd.randrange(1, 30)) if status == "closed" else None
            day = filed.date()
            batch.append(
                {
                    "number": f"B{i:010d}",
                    "secret_hash": "x" * 64,
                    "category": rnd.choice(categories),
                    "channel": rnd.choice(channels),
                    "description": "基准诉求",
                    "area_id": rnd.choice(grids),
                    "status": status,
                    "unit_id": rnd.choice(units),
                    "filed_at": filed,
                    "routed_at": filed,
                    "accept_due": day + timedelta(days=2),
                    "resolve_due": day + timedelta(days=15),
                    "accepted_at": accepted,
                    "closed_at": closed,
                    "closure": "confirmed" if closed else ("merged" if i % 97 == 0 else ""),
                    "rating": rnd.choice(RATINGS) if closed else "",
                }
            )
            if len(batch) == 10_000:
                conn.execute(insert(ResidentRequest), batch)
                batch = []
        if batch:
            conn.execute(insert(ResidentRequest), batch)
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    print(f"seeded {n:,} requests in {time.perf_counter() - started:.0f} s")
    engine.dispose()
    return target


def best(repeat: int, call: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", action="store_true", help="PostgreSQL (a throwaway cluster)")
    parser.add_argument("--requests", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sweep-only", action="store_true", help="time only the overdue sweep")
    args = parser.parse_args()
    cluster = None
    if args.pg:
        from tests.support.pg import start_cluster

        cluster = start_cluster()
    try:
        if cluster is not None:
            admin = make_engine(cluster.admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text("CREATE DATABASE bench"))
            admin.dispose()
            url = cluster.url("bench")
            n = args.requests or 1_000_000
        else:
            url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
            n = args.requests or 100_000
        print(machine())
        target = seed(url, n)
        settings = Settings(environment="test", database_url=url, cheap_hashing=True)
        with TestClient(hello_app) as hello:
            bare = best(args.repeat * 4, lambda: hello.get("/"))
        engine = make_engine(url)
        with Session(engine) as s:
            community = s.scalar(select(Area.id).where(Area.path == target))
        # What the worker's hourly requests-figures job does (timed: it must fit the hour).
        started = time.perf_counter()
        with Session(engine) as s, s.begin():
            board.refresh_unit_figures(s, NOW.date(), NOW)
            counts.refresh(s, NOW)
        refresh = (time.perf_counter() - started) * 1000
        with Session(engine) as s:
            open_requests = s.scalar(
                select(func.count()).where(ResidentRequest.status.in_(OPEN_STATUSES))
            )
            later = [
                r.request.id
                for r in queues.queue(s, handle_paths=[target], route_paths=None, limit=600)
            ]
        after = later[-1] if later else 0

        def queue(after: int = 0) -> None:
            with Session(engine) as s:
                queues.queue(s, handle_paths=[target], route_paths=None, after=after, limit=31)

        sweeps = []
        for night in (NOW, NOW + timedelta(days=1)):
            started = time.perf_counter()
            with Session(engine) as s, s.begin():
                report = supervision.sweep(s, night)
            sweeps.append(((time.perf_counter() - started), report))

        if args.sweep_only:
            print(f"database: {'PostgreSQL' if args.pg else 'SQLite'}, {n:,} requests")
            with open("/proc/loadavg") as fh:
                print(f"load average after: {' '.join(fh.read().split()[:3])}")
            for name, (seconds, report) in zip(("first", "next night's"), sweeps, strict=True):
                print(
                    f"overdue sweep, {name} run: {seconds:.1f} s ({report.notices} notices, "
                    f"{report.reminders} reminders, {report.told} accounts told)"
                )
            return
        with TestClient(create_app(settings)) as client:
            client.app.state.fixed_now = NOW  # type: ignore[attr-defined]
            timings = {
                "public board /requests/board": best(
                    args.repeat, lambda: client.get("/requests/board")
                ),
                f"board of one community ?area={community}": best(
                    args.repeat, lambda: client.get(f"/requests/board?area={community}")
                ),
                "hotspot page /requests/hotspots": best(
                    args.repeat, lambda: client.get("/requests/hotspots")
                ),
                "a unit's queue, first page (30 rows, one community)": best(args.repeat, queue),
                "a unit's queue, the page after 600 rows": best(args.repeat, lambda: queue(after)),
            }
        engine.dispose()
        kind = "PostgreSQL" if args.pg else "SQLite"
        print(f"database: {kind}, {n:,} requests, best of {args.repeat}")
        print(f"bare Starlette page: {bare:.2f} ms")
        print(f"open requests: {open_requests:,}")
        print(
            f"worker job requests-figures (units' rates + summary tables, once): {refresh:.0f} ms"
        )
        for name, (seconds, report) in zip(("first", "next night's"), sweeps, strict=True):
            print(
                f"overdue sweep, {name} run: {seconds:.1f} s ({report.notices} notices, "
                f"{report.reminders} reminders)"
            )
        for name, ms in timings.items():
            print(f"{name}: {ms:.1f} ms ({ms / bare:.0f}x the bare page)")
    finally:
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
