"""The progress board with many items: time per request of /plan, a filtered board,
the CSV export and an item page, in process (Starlette's test client, one client);
first counted on the spot, then again once the worker's plan-figures job has stored
the board's summary (participation.plan.board_counts).

    .venv/bin/python bench/bench_plan_board.py [--items 1000] [--repeat 10]
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from participation.areas import Area
from participation.db import make_engine
from participation.departments import all_departments
from participation.plan import board_counts, delivery
from participation.plan.delivery import DirectItem
from web.app import create_app
from web.cli import load_demo
from web.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    settings = Settings(environment="test", database_url=url, cheap_hashing=True)
    load_demo(settings)  # the whole demo: its consultations need their residents
    year = date.today().year
    engine = make_engine(url)
    with Session(engine) as s, s.begin():
        areas = s.scalars(select(Area).where(Area.kind == "community")).all()
        names = [d.name for d in all_departments(s)]
        for n in range(args.items):
            item = delivery.enter_item(
                s,
                DirectItem(
                    area_id=areas[n % len(areas)].id,
                    year=year,
                    title=f"事项{n}",
                    owner_department=names[n % len(names)],
                    budget_yuan=10_000 + n,
                    starts_on=date(year, 1, 1),
                    due_on=date(year, 12, 31),
                ),
                actor_id=None,
            )
            delivery.add_milestone(
                s, item, title="节点", due_on=date(year, 1 + n % 12, 1), weight=50, actor_id=None
            )
    engine.dispose()
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    paths = ["/plan", f"/plan?year={year}&status=delayed", "/api/v1/plan-items.csv"]
    with TestClient(create_app(settings)) as client:
        for stored in (False, True):
            if stored:
                engine = make_engine(url)
                with Session(engine) as s, s.begin():
                    board_counts.refresh(s, date.today(), datetime.now(UTC))
                engine.dispose()
            print("with the stored summary:" if stored else "counted on the spot:")
            for path in paths[:2] if stored else paths:
                client.get(path)
                start = time.perf_counter()
                for _ in range(args.repeat):
                    response = client.get(path)
                assert response.status_code == 200
                per = (time.perf_counter() - start) / args.repeat * 1000
                print(f"  {path}: {per:.0f} ms per request, {len(response.content):,} bytes")


if __name__ == "__main__":
    main()
