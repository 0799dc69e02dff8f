"""participation.plan.home: a community's plan items with their latest update."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from participation.counting import count_all
from participation.plan.home import community_items, overdue_items, overdue_items_count
from participation.plan.models import Plan, PlanItem
from participation.plan.records import Update
from tests.support.areas import one_community

TODAY = date(2026, 6, 1)


def test_the_latest_update_is_the_latest_in_time_and_late_items_say_so(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        community = one_community(s)
        plan = Plan(area_id=community.id, year=2026, title="计划")
        s.add(plan)
        s.flush()
        old, late, quiet = (
            PlanItem(plan_id=plan.id, title=t, source_kind="manual", source_ref=t, due_on=d)
            for t, d in (("旧", None), ("迟", date(2026, 5, 1)), ("静", None))
        )
        s.add_all([old, late, quiet])
        s.flush()
        # Entered out of order: the later id carries the earlier time.
        s.add(Update(item_id=old.id, text="五月", progress=50, at=datetime(2026, 5, 1, tzinfo=UTC)))
        s.add(Update(item_id=old.id, text="一月", progress=10, at=datetime(2026, 1, 1, tzinfo=UTC)))
        s.add(Update(item_id=late.id, text="三月", progress=5, at=datetime(2026, 3, 1, tzinfo=UTC)))
    with Session(engine) as s:
        news = community_items(s, community.path, TODAY)
        assert [(n.title, n.update_text, n.late) for n in news] == [
            ("旧", "五月", False),
            ("迟", "三月", True),
            ("静", None, False),
        ]
        assert overdue_items(s, [community.path], TODAY) == 1
        assert overdue_items(s, ["/999/"], TODAY) == 0
        assert overdue_items(s, None, TODAY) == 1


def test_the_to_do_count_of_overdue_items_stops_at_its_cap(engine: Engine) -> None:
    """The to-do list counts overdue items up to a cap ("100+"), in one statement
    beside its other counts: a city's years of items are never all counted."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        community = one_community(s)
        plan = Plan(area_id=community.id, year=2026, title="计划")
        s.add(plan)
        s.flush()
        s.add_all(
            PlanItem(
                plan_id=plan.id,
                title=f"迟{n}",
                source_kind="manual",
                source_ref=f"迟{n}",
                due_on=date(2026, 5, 1),
                status="done" if n == 0 else "planned",
            )
            for n in range(6)
        )
    with Session(engine) as s:
        assert overdue_items(s, None, TODAY) == 5
        assert count_all(
            s,
            [
                overdue_items_count(None, TODAY, cap=3),
                overdue_items_count([community.path], TODAY, cap=10),
                overdue_items_count(["/999/"], TODAY, cap=3),
            ],
        ) == [3, 5, 0]
