"""The hot statements of the city-sized pages use an index on PostgreSQL, not a
sequential scan of the big table: at a seeded size (2,000 accounts, 10,000 shifts,
100,000 hours ledger lines, 30,000 notices (10,000 for one person), 25,000 plan
items over five years with their milestones and updates), after ANALYZE, each
statement the service runs is captured with its parameters and EXPLAINed as it ran.

Covered: the volunteers' list of coming shifts, a volunteer's ledger total, the
office's hours report and the open data's, a team leader's shifts awaiting attendance (100,000
sign-ups), the inbox (count, unread, page), the plan's item page and a budget
round's results (its plan items found by source)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from participation import notices
from participation.accounts import Account
from participation.budgets import services as budgets
from participation.plan import board
from participation.plan.models import Plan, PlanItem
from participation.plan.records import Milestone, Update
from tests.conftest import _pg_database
from tests.support.pg import Cluster
from tests.support.queries import explained
from volunteers import activities, home, ledger, open_hours, reports
from volunteers.models import Activity, HoursEntry, Membership, Shift, SignUp, Team

pytestmark = pytest.mark.pg

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
BIG = {
    "vol_shifts",
    "vol_signups",
    "vol_hours",
    "notices",
    "plan_items",
    "plan_milestones",
    "plan_updates",
}
CHUNK = 5_000


@pytest.fixture
def db_url(pg_cluster: Cluster) -> str:
    return _pg_database(pg_cluster)


def _bulk(s: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    for k in range(0, len(rows), CHUNK):
        s.execute(insert(model), rows[k : k + CHUNK])


def _seed(engine: Engine, world: dict[str, Any]) -> dict[str, int]:
    community = world["community"].id
    with Session(engine) as s, s.begin():
        first = (s.scalar(select(func.max(Account.id))) or 0) + 1
        _bulk(
            s, Account, [{"username": f"v{i}", "display_name": f"志愿者{i}"} for i in range(2000)]
        )
        people = list(range(first, first + 2000))
        _bulk(
            s,
            Team,
            [{"area_id": community, "name": f"队{i}", "kind": "featured"} for i in range(200)],
        )
        teams = s.scalars(select(Team.id)).all()
        _bulk(s, Activity, [{"team_id": t, "title": f"活动{t}"} for t in teams])
        acts = s.scalars(select(Activity.id)).all()
        shifts = []
        for i in range(10_000):
            start = NOW + timedelta(hours=i - 9_000)  # most of them past
            shifts.append(
                {
                    "activity_id": acts[i % len(acts)],
                    "area_id": community,
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=2),
                    "capacity": 10,
                }
            )
        _bulk(s, Shift, shifts)
        shift_ids = s.scalars(select(Shift.id)).all()
        _bulk(
            s,
            HoursEntry,
            [
                {
                    "account_id": people[i % 2000],
                    "team_id": teams[i % 200],
                    "area_id": community,
                    "shift_id": shift_ids[i % len(shift_ids)],
                    "served_on": date(2026, 1 + i % 5, 1 + i % 28),
                    "minutes": 60,
                    "kind": "system",
                }
                for i in range(100_000)
            ],
        )
        reports.rebuild_totals(s)
        # Ten places a shift, all recorded but one in every 500 (the leader's home
        # page looks for those), and person 7 leads the first team.
        _bulk(
            s,
            SignUp,
            [
                {
                    "shift_id": shift,
                    "account_id": people[(i * 10 + k) % 2000],
                    "arrival": k + 1,
                    "status": "confirmed",
                    "credited": (i * 10 + k) % 500 != 0,
                }
                for i, shift in enumerate(shift_ids)
                for k in range(10)
            ],
        )
        s.execute(insert(Membership).values(team_id=teams[0], account_id=people[7], role="leader"))
        _bulk(
            s,
            notices.Notice,
            [
                {
                    "account_id": people[i % 2000],
                    "kind": "bench",
                    "message": "m",
                    "created_at": NOW - timedelta(minutes=i),
                }
                for i in range(20_000)
            ]
            + [  # one person with a long inbox
                {
                    "account_id": people[7],
                    "kind": "bench",
                    "message": "m",
                    "created_at": NOW - timedelta(seconds=i),
                }
                for i in range(10_000)
            ],
        )
        plans = []
        for year in range(2022, 2027):
            for area in ("community", "other", "street", "district", "city"):
                plans.append({"area_id": world[area].id, "year": year, "title": f"{year}计划"})
        _bulk(s, Plan, plans)
        plan_ids = s.scalars(select(Plan.id)).all()
        _bulk(
            s,
            PlanItem,
            [
                {
                    "plan_id": plan_ids[i % len(plan_ids)],
                    "title": f"事项{i}",
                    "source_kind": "community_budget" if i % 10 == 0 else "direct",
                    "source_ref": f"budget_proposal:{i}" if i % 10 == 0 else f"d{i}",
                    "budget_yuan": i,
                }
                for i in range(25_000)
            ],
        )
        items = s.scalars(select(PlanItem.id)).all()
        _bulk(
            s,
            Milestone,
            [
                {"item_id": i, "title": "节点", "due_on": date(2026, 3, 1), "weight": 50}
                for i in items
                for _ in range(2)
            ],
        )
        _bulk(s, Update, [{"item_id": i, "text": "进展", "progress": 10, "at": NOW} for i in items])
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql("ANALYZE")
    return {"person": people[7], "item": items[12_345]}


@pytest.fixture
def seeded(engine: Engine, world: dict[str, Any]) -> dict[str, int]:
    return _seed(engine, world)


def _indexed(engine: Engine, run: Callable[[Session], object]) -> list[str]:
    """The plans of ``run``'s statements, each checked: no Seq Scan on a big table."""
    shown = explained(engine, run)
    for plan in shown:
        scanned = {t for t in BIG if f"Seq Scan on {t} " in plan + " "}
        assert not scanned, plan
    assert shown
    return shown


def test_hot_statements_use_indexes(engine: Engine, seeded: dict[str, int]) -> None:
    person, item = seeded["person"], seeded["item"]
    shifts = _indexed(
        engine, lambda s: activities.shift_rows(s, since=NOW, public_only=True, limit=30)
    )
    assert "ix_vol_shifts_starts_at" in shifts[0]
    total = _indexed(engine, lambda s: ledger.total_minutes(s, person))
    assert "ix_vol_hours_account_id" in total[0]
    waiting = _indexed(engine, lambda s: home.attendance_to_record(s, person, NOW))
    assert "ix_vol_signups_unrecorded" in waiting[0], waiting[0]
    report = _indexed(engine, reports.hours_report)
    assert not any("vol_hours " in plan for plan in report)  # the summary, not the ledger
    opened = _indexed(engine, open_hours.public_hours)  # the open data's, with its rule
    assert len(opened) == 3 and not any("vol_hours " in plan for plan in opened)
    inbox = _indexed(engine, lambda s: notices.inbox(s, person))
    assert any("ix_notices_account_created" in plan for plan in inbox), "\n\n".join(inbox)
    _indexed(engine, lambda s: board.item_views(s, NOW.date(), item_ids=[item]))
    found = _indexed(engine, lambda s: budgets.plan_items_of(s, ["p10", "p20", "p30"]))
    assert "uq_plan_items_source_kind_source_ref" in found[0]
