"""The main pages with a grown data set: per page, SQL statements and time per
request in process (Starlette's test client, one client, signed in as admin), on the
demo and on the demo plus city-sized rows of the tables that grow.

    .venv/bin/python bench/bench_city_pages.py [--scale 1.0] [--repeat 10] [--demo-only]

At ``--scale 1`` the grown set adds 200 teams with 10,000 shifts, 200,000 hours
ledger lines, 20,000 plan items (this year) with 40,000 milestones and 20,000
updates, and 10,000 notices in the admin's inbox (rows inserted in bulk; the ledger
summary is then rebuilt as a bulk loader must), and 600,000 statement votes on
consultation 1 (then the statements' vote counts and the plan board's summary are
brought up to date, as the worker does, on the code that has them). The same script runs on the code
before a change (``PYTHONPATH=<old checkout>``): it uses only tables both have.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from consultations.models import OpinionStatement, OpinionVote
from participation.accounts import Account, find_by_login
from participation.areas import Area
from participation.db import make_engine
from participation.notices import Notice
from participation.plan.models import Plan, PlanItem
from participation.plan.records import Milestone, Update
from volunteers.models import Activity, HoursEntry, Shift, Team
from web.app import create_app
from web.cli import load_demo
from web.settings import Settings

PAGES = [
    "/",
    "/volunteers",
    "/admin/volunteers",
    "/volunteers/me",
    "/plan",
    "/admin/plan",
    "/account/notices",
    "/budgets/1/results",
    "/livelihood/1",
    "/consultations/1",
    "/evaluations/1",
    "/areas",
]
CHUNK = 5_000


def grow(url: str, scale: float) -> None:
    engine = make_engine(url)

    def n(k: int) -> int:
        return max(1, int(k * scale))

    now = datetime.now(UTC).replace(microsecond=0)
    year = now.year
    with Session(engine) as s, s.begin():
        admin = find_by_login(s, "admin")
        assert admin is not None
        communities = s.scalars(select(Area.id).where(Area.kind == "community")).all()
        first_team = (s.scalar(select(func.max(Team.id))) or 0) + 1
        s.execute(
            insert(Team),
            [
                {
                    "area_id": communities[i % len(communities)],
                    "name": f"城市服务队{i}",
                    "kind": "featured",
                }
                for i in range(n(200))
            ],
        )
        teams = list(range(first_team, first_team + n(200)))
        first_activity = (s.scalar(select(func.max(Activity.id))) or 0) + 1
        s.execute(insert(Activity), [{"team_id": t, "title": f"活动{t}"} for t in teams])
        shifts = []
        for i in range(n(10_000)):
            start = now + timedelta(hours=(i % 2000) - 1000)
            shifts.append(
                {
                    "activity_id": first_activity + i % len(teams),
                    "area_id": communities[i % len(communities)],
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=2),
                    "capacity": 10,
                }
            )
        s.execute(insert(Shift), shifts)
        people = s.scalars(select(func.min(Shift.id))).all()  # any shift id for the lines
        shift_id = people[0]
        ledger = [
            {
                "account_id": admin.id,
                "team_id": teams[i % len(teams)],
                "area_id": communities[i % len(communities)],
                "shift_id": shift_id,
                "served_on": date(year - i % 5, 1 + i % 12, 1 + i % 28),
                "minutes": 60,
                "kind": "system",
            }
            for i in range(n(200_000))
        ]
        for k in range(0, len(ledger), CHUNK):
            s.execute(insert(HoursEntry), ledger[k : k + CHUNK])
        try:
            from volunteers.reports import rebuild_totals
        except ImportError:  # the code before the summary
            pass
        else:
            rebuild_totals(s)
        plans = s.scalars(select(Plan.id).where(Plan.year == year)).all()
        first_item = (s.scalar(select(func.max(PlanItem.id))) or 0) + 1
        items = [
            {
                "plan_id": plans[i % len(plans)],
                "title": f"城市事项{i}",
                "source_kind": "direct",
                "source_ref": f"city-{i}",
                "owner_department": f"部门{i % 30}",
                "budget_yuan": 10_000 + i,
                "starts_on": date(year, 1, 1),
                "due_on": date(year, 12, 31),
                "status": "in_progress" if i % 3 else "planned",
            }
            for i in range(n(20_000))
        ]
        for k in range(0, len(items), CHUNK):
            s.execute(insert(PlanItem), items[k : k + CHUNK])
        ids = range(first_item, first_item + len(items))
        milestones = [
            {
                "item_id": i,
                "title": "节点",
                "due_on": date(year, 1 + (i + m) % 12, 1),
                "weight": 50,
                "done_on": date(year, 1, 2) if (i + m) % 2 else None,
            }
            for i in ids
            for m in range(2)
        ]
        for k in range(0, len(milestones), CHUNK):
            s.execute(insert(Milestone), milestones[k : k + CHUNK])
        updates = [
            {"item_id": i, "text": "进展", "progress": i % 101, "spend_yuan": i % 1000, "at": now}
            for i in ids
        ]
        for k in range(0, len(updates), CHUNK):
            s.execute(insert(Update), updates[k : k + CHUNK])
        notices = [
            {
                "account_id": admin.id,
                "kind": "bench",
                "message": "Your proposal was screened.",
                "created_at": now - timedelta(minutes=i),
            }
            for i in range(n(10_000))
        ]
        for k in range(0, len(notices), CHUNK):
            s.execute(insert(Notice), notices[k : k + CHUNK])
        _grow_votes(s, n(600_000), now)
    with Session(engine) as s, s.begin():
        _as_the_worker_would(s, now)
    if engine.dialect.name == "sqlite":
        with engine.begin() as c:
            c.exec_driver_sql("ANALYZE")
    engine.dispose()


def _grow_votes(s: Session, votes: int, now: datetime) -> None:
    """``votes`` more statement votes on consultation 1 (the page the admin visits,
    signed in: its next statement), from as many new accounts as that takes."""
    statements = s.scalars(
        select(OpinionStatement.id).where(OpinionStatement.consultation_id == 1)
    ).all()
    if not statements:
        return
    people = -(-votes // len(statements))
    first = (s.scalar(select(func.max(Account.id))) or 0) + 1
    accounts = [
        {"username": f"bench-voter-{i}", "display_name": f"投票人{i}"} for i in range(people)
    ]
    for k in range(0, len(accounts), CHUNK):
        s.execute(insert(Account), accounts[k : k + CHUNK])
    rows = [
        {
            "consultation_id": 1,
            "statement_id": statement,
            "account_id": first + i,
            "choice": (i + statement) % 3 - 1,
            "voted_at": now,
        }
        for i in range(people)
        for statement in statements
    ][:votes]
    for k in range(0, len(rows), CHUNK):
        s.execute(insert(OpinionVote), rows[k : k + CHUNK])


def _as_the_worker_would(s: Session, now: datetime) -> None:
    """Bring the stored counts up to date as the worker and bulk loaders do (on the
    code that has them): statements' vote counts, the plan board's summary."""
    try:
        from consultations.deliberation import recount_statement_votes
        from participation.plan import board_counts
    except ImportError:  # the code before them
        return
    recount_statement_votes(s)
    board_counts.refresh(s, now.date(), now)


def measure(url: str, repeat: int, label: str) -> None:
    settings = Settings(environment="test", database_url=url, cheap_hashing=True)
    app = create_app(settings)
    seen: list[str] = []

    def note(*args: object) -> None:
        seen.append(str(args[2]))

    with TestClient(app) as client:
        r = client.post(
            "/login",
            data={"login": "admin", "password": "gongzhi-demo", "csrf_token": _csrf(client)},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        event.listen(Engine, "before_cursor_execute", note)
        for path in PAGES:
            client.get(path)
            seen.clear()
            response = client.get(path)
            count = sum(1 for q in seen if q.lstrip().upper().startswith(("SELECT", "WITH")))
            start = time.perf_counter()
            for _ in range(repeat):
                response = client.get(path)
            per = (time.perf_counter() - start) / repeat * 1000
            print(
                f"{label:6} {path:22} {response.status_code} {count:3d} statements {per:8.1f} ms",
                flush=True,
            )
        event.remove(Engine, "before_cursor_execute", note)


def _csrf(client: TestClient) -> str:
    import re

    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert found
    return found.group(1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--demo-only", action="store_true")
    parser.add_argument("--template", help="a seeded demo database to copy (saves 15 s)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    path = f"{folder}/bench.db"
    if args.template:
        shutil.copy(args.template, path)
    else:
        load_demo(
            Settings(
                environment="development", database_url=f"sqlite:///{path}", cheap_hashing=True
            ),
            residents=300,
        )
    url = f"sqlite:///{path}"
    print(
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    measure(url, args.repeat, "demo")
    if not args.demo_only:
        start = time.perf_counter()
        grow(url, args.scale)
        print(f"grown (scale {args.scale}) in {time.perf_counter() - start:.0f} s")
        measure(url, args.repeat, "grown")
    print(f"load average {os.getloadavg()[0]:.2f}")
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
