"""Closing a plan's year (年终盘点): every item gets an outcome, unfinished ones carry over.

Each item of the plan is classified by :func:`participation.plan.rules.classify_year_end`:
finished, dropped (a reason is required), or carried over (delayed or continuing).
A carried item enters next year's plan as :func:`intake.receive_item` would receive
it, with SourceKind.CARRIED_OVER and a reference to the old item, so running the
roll-up twice, or from two requests at once, never carries an item twice; its
history stays on the old item, which the new one links to, and its progress is
carried as the new item's first update. A city plan holds thousands of items: they
are carried a chunk at a time (the items, their milestones, updates, outcomes and
audit lines each in one statement), never one by one.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from participation import audit, departments
from participation.db import Base
from participation.errors import N_, DomainError
from participation.plan.board import ItemView, item_views, store_board_statuses
from participation.plan.intake import ItemFromSource, check_item, plan_for
from participation.plan.models import Plan, PlanItem
from participation.plan.records import Milestone, Update, YearEndOutcome
from participation.plan.rules import Outcome, YearEnd, classify_year_end
from participation.plan.sources import ItemStatus, SourceKind

T = TypeVar("T")


@dataclass(frozen=True)
class RolledUp:
    outcomes: dict[int, Outcome]
    carried: dict[int, int]  # old item id -> next year's item id


def get_plan(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise DomainError("plan.not_found", N_("No such plan."), status=404)
    return plan


def rolled_up_plans(session: Session, plan_ids: Iterable[int]) -> set[int]:
    """Which of these plans have been rolled up at year end (one query)."""
    ids = list(plan_ids)
    if not ids:
        return set()
    return set(
        session.scalars(
            select(PlanItem.plan_id)
            .join(YearEndOutcome, YearEndOutcome.item_id == PlanItem.id)
            .where(PlanItem.plan_id.in_(ids))
            .distinct()
        )
    )


def rolled_up(session: Session, plan: Plan) -> bool:
    return (
        session.scalar(
            select(YearEndOutcome.id)
            .join(PlanItem, PlanItem.id == YearEndOutcome.item_id)
            .where(PlanItem.plan_id == plan.id)
            .limit(1)
        )
        is not None
    )


def plan_views(session: Session, plan: Plan, today: date) -> list[ItemView]:
    """The items of ``plan`` alone (not of every plan of its year), in the board's
    order, with their progress and outcomes: what the roll-up classifies."""
    ids = list(session.scalars(select(PlanItem.id).where(PlanItem.plan_id == plan.id)))
    return item_views(session, today, item_ids=ids) if ids else []


def roll_up_year(
    session: Session,
    plan: Plan,
    *,
    drop_reasons: Mapping[int, str],
    today: date,
    now: datetime,
    actor_id: int | None,
) -> RolledUp:
    """Give every item of ``plan`` its year-end outcome and carry the unfinished over.

    In a fixed number of statements per ``CHUNK`` items carried, however many the
    plan holds: the outcomes, the carried items, their milestones, first updates and
    audit lines are each written in one statement (one per chunk), not item by item.
    A second roll-up of the plan, also one running at the same moment, is refused
    (``plan.rolled_up``) and writes nothing."""
    year_end = date(plan.year, 12, 31)
    if rolled_up(session, plan):
        raise DomainError("plan.rolled_up", N_("This plan's year has already been rolled up."))
    views = plan_views(session, plan, today)
    if not views:
        raise DomainError("plan.empty", N_("This plan has no items to roll up."))
    outcomes: dict[int, Outcome] = {}
    rows: list[dict[str, Any]] = []
    to_carry: list[tuple[ItemView, Outcome]] = []
    for view in views:
        item = view.item
        if item.status == ItemStatus.DROPPED.value:  # dropped earlier: stays dropped
            result = YearEnd(Outcome.DROPPED, drop_reasons.get(item.id, "").strip())
        else:
            result = classify_year_end(
                done=item.status == ItemStatus.DONE.value,
                progress=view.progress,
                due_on=item.due_on,
                year_end=year_end,
                drop_reason=drop_reasons.get(item.id, ""),
            )
        outcomes[item.id] = result.outcome
        if result.outcome is Outcome.FINISHED:
            item.status = ItemStatus.DONE.value
        elif result.outcome is Outcome.DROPPED:
            item.status = ItemStatus.DROPPED.value
        else:
            item.status = ItemStatus.DELAYED.value
            to_carry.append((view, result.outcome))
        rows.append(
            {
                "item_id": item.id,
                "outcome": result.outcome.value,
                "reason": result.reason,
                "progress": view.progress,
                "decided_at": now,
                "decided_by": actor_id,
            }
        )
    try:
        # A roll-up running at the same moment (PostgreSQL; SQLite runs one writer at
        # a time) inserts the same carried items and outcomes: the unique keys refuse
        # ours, and the savepoint leaves the request's transaction usable to say so.
        with session.begin_nested():
            carried = _carry(session, plan, to_carry, now, actor_id)
            for row in rows:
                row["carried_to_id"] = carried.get(row["item_id"])
            _insert(session, YearEndOutcome, rows)
    except IntegrityError:
        raise DomainError(
            "plan.rolled_up", N_("This plan's year has already been rolled up."), status=409
        ) from None
    store_board_statuses(session, today, [*outcomes, *carried.values()])
    audit.record(
        session,
        actor_id=actor_id,
        action="plan.year_end",
        target=f"plan:{plan.id}",
        carried=len(carried),
        items=len(outcomes),
    )
    return RolledUp(outcomes, carried)


#: Carried items looked up, and their milestones read, per statement.
CHUNK = 500


def _insert(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """The rows as they are, in one executemany (Core: the ORM's bulk insert would
    split them into one statement per run of rows with the same columns not None)."""
    session.connection().execute(insert(typing.cast(Table, model.__table__)), list(rows))


def _chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _carry(
    session: Session,
    plan: Plan,
    to_carry: Sequence[tuple[ItemView, Outcome]],
    now: datetime,
    actor_id: int | None,
) -> dict[int, int]:
    """Receive each item of ``to_carry`` into next year's plan as
    :func:`intake.receive_item` receives one (SourceKind.CARRIED_OVER, idempotent per
    old item), with its open milestones due next year when it continues, and its
    progress as its first update; returns old item id -> next year's item id, in the
    order given (ids are given in that order too)."""
    if not to_carry:
        return {}
    next_year = plan.year + 1
    starts = date(next_year, 1, 1)
    sources: dict[int, ItemFromSource] = {}
    for view, outcome in to_carry:
        item = view.item
        # A continuing item keeps its dates; a delayed one needs a new end date,
        # which the planner's view lists as a decision to take.
        continuing = outcome is Outcome.CONTINUING
        source = ItemFromSource(
            area_id=plan.area_id,
            year=next_year,
            title=item.title,
            source_kind=SourceKind.CARRIED_OVER,
            source_ref=f"plan_item:{item.id}",
            source_id=item.id,
            description=item.description,
            owner_department=item.owner_department,
            owner_account_id=item.owner_account_id,
            budget_yuan=item.budget_yuan,
            starts_on=starts,
            due_on=item.due_on if continuing else None,
        )
        check_item(source)
        sources[item.id] = source
    progress = {view.item.id: view.progress for view, _ in to_carry}
    new_ids = _received(session, sources, progress, actor_id)
    continuing_ids = [v.item.id for v, outcome in to_carry if outcome is Outcome.CONTINUING]
    order = {old: n for n, old in enumerate(sources)}
    milestones: list[Milestone] = []
    for chunk in _chunks(continuing_ids):
        milestones.extend(
            session.scalars(
                select(Milestone).where(
                    Milestone.item_id.in_(chunk),
                    Milestone.done_on.is_(None),
                    Milestone.due_on >= starts,
                )
            )
        )
    milestones.sort(key=lambda m: (order[m.item_id], m.id))
    if milestones:
        _insert(
            session,
            Milestone,
            [
                {
                    "item_id": new_ids[m.item_id],
                    "title": m.title,
                    "due_on": m.due_on,
                    "weight": m.weight,
                }
                for m in milestones
            ],
        )
    _insert(
        session,
        Update,
        [
            {
                "item_id": new_ids[old],
                "at": now,
                "author_id": actor_id,
                "author_name": "",
                "text": f"从{plan.year}年计划结转（{plan.year}年末进度 {progress[old]}%）。",
                "progress": progress[old],
                "spend_yuan": 0,
            }
            for old in sources
        ],
    )
    return {old: new_ids[old] for old in sources}


def _received(
    session: Session,
    sources: Mapping[int, ItemFromSource],
    progress: Mapping[int, int],
    actor_id: int | None,
) -> dict[int, int]:
    """Next year's item of each old item of ``sources`` (old item id -> its item),
    the one already carried when there is one, else inserted with its audit line:
    what :func:`intake.receive_item` does, a chunk of items a statement. Each starts
    in progress when it had some."""
    by_ref = {source.source_ref: old for old, source in sources.items()}
    refs = list(by_ref)
    found: dict[int, int] = {}
    for chunk in _chunks(refs):
        for item in session.scalars(
            select(PlanItem).where(
                PlanItem.source_kind == SourceKind.CARRIED_OVER.value,
                PlanItem.source_ref.in_(chunk),
            )
        ):
            found[by_ref[item.source_ref]] = item.id
            if progress[by_ref[item.source_ref]] > 0:
                item.status = ItemStatus.IN_PROGRESS.value
    fresh = [old for old in sources if old not in found]
    if not fresh:
        return found
    first = sources[fresh[0]]
    next_plan = plan_for(session, first.area_id, first.year)
    linked = departments.links(session, {sources[old].owner_department for old in fresh})
    rows = []
    for old in fresh:
        source = sources[old]
        department, department_id = linked[source.owner_department]
        rows.append(
            {
                "plan_id": next_plan.id,
                "parent_id": source.parent_id,
                "title": source.title.strip(),
                "description": source.description,
                "source_kind": source.source_kind.value,
                "source_ref": source.source_ref,
                "source_id": source.source_id,
                "owner_department": department,
                "owner_department_id": department_id,
                "owner_account_id": source.owner_account_id,
                "budget_yuan": source.budget_yuan,
                "starts_on": source.starts_on,
                "due_on": source.due_on,
                "created_by": actor_id,
                "status": (
                    ItemStatus.IN_PROGRESS.value if progress[old] > 0 else ItemStatus.PLANNED.value
                ),
            }
        )
    _insert(session, PlanItem, rows)
    inserted: dict[int, int] = {}
    for chunk in _chunks([sources[old].source_ref for old in fresh]):
        for ref, item_id in session.execute(
            select(PlanItem.source_ref, PlanItem.id).where(
                PlanItem.source_kind == SourceKind.CARRIED_OVER.value,
                PlanItem.source_ref.in_(chunk),
            )
        ):
            inserted[by_ref[ref]] = item_id
    audit.record_each(
        session,
        actor_id=actor_id,
        action="plan.item_received",
        details={
            f"plan_item:{inserted[old]}": {
                "source": f"{sources[old].source_kind.value}:{sources[old].source_ref}"
            }
            for old in fresh
        },
    )
    return found | inserted


def outcome_of(session: Session, item_id: int) -> YearEndOutcome | None:
    return session.scalar(select(YearEndOutcome).where(YearEndOutcome.item_id == item_id))
