"""The children of a page of plan items are found on the parent index, not by reading
every item (migration 0056): with SQLite's statistics counting the items without a
parent (almost all of a city's) as one huge key, the full index led the planner to
scan the table for each page of the planner's desk and each item page."""

from __future__ import annotations

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from participation.plan.models import PlanItem
from tests.db.plan.test_plan_delivery import new_item, town  # noqa: F401


def test_the_children_of_items_are_read_on_the_parent_index(
    session: Session,
    town: dict[str, int],  # noqa: F811
) -> None:
    """Fails before 0056: ``SCAN plan_items`` once ANALYZE has seen mostly top items."""
    first = new_item(session, town)
    session.execute(
        insert(PlanItem),
        [
            {
                "plan_id": first.plan_id,
                "title": f"事项{k}",
                "source_kind": "direct",
                "source_ref": f"top-{k}",
                "parent_id": first.id if k < 2 else None,
            }
            for k in range(2_000)
        ],
    )
    session.flush()
    session.execute(text("ANALYZE"))
    children = select(PlanItem.parent_id, PlanItem.id, PlanItem.weight).where(
        PlanItem.parent_id.in_([first.id, first.id + 5, first.id + 9])
    )
    compiled = children.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    plan = " ".join(r[-1] for r in session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
    assert "USING INDEX ix_plan_items_parent_id" in plan, plan
    assert len(session.execute(children).all()) == 2
