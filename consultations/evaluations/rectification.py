"""The department's response and rectification (整改) items.

Each rectification demand is stored here and handed to the governance plan
through :func:`participation.plan.intake.receive_item` (kind RECTIFICATION,
reference ``evaluation:<id>:<n>``), so it is delivered and tracked like every
other decision. An item not done by its due date is overdue, shown publicly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from consultations.evaluations.models import DepartmentResponse, Evaluation, Rectification
from participation import audit, departments
from participation.areas import Area
from participation.errors import N_, DomainError
from participation.plan.delivery import post_source_update
from participation.plan.intake import ItemFromSource, receive_item
from participation.plan.models import PlanItem
from participation.plan.rules import MAX_PROGRESS, is_evidence_link
from participation.plan.sources import ItemStatus, SourceKind
from participation.plan.yearend import outcome_of


@dataclass(frozen=True)
class NewRectification:
    title: str
    owner_department: str
    due_on: date


#: The last year the governance plan holds (see participation.plan.intake.check_item).
LAST_PLAN_YEAR = 2100


def is_overdue(item: Rectification, today: date) -> bool:
    return item.status != "done" and item.due_on < today


def post_response(
    session: Session,
    evaluation: Evaluation,
    text: str,
    items: Sequence[NewRectification],
    *,
    actor_id: int,
    now: datetime,
) -> list[Rectification]:
    """The department's formal response with its rectification items (all or nothing)."""
    if evaluation.status != "published":
        raise DomainError(
            "evaluation.unpublished", N_("The report is not published yet."), status=409
        )
    if session.get(DepartmentResponse, evaluation.id) is not None:
        raise DomainError(
            "evaluation.responded", N_("The department has already responded."), status=409
        )
    fields: dict[str, str] = {}
    if len(text.strip()) < 10:
        fields["text"] = N_("Write the department's response (at least 10 characters).")
    # Each item's owner serves the evaluated area (the form offers those).
    area = session.get(Area, evaluation.area_id)
    for item in items:
        if not item.title.strip() or len(item.title) > 200:
            fields["items"] = N_("Each rectification item needs a title of at most 200 characters.")
        if not item.owner_department.strip():
            fields["items"] = N_("Each rectification item needs an owner.")
        else:
            departments.check_serving(session, item.owner_department, area, "items", fields)
        if item.due_on < now.date():
            fields["items"] = N_("A rectification item cannot be due in the past.")
        elif item.due_on.year > LAST_PLAN_YEAR:
            # The governance plan holds years up to 2100 (checked there only after
            # the earlier items were written).
            fields["items"] = N_("A rectification item must be due by the end of 2100.")
    if fields:
        raise DomainError(
            "evaluation.response_invalid", N_("Please correct the marked fields."), fields=fields
        )
    session.add(
        DepartmentResponse(
            evaluation_id=evaluation.id, text=text.strip(), responded_by=actor_id, responded_at=now
        )
    )
    rows = []
    for number, item in enumerate(items, start=1):
        owner, owner_id = departments.link(session, item.owner_department)
        row = Rectification(
            evaluation_id=evaluation.id,
            title=item.title.strip(),
            owner_department=owner,
            owner_department_id=owner_id,
            due_on=item.due_on,
        )
        session.add(row)
        session.flush()
        plan_item = receive_item(
            session,
            ItemFromSource(
                area_id=evaluation.area_id,
                year=item.due_on.year,
                title=f"整改：{row.title}"[:200],
                source_kind=SourceKind.RECTIFICATION,
                source_ref=f"evaluation:{evaluation.id}:{number}",
                source_id=evaluation.id,
                description=evaluation.title,
                owner_department=row.owner_department,
                starts_on=now.date(),
                due_on=item.due_on,
            ),
            actor_id=actor_id,
        )
        row.plan_item_id = plan_item.id
        rows.append(row)
    audit.record(
        session,
        actor_id=actor_id,
        action="evaluation.department_response",
        target=f"evaluation:{evaluation.id}",
    )
    session.flush()
    return rows


def update_rectification(
    session: Session,
    evaluation: Evaluation,
    item_id: int,
    *,
    evidence: str,
    done: bool,
    actor_id: int,
    now: datetime,
) -> Rectification:
    """Record evidence; an item is marked done only with evidence.

    Marking it done reports the delivery on its governance plan item: a public
    update at 100 % carrying the evidence, so the item's status follows (once:
    saving a done item again adds nothing to the plan's timeline).
    """
    row = session.get(Rectification, item_id)
    if row is None or row.evaluation_id != evaluation.id:
        raise DomainError("evaluation.no_item", N_("No such rectification item."), status=404)
    if done and not evidence.strip():
        raise DomainError(
            "evaluation.no_evidence",
            N_("Give the evidence of the rectification before marking it done."),
            fields={
                "evidence": N_("Give the evidence of the rectification before marking it done.")
            },
        )
    newly_done = False
    if done and row.status != "done":
        # Guarded: of two requests marking the same item done at once, one wins, so the
        # plan's timeline gets one update (the other waits for the row, then matches none).
        marked = session.execute(
            update(Rectification)
            .where(Rectification.id == row.id, Rectification.status != "done")
            .values(status="done")
            .execution_options(synchronize_session=False)
        )
        newly_done = marked.rowcount == 1  # type: ignore[attr-defined]
        session.refresh(row)
    row.evidence = evidence.strip()
    row.status = "done" if done else "open"
    if newly_done and row.plan_item_id is not None:
        _report_done(session, row, actor_id=actor_id, now=now)
    audit.record(
        session,
        actor_id=actor_id,
        action="evaluation.rectification",
        target=f"rectification:{row.id}",
        done=done,
    )
    return row


def _report_done(session: Session, row: Rectification, *, actor_id: int, now: datetime) -> None:
    """The plan item's update: the evidence's text in the timeline, its links as evidence.

    An item rolled over at year end lives on in next year's plan, so the update goes
    to the item it was carried to; a dropped or finished-and-rolled-up item takes none.
    """
    item = session.get(PlanItem, row.plan_item_id)
    while item is not None and (outcome := outcome_of(session, item.id)) is not None:
        item = session.get(PlanItem, outcome.carried_to_id) if outcome.carried_to_id else None
    if item is None or item.status == ItemStatus.DROPPED.value:
        return
    lines = [line.strip() for line in row.evidence.splitlines() if line.strip()]
    links = [line for line in lines if is_evidence_link(line)]
    notes = [line for line in lines if line not in links]
    post_source_update(
        session,
        item,
        text="整改完成：" + ("；".join(notes) or "见证明材料。"),
        progress=MAX_PROGRESS,
        evidence="\n".join(links),
        actor_id=actor_id,
        now=now,
    )


def rectifications_of(
    session: Session, evaluation_id: int
) -> list[tuple[Rectification, PlanItem | None]]:
    rows = session.execute(
        select(Rectification, PlanItem)
        .outerjoin(PlanItem, PlanItem.id == Rectification.plan_item_id)
        .where(Rectification.evaluation_id == evaluation_id)
        .order_by(Rectification.id)
    ).all()
    return [(r, p) for r, p in rows]


def overdue_count(session: Session, evaluation_id: int, today: date) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Rectification)
            .where(
                Rectification.evaluation_id == evaluation_id,
                Rectification.status != "done",
                Rectification.due_on < today,
            )
        )
        or 0
    )
