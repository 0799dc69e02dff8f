"""participation.plan.home: a community's plan items with their latest update."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from participation.plan.home import community_items, overdue_items
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
