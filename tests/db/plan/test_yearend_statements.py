"""Rolling up a plan's year is a fixed number of statements however many items the
plan holds (a city plan holds thousands: item by item, it neared the proxy's timeout)."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.areas import create_area
from participation.db import make_engine
from participation.plan import delivery, yearend_drafts
from participation.plan.delivery import DirectItem
from participation.plan.models import Plan, PlanItem
from participation.plan.records import Milestone, Update
from participation.rules.areas import AreaKind
from tests.support.departments import add_departments
from tests.support.queries import statements

NOW = datetime(2028, 1, 5, 2, 0, tzinfo=UTC)
TODAY = date(2028, 1, 5)


def _seed(session: Session, count: int) -> Plan:
    """A plan of ``count`` items: a third finished, a third late, a third continuing
    with an open milestone next year; the first item is the parent of the next two."""
    city = create_area(session, code="C", name="海澄市", kind=AreaKind.CITY, parent=None)
    add_departments(session)
    first = None
    for n in range(count):
        kind = n % 3
        item = delivery.enter_item(
            session,
            DirectItem(
                area_id=city.id,
                year=2027,
                title=f"事项{n}",
                owner_department="住建局",
                starts_on=date(2027, 1, 1),
                due_on=date(2028, 6, 30) if kind == 2 else date(2027, 9, 1),
                parent_id=first.id if first is not None and n < 3 else None,
            ),
            actor_id=None,
        )
        first = first or item
        if kind == 0:
            item.status = "done"
        if kind == 2:
            delivery.add_milestone(
                session, item, title="二期", due_on=date(2028, 3, 1), weight=50, actor_id=None
            )
    session.commit()
    return session.scalars(select(Plan)).one()


def _statements_to_roll_up(session: Session, count: int) -> int:
    plan = _seed(session, count)
    with statements() as seen:
        yearend_drafts.complete_roll_up(session, plan, today=TODAY, now=NOW, actor_id=None)
        session.flush()
    carried = session.scalars(
        select(PlanItem.id).where(PlanItem.source_kind == "carried_over")
    ).all()
    assert len(carried) == count - count // 3
    copied = session.scalar(
        select(func.count()).select_from(Milestone).where(Milestone.item_id.in_(carried))
    )
    assert copied == count // 3
    first = session.scalar(
        select(func.count()).select_from(Update).where(Update.item_id.in_(carried))
    )
    assert first == len(carried)
    return len(seen)


def test_a_roll_up_is_a_fixed_number_of_statements(sqlite_template: Path, tmp_path: Path) -> None:
    counted = []
    for count in (12, 36):
        target = tmp_path / f"{count}.db"
        shutil.copy(sqlite_template, target)
        engine = make_engine(f"sqlite:///{target}")
        with Session(engine) as session:
            counted.append(_statements_to_roll_up(session, count))
        engine.dispose()
    assert counted[0] == counted[1]
