"""The year-end roll-up writes exactly the rows it wrote when it carried items one at a
time: a seeded plan (parents and children, items finished, dropped with a reason or
before the year end, delayed, continuing with milestones, with updates, from a
community budget project, with a department record or free text) is rolled up and
every row it wrote compared with ``yearend_rows.json``, recorded from that code.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from participation import accounts
from participation.areas import create_area
from participation.db import Base
from participation.plan import delivery, yearend_drafts
from participation.plan.delivery import DirectItem
from participation.plan.intake import ItemFromSource, receive_item
from participation.plan.models import Plan, PlanItem
from participation.plan.sources import SourceKind
from participation.rules.areas import AreaKind
from participation.rules.permissions import Role
from tests.support.departments import add_departments

SNAPSHOT = Path(__file__).with_name("yearend_rows.json")
NOW = datetime(2028, 1, 5, 2, 0, tzinfo=UTC)
TODAY = date(2028, 1, 5)
#: Columns filled with the clock when the row is written (``db.utcnow``), not by the
#: roll-up's ``now``: they differ from run to run.
CLOCK = {
    ("plans", "created_at"),
    ("plan_items", "created_at"),
    ("plan_milestones", "created_at"),
    ("audit_log", "at"),
}
#: Read in full after the roll-up: what it writes, and the rows it must leave alone.
PLAN_TABLES = (
    "plans",
    "plan_items",
    "plan_milestones",
    "plan_updates",
    "plan_outcomes",
    "plan_year_end_drafts",
)
#: The search index's change notes: carried items enter the index by its marks
#: (``search.indexing.drain``: items inserted outside the unit of work), not by notes
#: (tests/db/search/test_search_follows_changes.py finds them). The page cache's
#: counters move only on commit.
NOT_COMPARED = {"search_changes", "table_versions"}


def _rows(session: Session, table: Table) -> dict[str, list[Any]]:
    key = [c.name for c in table.primary_key.columns]
    rows = {}
    for row in session.execute(select(table)).mappings():
        values = [
            "<clock>" if (table.name, name) in CLOCK and value is not None else value
            for name, value in row.items()
        ]
        if table.name == "plan_items" and row["source_kind"] == "direct":
            values[list(row.keys()).index("source_ref")] = "direct:<random>"
        rows[json.dumps([row[k] for k in key], default=str)] = json.loads(
            json.dumps(values, default=str, ensure_ascii=False)
        )
    return rows


def _tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in NOT_COMPARED]


def _everything(session: Session) -> dict[str, dict[str, list[Any]]]:
    return {t.name: _rows(session, t) for t in _tables()}


def written(
    before: dict[str, dict[str, list[Any]]], after: dict[str, dict[str, list[Any]]]
) -> dict[str, Any]:
    """The plan's tables in full, and every other row added, changed or deleted."""
    found: dict[str, Any] = {}
    for name, rows in after.items():
        if name in PLAN_TABLES:
            found[name] = rows
            continue
        old = before[name]
        changed = {k: v for k, v in rows.items() if old.get(k) != v}
        gone = sorted(k for k in old if k not in rows)
        if changed or gone:
            found[name] = {"changed": changed, "deleted": gone}
    return found


def seed(session: Session) -> tuple[Plan, dict[str, int], int]:
    city = create_area(session, code="C", name="海澄市", kind=AreaKind.CITY, parent=None)
    district = create_area(session, code="D", name="东湖区", kind=AreaKind.DISTRICT, parent=city)
    street = create_area(session, code="S", name="临江街道", kind=AreaKind.STREET, parent=district)
    home = create_area(session, code="M", name="望江社区", kind=AreaKind.COMMUNITY, parent=street)
    staff = accounts.sign_up(session, login="staff1", password="plan owner pass", display_name="甲")
    owner = accounts.sign_up(session, login="owner1", password="plan owner pass", display_name="乙")
    accounts.grant_role(session, staff, Role.STAFF, home)
    add_departments(session)
    session.flush()

    def item(title: str, **changes: Any) -> PlanItem:
        values: dict[str, Any] = {
            "area_id": home.id,
            "year": 2027,
            "title": title,
            "description": f"{title}的说明",
            "owner_department": "住建局",
            "owner_account_id": owner.id,
            "budget_yuan": 100_000,
            "starts_on": date(2027, 3, 1),
            "due_on": date(2027, 10, 31),
        } | changes
        return delivery.enter_item(session, DirectItem(**values), actor_id=staff.id)

    def progress(target: PlanItem, percent: int, spend: int = 0) -> None:
        delivery.post_update(
            session,
            target,
            text=f"进度{percent}",
            progress=percent,
            spend_yuan=spend,
            evidence="",
            actor_id=staff.id,
            now=datetime(2027, 9, 1, 2, 0, tzinfo=UTC),
        )

    parent = item("片区改造", budget_yuan=900_000)
    finished_part = item("一期", parent_id=parent.id, weight=2)
    late_part = item("二期", parent_id=parent.id, weight=1, owner_department="园林局")
    progress(finished_part, 100, 20_000)
    progress(late_part, 40)
    done = item("长者饭堂")
    progress(done, 100, 80_000)
    dropped = item("地下车库")
    progress(dropped, 10)
    dropped_before = item("旧方案")
    dropped_before.status = "dropped"
    late = item("加装电梯", owner_department="", owner_account_id=None)
    progress(late, 60, 150_000)  # over budget: the carried item starts with no spend
    untouched = item("口袋公园", due_on=None)
    longer = item("河道治理", due_on=date(2028, 6, 30))
    for title, due, weight in (
        ("一段", date(2027, 6, 1), 30),
        ("二段", date(2027, 11, 1), 30),
        ("三段", date(2028, 3, 1), 25),
        ("四段", date(2028, 5, 1), 15),
    ):
        delivery.add_milestone(
            session, longer, title=title, due_on=due, weight=weight, actor_id=staff.id
        )
    (first,) = [m for m in delivery.milestones_of(session, longer.id) if m.title == "一段"]
    delivery.complete_milestone(
        session,
        longer,
        first.id,
        done_on=date(2027, 5, 30),
        evidence="",
        today=date(2027, 6, 2),
        actor_id=owner.id,
    )
    budget = receive_item(
        session,
        ItemFromSource(
            area_id=home.id,
            year=2027,
            title=" 社区花园微更新 ",
            source_kind=SourceKind.COMMUNITY_BUDGET,
            source_ref="budget:77",
            source_id=77,
            description="居民投票资助",
            owner_department="某某  办",  # not a record: carried as typed
            budget_yuan=30_000,
            starts_on=date(2027, 4, 1),
            due_on=date(2028, 2, 28),
        ),
        actor_id=None,
    )
    session.flush()
    plan = session.get(Plan, parent.plan_id)
    assert plan is not None
    ids = {
        "parent": parent.id,
        "finished_part": finished_part.id,
        "late_part": late_part.id,
        "done": done.id,
        "dropped": dropped.id,
        "dropped_before": dropped_before.id,
        "late": late.id,
        "untouched": untouched.id,
        "longer": longer.id,
        "budget": budget.id,
    }
    return plan, ids, staff.id


def roll_up(session: Session) -> dict[str, Any]:
    """Seed, save the planner's choices, roll up; every row written, as JSON values."""
    plan, ids, staff_id = seed(session)
    session.commit()
    yearend_drafts.save_page(
        session,
        plan,
        {
            ids["dropped"]: " 规划调整，不再实施 ",
            ids["dropped_before"]: "早已放弃",
            ids["done"]: "",
            ids["late"]: "",
        },
        now=NOW,
        actor_id=staff_id,
    )
    session.commit()
    before = _everything(session)
    result = yearend_drafts.complete_roll_up(session, plan, today=TODAY, now=NOW, actor_id=staff_id)
    session.flush()
    rows = written(before, _everything(session))
    return {
        "outcomes": {str(k): v.value for k, v in result.outcomes.items()},
        "carried": {str(k): v for k, v in result.carried.items()},
        "rows": rows,
    }


def test_the_roll_up_writes_the_rows_it_always_wrote(session: Session) -> None:
    found = roll_up(session)
    session.commit()
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert found["outcomes"] == expected["outcomes"]
    assert found["carried"] == expected["carried"]
    assert sorted(found["rows"]) == sorted(expected["rows"])
    for table, rows in expected["rows"].items():
        assert found["rows"][table] == rows, table
    assert len(found["carried"]) == 6  # the parent, its late part, late, untouched, longer, budget
