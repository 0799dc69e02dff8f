"""Delivering plan items: direct entry, edits, milestones and the owners' updates.

Ownership: an item may be delivered (updates posted, milestones marked done) by
its owner account, or by anyone holding MANAGE_PLAN on the plan's area (staff
of the departments and community workers there). Everybody else is refused
with a message saying who may post, and nothing is stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import audit, departments
from participation.accounts import Account, grants_of
from participation.areas import Area
from participation.errors import N_, DomainError
from participation.notifying import audiences, kinds
from participation.notifying.fanout import fan_out
from participation.plan.board import local_today, refresh_statuses, store_board_statuses
from participation.plan.intake import ItemFromSource, check_item, receive_item
from participation.plan.models import Plan, PlanItem
from participation.plan.records import Milestone, Update, YearEndOutcome
from participation.plan.rules import (
    MAX_PROGRESS,
    Step,
    backward_schedule,
    date_problem,
    is_evidence_link,
    milestone_weights_problem,
    progress_problem,
    weight_problem,
)
from participation.plan.sources import ItemStatus, SourceKind
from participation.rules.permissions import Decision, Permission, allows


def get_item(session: Session, item_id: int) -> PlanItem:
    item = session.get(PlanItem, item_id)
    if item is None:
        raise DomainError("plan.item_not_found", N_("No such plan item."), status=404)
    return item


def area_of(session: Session, item: PlanItem) -> Area:
    plan = session.get(Plan, item.plan_id)
    assert plan is not None
    area = session.get(Area, plan.area_id)
    assert area is not None
    return area


def may_manage(session: Session, actor_id: int | None, area: Area) -> bool:
    if actor_id is None:
        return False
    decision = allows(True, grants_of(session, actor_id), Permission.MANAGE_PLAN, area.path)
    return decision is Decision.ALLOW


def may_deliver(session: Session, item: PlanItem, actor_id: int | None) -> bool:
    """The owner account, or plan staff of the item's area."""
    if actor_id is not None and item.owner_account_id == actor_id:
        return True
    return may_manage(session, actor_id, area_of(session, item))


def _require_delivery(session: Session, item: PlanItem, actor_id: int | None) -> None:
    if not may_deliver(session, item, actor_id):
        raise DomainError(
            "plan.not_owner",
            N_("Only the item's owner or plan staff of its area may post progress."),
            status=403,
        )


def _require_open(session: Session, item: PlanItem) -> None:
    """Dropped and rolled-up items take no more changes (a carried item lives on in
    next year's plan). A done item still takes updates: a correction is a new update."""
    rolled_up = session.scalar(select(YearEndOutcome.id).where(YearEndOutcome.item_id == item.id))
    if item.status == ItemStatus.DROPPED.value or rolled_up is not None:
        raise DomainError("plan.item_closed", N_("This item is closed; it takes no more changes."))


@dataclass(frozen=True)
class DirectItem:
    area_id: int
    year: int
    title: str
    description: str = ""
    owner_department: str = ""
    owner_account_id: int | None = None
    budget_yuan: int = 0
    starts_on: date | None = None
    due_on: date | None = None
    parent_id: int | None = None
    weight: int = 1  # share of the parent's progress


def _check_parent(session: Session, new: DirectItem) -> None:
    if new.parent_id is None:
        return
    parent = session.get(PlanItem, new.parent_id)
    plan = session.get(Plan, parent.plan_id) if parent else None
    if plan is None or (plan.area_id, plan.year) != (new.area_id, new.year):
        message = N_("The parent must be an item of the same plan (area and year).")
        raise DomainError("plan.parent", message, fields={"parent_id": message})
    problem = weight_problem(new.weight)
    if problem:
        raise DomainError("plan.weight", problem, fields={"weight": problem})


def enter_item(session: Session, new: DirectItem, *, actor_id: int | None) -> PlanItem:
    """Staff put an item on the plan directly (SourceKind.DIRECT), optionally as a part
    of a parent item of the same plan, whose progress is rolled up from its parts."""
    _check_parent(session, new)
    departments.require(session, new.owner_department, "owner_department", optional=True)
    if new.owner_account_id is not None and session.get(Account, new.owner_account_id) is None:
        raise DomainError(
            "plan.owner_unknown",
            N_("No account with this number."),
            fields={"owner_account_id": N_("No account with this number.")},
        )
    ref = f"direct:{uuid.uuid4().hex[:16]}"
    item = receive_item(
        session,
        ItemFromSource(
            area_id=new.area_id,
            year=new.year,
            title=new.title,
            source_kind=SourceKind.DIRECT,
            source_ref=ref,
            description=new.description,
            owner_department=new.owner_department,
            owner_account_id=new.owner_account_id,
            budget_yuan=new.budget_yuan,
            starts_on=new.starts_on,
            due_on=new.due_on,
            parent_id=new.parent_id,
        ),
        actor_id=actor_id,
    )
    item.weight = new.weight
    if new.parent_id is not None:  # the parent's rolled-up progress takes the weight
        store_board_statuses(session, local_today(), [item.id])
    return item


def milestones_of(session: Session, item_id: int) -> Sequence[Milestone]:
    return session.scalars(
        select(Milestone)
        .where(Milestone.item_id == item_id)
        .order_by(Milestone.due_on, Milestone.id)
    ).all()


def edit_item(
    session: Session,
    item: PlanItem,
    *,
    owner_department: str,
    owner_account_id: int | None,
    budget_yuan: int,
    starts_on: date | None,
    due_on: date | None,
    actor_id: int | None,
) -> None:
    """Change an item's owner, budget and dates; its milestones must still fit."""
    _require_open(session, item)
    check_item(
        ItemFromSource(
            area_id=0,
            year=2000,
            title=item.title,
            source_kind=SourceKind.DIRECT,
            source_ref="check",
            budget_yuan=budget_yuan,
            starts_on=starts_on,
            due_on=due_on,
        )
    )
    department = departments.require(session, owner_department, "owner_department", optional=True)
    if owner_account_id is not None and session.get(Account, owner_account_id) is None:
        raise DomainError(
            "plan.owner_unknown",
            N_("No account with this number."),
            fields={"owner_account_id": N_("No account with this number.")},
        )
    for milestone in milestones_of(session, item.id):
        if date_problem(starts_on, due_on, milestone.due_on):
            raise DomainError(
                "plan.milestone_outside",
                N_("A milestone would fall outside the new dates; move it first."),
                fields={
                    "due_on": N_("A milestone would fall outside the new dates; move it first.")
                },
            )
    before: dict[str, object] = {
        "owner_department": item.owner_department,
        "owner_account_id": item.owner_account_id,
        "budget_yuan": item.budget_yuan,
        "starts_on": item.starts_on,
        "due_on": item.due_on,
    }
    item.owner_department = department.name if department else ""
    item.owner_department_id = department.id if department else None
    item.owner_account_id = owner_account_id
    item.budget_yuan = budget_yuan
    item.starts_on = starts_on
    item.due_on = due_on
    store_board_statuses(session, local_today(), [item.id])  # the due date moved
    audit.record(
        session,
        actor_id=actor_id,
        action="plan.item_edit",
        target=f"plan_item:{item.id}",
        before=before,
    )


def add_milestone(
    session: Session,
    item: PlanItem,
    *,
    title: str,
    due_on: date,
    weight: int,
    actor_id: int | None,
) -> Milestone:
    """Add a milestone due within the item's dates; weights stay within 100 %."""
    _require_open(session, item)
    fields: dict[str, str] = {}
    if not title.strip() or len(title) > 200:
        fields["title"] = N_("A milestone needs a title of at most 200 characters.")
    problem = date_problem(item.starts_on, item.due_on, due_on)
    if problem:
        fields["due_on"] = problem
    existing = [m.weight for m in milestones_of(session, item.id)]
    problem = milestone_weights_problem(existing, weight)
    if problem:
        fields["weight"] = problem
    if fields:
        raise DomainError("plan.milestone_invalid", next(iter(fields.values())), fields=fields)
    milestone = Milestone(
        item_id=item.id, title=title.strip(), due_on=due_on, weight=weight, created_by=actor_id
    )
    session.add(milestone)
    session.flush()
    store_board_statuses(session, local_today(), [item.id])  # a milestone may be late
    audit.record(
        session,
        actor_id=actor_id,
        action="plan.milestone_add",
        target=f"plan_item:{item.id}",
        milestone=milestone.id,
        due_on=due_on,
    )
    return milestone


def schedule_backward(
    session: Session,
    item: PlanItem,
    steps: Sequence[tuple[Step, int]],
    *,
    actor_id: int | None,
) -> list[Milestone]:
    """Add one milestone per ``(step, weight)``, due dates counted back from the end (倒排工期)."""
    if item.starts_on is None or item.due_on is None:
        raise DomainError(
            "plan.no_dates", N_("Set the item's start and end dates before scheduling.")
        )
    schedule = backward_schedule(item.starts_on, item.due_on, [step for step, _ in steps])
    if schedule.problem:
        raise DomainError("plan.schedule", schedule.problem, fields={"steps": schedule.problem})
    existing = [m.weight for m in milestones_of(session, item.id)]
    total = [*existing]
    for _, weight in steps:
        problem = milestone_weights_problem(total, weight)
        if problem:
            raise DomainError("plan.schedule", problem, fields={"steps": problem})
        total.append(weight)
    return [
        add_milestone(session, item, title=step.title, due_on=due, weight=weight, actor_id=actor_id)
        for (step, weight), due in zip(steps, schedule.due_dates, strict=True)
    ]


def complete_milestone(
    session: Session,
    item: PlanItem,
    milestone_id: int,
    *,
    done_on: date,
    evidence: str,
    today: date,
    actor_id: int | None,
) -> Milestone:
    _require_delivery(session, item, actor_id)
    _require_open(session, item)
    milestone = session.get(Milestone, milestone_id)
    if milestone is None or milestone.item_id != item.id:
        raise DomainError("plan.milestone_not_found", N_("No such milestone."), status=404)
    if milestone.done_on is not None:
        raise DomainError("plan.milestone_done", N_("This milestone is already done."))
    if done_on > today:
        raise DomainError(
            "plan.future",
            N_("The date cannot be in the future."),
            fields={"done_on": N_("The date cannot be in the future.")},
        )
    milestone.done_on = done_on
    milestone.evidence = evidence.strip()
    audit.record(
        session,
        actor_id=actor_id,
        action="plan.milestone_done",
        target=f"plan_item:{item.id}",
        milestone=milestone.id,
        done_on=done_on,
    )
    session.flush()
    refresh_statuses(session, today, [item.id])
    return milestone


def latest_update(session: Session, item_id: int) -> Update | None:
    return session.scalar(
        select(Update).where(Update.item_id == item_id).order_by(Update.at.desc(), Update.id.desc())
    )


def post_update(
    session: Session,
    item: PlanItem,
    *,
    text: str,
    progress: int,
    spend_yuan: int,
    evidence: str,
    actor_id: int | None,
    now: datetime,
) -> Update:
    """Append to the item's public timeline; the item's status follows the progress.

    Invariant: updates are never edited; the reported progress is the latest
    update's, the spend the sum of all updates'.
    """
    _require_delivery(session, item, actor_id)
    return _append_update(
        session,
        item,
        text=text,
        progress=progress,
        spend_yuan=spend_yuan,
        evidence=evidence,
        actor_id=actor_id,
        now=now,
    )


def post_source_update(
    session: Session,
    item: PlanItem,
    *,
    text: str,
    progress: int,
    evidence: str,
    actor_id: int | None,
    now: datetime,
) -> Update:
    """The process the item came from reports delivery it has itself verified, e.g. an
    evaluation's rectification marked done, with evidence, by the responsible department.

    The caller has authorised the actor under its own permission (the department
    need not own the plan item); the same checks as :func:`post_update` apply
    otherwise, and the item's status follows the progress in the same way.
    """
    return _append_update(
        session,
        item,
        text=text,
        progress=progress,
        spend_yuan=0,
        evidence=evidence,
        actor_id=actor_id,
        now=now,
    )


def _append_update(
    session: Session,
    item: PlanItem,
    *,
    text: str,
    progress: int,
    spend_yuan: int,
    evidence: str,
    actor_id: int | None,
    now: datetime,
) -> Update:
    _require_open(session, item)
    fields: dict[str, str] = {}
    if not text.strip():
        fields["text"] = N_("Say what was done.")
    problem = progress_problem(progress)
    if problem:
        fields["progress"] = problem
    if spend_yuan < 0:
        fields["spend_yuan"] = N_("The amount spent cannot be negative.")
    links = [line.strip() for line in evidence.splitlines() if line.strip()]
    if not all(is_evidence_link(link) for link in links):
        fields["evidence"] = N_("Give each photo or document as a link, one per line.")
    if fields:
        raise DomainError("plan.update_invalid", next(iter(fields.values())), fields=fields)
    author = session.get(Account, actor_id) if actor_id is not None else None
    update = Update(
        item_id=item.id,
        at=now,
        author_id=actor_id,
        author_name=author.display_name if author else "",
        text=text.strip(),
        progress=progress,
        spend_yuan=spend_yuan,
        evidence="\n".join(links),
    )
    session.add(update)
    if progress >= MAX_PROGRESS:
        item.status = ItemStatus.DONE.value
    elif progress > 0 or item.status == ItemStatus.DONE.value:
        item.status = ItemStatus.IN_PROGRESS.value  # a done item corrected below 100 reopens
    session.flush()
    if item.status != ItemStatus.DONE.value:
        refresh_statuses(session, now.date(), [item.id])  # late stays late
    else:
        store_board_statuses(session, now.date(), [item.id])
    fan_out(
        session,
        event=f"plan.updated:{update.id}",
        kind="plan.updated",
        message=kinds.PLAN_UPDATED,
        recipients=audiences.followers("plan_item", item.id),
        now=now,
        link=f"/plan/items/{item.id}",
        params={"title": item.title},
    )
    return update


def updates_of(session: Session, item_id: int) -> Sequence[Update]:
    """The item's public timeline, newest first."""
    return session.scalars(
        select(Update).where(Update.item_id == item_id).order_by(Update.at.desc(), Update.id.desc())
    ).all()


def child_ids(session: Session, item_id: int) -> list[int]:
    return list(session.scalars(select(PlanItem.id).where(PlanItem.parent_id == item_id)))
