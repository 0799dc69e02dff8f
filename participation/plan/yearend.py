"""Closing a plan's year (年终盘点): every item gets an outcome, unfinished ones carry over.

Each item of the plan is classified by :func:`participation.plan.rules.classify_year_end`:
finished, dropped (a reason is required), or carried over (delayed or continuing).
A carried item enters next year's plan through :func:`receive_item` with
SourceKind.CARRIED_OVER and a reference to the old item, so running the roll-up
twice, or from two requests at once, never carries an item twice; its history
stays on the old item, which the new one links to, and its progress is carried
as the new item's first update.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import audit
from participation.errors import N_, DomainError
from participation.plan.board import ItemView, item_views, store_board_statuses
from participation.plan.intake import ItemFromSource, receive_item
from participation.plan.models import Plan, PlanItem
from participation.plan.records import Milestone, Update, YearEndOutcome
from participation.plan.rules import Outcome, YearEnd, classify_year_end
from participation.plan.sources import ItemStatus, SourceKind


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
    """Give every item of ``plan`` its year-end outcome and carry the unfinished over."""
    year_end = date(plan.year, 12, 31)
    if rolled_up(session, plan):
        raise DomainError("plan.rolled_up", N_("This plan's year has already been rolled up."))
    views = plan_views(session, plan, today)
    if not views:
        raise DomainError("plan.empty", N_("This plan has no items to roll up."))
    outcomes: dict[int, Outcome] = {}
    carried: dict[int, int] = {}
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
        outcome = YearEndOutcome(
            item_id=item.id,
            outcome=result.outcome.value,
            reason=result.reason,
            progress=view.progress,
            decided_at=now,
            decided_by=actor_id,
        )
        outcomes[item.id] = result.outcome
        if result.outcome is Outcome.FINISHED:
            item.status = ItemStatus.DONE.value
        elif result.outcome is Outcome.DROPPED:
            item.status = ItemStatus.DROPPED.value
        else:
            item.status = ItemStatus.DELAYED.value
            new = _carry(session, plan, item, result.outcome, view.progress, now, actor_id)
            outcome.carried_to_id = new.id
            carried[item.id] = new.id
        session.add(outcome)
    session.flush()
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


def _carry(
    session: Session,
    plan: Plan,
    item: PlanItem,
    outcome: Outcome,
    progress: int,
    now: datetime,
    actor_id: int | None,
) -> PlanItem:
    next_year = plan.year + 1
    # A continuing item keeps its dates; a delayed one needs a new end date,
    # which the planner's view lists as a decision to take.
    continuing = outcome is Outcome.CONTINUING
    new = receive_item(
        session,
        ItemFromSource(
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
            starts_on=date(next_year, 1, 1),
            due_on=item.due_on if continuing else None,
        ),
        actor_id=actor_id,
        # roll_up_year stores every carried item's status at the end, in one go: per
        # item it was most of a city plan's roll-up (a statement built and run each).
        store_status=False,
    )
    if continuing:
        for m in session.scalars(
            select(Milestone).where(
                Milestone.item_id == item.id,
                Milestone.done_on.is_(None),
                Milestone.due_on >= date(next_year, 1, 1),
            )
        ):
            session.add(Milestone(item_id=new.id, title=m.title, due_on=m.due_on, weight=m.weight))
    session.add(
        Update(
            item_id=new.id,
            at=now,
            author_id=actor_id,
            author_name="",
            text=f"从{plan.year}年计划结转（{plan.year}年末进度 {progress}%）。",
            progress=progress,
            spend_yuan=0,
        )
    )
    if progress > 0:
        new.status = ItemStatus.IN_PROGRESS.value
    return new


def outcome_of(session: Session, item_id: int) -> YearEndOutcome | None:
    return session.scalar(select(YearEndOutcome).where(YearEndOutcome.item_id == item_id))
