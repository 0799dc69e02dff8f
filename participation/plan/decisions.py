"""Which plan items need a planner's decision, in SQL, and the stored flag
(``PlanItem.needs_decision``) the planner's list reads on an index.

An item needs a decision when it is not rolled up at year end and has no owner, no
end date, milestone weights not adding up to 100 (none at all included) or spending
over budget: what :func:`web.plan.office.decisions` names for it. None of these
depends on the date, only on the item, its milestones, updates and outcome.

Invariant: an item's stored flag is :func:`needs_decision` for it as of the last
write to the item through the plan's services (each calls
``board.store_board_statuses``, which stores the flag of the items it is given) or of
the last plan-figures run (:func:`store_all`), whichever came later. Items written
around the services (bulk inserts) hold None until the next run.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from participation.plan.models import PlanItem
from participation.plan.records import Milestone, Update, YearEndOutcome
from participation.plan.rules import MILESTONE_WEIGHT_TOTAL

#: Flags written per UPDATE batch.
CHUNK = 1_000


def needs_decision() -> ColumnElement[bool]:
    """In SQL, whether the plan item of the enclosing query needs a decision."""
    weight = (
        select(func.coalesce(func.sum(Milestone.weight), 0))
        .where(Milestone.item_id == PlanItem.id)
        .scalar_subquery()
    )
    spend = (
        select(func.coalesce(func.sum(Update.spend_yuan), 0))
        .where(Update.item_id == PlanItem.id)
        .scalar_subquery()
    )
    rolled_up = select(YearEndOutcome.item_id).where(YearEndOutcome.item_id == PlanItem.id)
    no_owner = and_(
        func.coalesce(PlanItem.owner_department, "") == "", PlanItem.owner_account_id.is_(None)
    )
    return and_(
        ~rolled_up.exists(),
        or_(
            no_owner,
            PlanItem.due_on.is_(None),
            weight != MILESTONE_WEIGHT_TOTAL,
            spend > PlanItem.budget_yuan,
        ),
    )


def _needs_decision_grouped() -> tuple[ColumnElement[bool], Select[Any]]:
    """:func:`needs_decision` over every item, from sums grouped once per table rather
    than per item (a third of the time at a city's size): the flag and the query of
    plan items joined to what it reads."""
    weights = (
        select(Milestone.item_id, func.sum(Milestone.weight).label("weight"))
        .group_by(Milestone.item_id)
        .subquery("weights")
    )
    spent = (
        select(Update.item_id, func.sum(Update.spend_yuan).label("spend"))
        .group_by(Update.item_id)
        .subquery("spent")
    )
    no_owner = and_(
        func.coalesce(PlanItem.owner_department, "") == "", PlanItem.owner_account_id.is_(None)
    )
    flag = and_(
        YearEndOutcome.id.is_(None),
        or_(
            no_owner,
            PlanItem.due_on.is_(None),
            func.coalesce(weights.c.weight, 0) != MILESTONE_WEIGHT_TOTAL,
            func.coalesce(spent.c.spend, 0) > PlanItem.budget_yuan,
        ),
    )
    query = (
        select(PlanItem.id)
        .outerjoin(weights, weights.c.item_id == PlanItem.id)
        .outerjoin(spent, spent.c.item_id == PlanItem.id)
        .outerjoin(YearEndOutcome, YearEndOutcome.item_id == PlanItem.id)
    )
    return flag, query


def _store(session: Session, only: Sequence[int] | None) -> int:
    """Store the flag where it differs from :func:`needs_decision`, for the items
    ``only`` (None: every item): one reading statement, then the changes in batches."""
    query: Select[int, bool, bool | None]
    if only is None:
        flag, grouped = _needs_decision_grouped()
        query = grouped.add_columns(flag, PlanItem.needs_decision)
    else:
        query = select(PlanItem.id, needs_decision(), PlanItem.needs_decision).where(
            PlanItem.id.in_(only)
        )
    changes = [
        (int(i), bool(new))
        for i, new, old in session.execute(query.order_by(PlanItem.id))
        if old is None or bool(old) != bool(new)
    ]
    table = typing.cast(Table, PlanItem.__table__)
    for start in range(0, len(changes), CHUNK):
        session.connection().execute(
            update(table)
            .where(table.c.id == bindparam("item"))
            .values(needs_decision=bindparam("flag")),
            [{"item": i, "flag": f} for i, f in changes[start : start + CHUNK]],
        )
    for item_id, stored in changes:  # items already loaded: given the stored value
        loaded = session.identity_map.get(identity_key(PlanItem, item_id))
        if loaded is not None:
            set_committed_value(loaded, "needs_decision", stored)
    return len(changes)


def store(session: Session, item_ids: Sequence[int]) -> int:
    """Store the flag of the items ``item_ids``; returns how many changed."""
    return _store(session, list(item_ids)) if item_ids else 0


def store_all(session: Session) -> int:
    """Store every item's flag (the plan-figures job); returns how many changed."""
    return _store(session, None)
