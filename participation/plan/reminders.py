"""Reminding owners of overdue milestones through the e-mail outbox.

One reminder per overdue milestone (the outbox key makes a second run a no-op),
sent to the owner department's mailbox, or else to the e-mail address of the
owner account's linked identity. Milestones with nobody to write to are
counted, so the planner's view can say so.
"""

from __future__ import annotations

from collections.abc import Callable
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


#: Overdue milestones read (with their items and addresses) per batch.
CHUNK = 500


def remind_overdue(session: Session, *, today: date, now: datetime, base_url: str) -> Reminded:
    """Queue reminders for overdue milestones and store every open item's current status.

    The statuses are stored set-based (``refresh_statuses``: computed in SQL, only the
    changed ones written); the milestones still to remind are read ``CHUNK`` at a time
    by id, each batch's mailboxes in two statements, not per milestone."""
    refresh_statuses(session, today)
    queued = no_address = 0
    after = 0
    while True:
        rows = session.execute(
            select(Milestone, PlanItem)
            .join(PlanItem, PlanItem.id == Milestone.item_id)
            .where(
                Milestone.id > after,
                Milestone.done_on.is_(None),
                Milestone.due_on < today,
                Milestone.reminded_at.is_(None),
                PlanItem.status.not_in([ItemStatus.DONE.value, ItemStatus.DROPPED.value]),
                # A rolled-up item's open milestones live on in next year's item.
                ~select(YearEndOutcome.id).where(YearEndOutcome.item_id == PlanItem.id).exists(),
            )
            .order_by(Milestone.id)
            .limit(CHUNK)
        ).all()
        if not rows:
            break
        after = rows[-1][0].id
        addresses = _addresses(session, [item for _, item in rows])
        for milestone, item in rows:
            address = addresses(item)
            if not address:
                no_address += 1
                continue
            message = outbox.queue(
                session,
                to=address,
                subject=f"【逾期提醒】{item.title}：{milestone.title}",
                body=(
                    f"计划事项“{item.title}”的节点“{milestone.title}”应于 {milestone.due_on} "
                    f"完成，目前尚未完成。\n请尽快推进并在平台上更新进度："
                    f"{base_url}/plan/items/{item.id}\n"
                ),
                key=f"plan-milestone-overdue:{milestone.id}",
                account_id=item.owner_account_id,
            )
            milestone.reminded_at = now
            if message is not None:
                queued += 1
        session.flush()
        if len(rows) < CHUNK:
            break
    return Reminded(queued, no_address)


def _addresses(session: Session, items: list[PlanItem]) -> Callable[[PlanItem], str]:
    """Where to write about each of ``items``: the owner department's mailbox, else
    the e-mail of the owner account's identity (two statements for the batch)."""
    departments = {i.owner_department_id for i in items if i.owner_department_id is not None}
    accounts = {i.owner_account_id for i in items if i.owner_account_id is not None}
    by_department = (
        dict(
            session.execute(
                select(Department.id, Department.email).where(Department.id.in_(departments))
            ).all()
        )
        if departments
        else {}
    )
    by_account: dict[int, str] = {}
    if accounts:
        for account, email in session.execute(
            select(Identity.account_id, Identity.email)
            .where(Identity.account_id.in_(accounts), Identity.email.is_not(None))
            .order_by(Identity.id)
        ):
            if email:
                by_account.setdefault(account, email)

    def address(item: PlanItem) -> str:
        if item.owner_department_id is not None and by_department.get(item.owner_department_id):
            return str(by_department[item.owner_department_id])
        if item.owner_account_id is not None and by_account.get(item.owner_account_id):
            return by_account[item.owner_account_id]
        return ""

    return address
