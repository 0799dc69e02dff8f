"""The worker's plan-remind job at a city's size: the open items' statuses are
stored set-based (no plan item object per open item), the overdue milestones are
read in batches with their mailboxes (no statement per milestone), and a run reads
as much for 3N items as for N (beyond the outbox's one check per message queued)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation import outbox
from participation.departments import Department
from participation.plan import reminders
from participation.plan.models import Plan, PlanItem
from participation.plan.records import Milestone
from tests.db.plan.test_plan_delivery import NOW, TODAY, new_item, town  # noqa: F401
from tests.support.queries import statements


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """On SQLite and PostgreSQL: the statuses are written by one executemany UPDATE."""
    return any_db_url


def _grow(session: Session, plan_id: int, n: int, tag: str, overdue: bool) -> None:
    """``n`` open items owned by 住建局; each with a milestone, overdue or not."""
    department = session.scalars(select(Department.id).where(Department.name == "住建局")).one()
    first = (session.scalar(select(func.max(PlanItem.id))) or 0) + 1
    session.execute(
        insert(PlanItem),
        [
            {
                "plan_id": plan_id,
                "title": f"事项{tag}{k}",
                "source_kind": "direct",
                "source_ref": f"{tag}-{k}",
                "owner_department_id": department,
                "owner_department": "住建局",
                "due_on": date(2027, 12, 31),
                "status": "planned",
            }
            for k in range(n)
        ],
    )
    due = date(2027, 6, 1) if overdue else date(2027, 11, 1)
    session.execute(
        insert(Milestone),
        [
            {"item_id": i, "title": "节点", "due_on": due, "weight": 50}
            for i in range(first, first + n)
        ],
    )
    session.commit()


def _loads(run: Callable[[], Any]) -> int:
    loaded = [0]

    def count(*_args: object) -> None:
        loaded[0] += 1

    event.listen(PlanItem, "load", count)
    try:
        run()
    finally:
        event.remove(PlanItem, "load", count)
    return loaded[0]


def _remind(session: Session) -> reminders.Reminded:
    return reminders.remind_overdue(session, today=TODAY, now=NOW, base_url="http://x")


def test_statuses_are_stored_without_loading_every_open_item(
    session: Session,
    town: dict[str, int],  # noqa: F811
) -> None:
    """Fails on the old code, which built the item views (a PlanItem each) of every
    open item on every run to store their statuses."""
    plan_id = new_item(session, town).plan_id
    _grow(session, plan_id, 300, "a", overdue=False)
    assert _loads(lambda: _remind(session)) == 0
    session.commit()
    _grow(session, plan_id, 40, "late", overdue=True)
    assert _loads(lambda: _remind(session)) == 40  # the items of the milestones reminded
    session.commit()
    stored = session.scalars(
        select(PlanItem.status).where(PlanItem.title.like("事项late%")).distinct()
    ).all()
    assert stored == ["delayed"]
    # The department has no mailbox: counted, not queued.
    assert session.scalar(select(func.count()).select_from(outbox.OutboxMessage)) == 0


def test_reminders_run_as_many_statements_for_3n_items(
    session: Session,
    town: dict[str, int],  # noqa: F811
    engine: Engine,
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(reminders, "CHUNK", 1_000)
    plan_id = session.scalars(select(Plan.id)).first() or new_item(session, town).plan_id
    session.scalars(select(Department).where(Department.name == "住建局")).one().email = "z@x.cn"
    session.commit()
    _grow(session, plan_id, 50, "a", overdue=True)
    _grow(session, plan_id, 50, "b", overdue=False)
    with statements() as few:
        first = _remind(session)
    session.commit()
    _grow(session, plan_id, 150, "c", overdue=True)
    _grow(session, plan_id, 150, "d", overdue=False)
    with statements() as many:
        second = _remind(session)
    session.commit()
    assert (first.queued, second.queued) == (50, 150)

    def reads(seen: list[str]) -> int:
        """Reading statements, but the outbox's own check of each message it queues."""
        return sum(
            1
            for sql in seen
            if sql.lstrip().upper().startswith(("SELECT", "WITH")) and "FROM outbox" not in sql
        )

    assert reads(many) == reads(few)
