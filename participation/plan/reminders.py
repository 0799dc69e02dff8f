"""Reminding owners of overdue milestones through the e-mail outbox.

One reminder per overdue milestone (the outbox key makes a second run a no-op),
sent to the owner department's mailbox, or else to the e-mail address of the
owner account's linked identity. Milestones with nobody to write to are
counted, so the planner's view can say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import outbox
from participation.accounts import Identity
from participation.departments import Department
from participation.plan.board import refresh_statuses
from participation.plan.models import PlanItem
from participation.plan.records import Milestone, YearEndOutcome
from participation.plan.sources import ItemStatus


@dataclass(frozen=True)
class Reminded:
    queued: int
    no_address: int


def remind_overdue(session: Session, *, today: date, now: datetime, base_url: str) -> Reminded:
    """Queue reminders for overdue milestones and store every open item's current status."""
    refresh_statuses(session, today)
    rows = session.execute(
        select(Milestone, PlanItem)
        .join(PlanItem, PlanItem.id == Milestone.item_id)
        .where(
            Milestone.done_on.is_(None),
            Milestone.due_on < today,
            Milestone.reminded_at.is_(None),
            PlanItem.status.not_in([ItemStatus.DONE.value, ItemStatus.DROPPED.value]),
            # A rolled-up item's open milestones live on in next year's item.
            ~select(YearEndOutcome.id).where(YearEndOutcome.item_id == PlanItem.id).exists(),
        )
        .order_by(Milestone.id)
    ).all()
    queued = no_address = 0
    for milestone, item in rows:
        address = _address(session, item)
        if not address:
            no_address += 1
            continue
        message = outbox.queue(
            session,
            to=address,
            subject=f"【逾期提醒】{item.title}：{milestone.title}",
            body=(
                f"计划事项“{item.title}”的节点“{milestone.title}”应于 {milestone.due_on} 完成，"
                f"目前尚未完成。\n请尽快推进并在平台上更新进度：{base_url}/plan/items/{item.id}\n"
            ),
            key=f"plan-milestone-overdue:{milestone.id}",
            account_id=item.owner_account_id,
        )
        milestone.reminded_at = now
        if message is not None:
            queued += 1
    return Reminded(queued, no_address)


def _address(session: Session, item: PlanItem) -> str:
    if item.owner_department_id is not None:
        email = session.scalar(
            select(Department.email).where(Department.id == item.owner_department_id)
        )
        if email:
            return email
    if item.owner_account_id is not None:
        email = session.scalar(
            select(Identity.email).where(
                Identity.account_id == item.owner_account_id, Identity.email.is_not(None)
            )
        )
        if email:
            return email
    return ""
