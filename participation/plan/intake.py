"""How every process hands its result to the governance plan.

Livelihood projects, community budgets, consultations, evaluations and
year-end votes all call :func:`receive_item`; nothing else creates items from
a source. It is idempotent per source, so a retried request or two workers
publishing the same result at once still yield exactly one item.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from participation import audit, departments
from participation.areas import Area
from participation.errors import N_, DomainError
from participation.plan.board import local_today, store_board_statuses
from participation.plan.models import Plan, PlanItem
from participation.plan.sources import SourceKind

K = TypeVar("K")


@dataclass(frozen=True)
class ItemFromSource:
    """A decision to be delivered, as the deciding process states it."""

    area_id: int
    year: int
    title: str
    source_kind: SourceKind
    source_ref: str
    # The record the decision was taken in, of the kind sources.RECORD_OF_KIND names.
    source_id: int | None = None
    description: str = ""
    owner_department: str = ""
    owner_account_id: int | None = None
    budget_yuan: int = 0
    starts_on: date | None = None
    due_on: date | None = None
    parent_id: int | None = None


def check_item(item: ItemFromSource) -> None:
    """Refuse an item that could not be delivered or shown (nothing is stored)."""
    fields: dict[str, str] = {}
    if not item.title.strip():
        fields["title"] = N_("A plan item needs a title.")
    elif len(item.title) > 200:
        fields["title"] = N_("The title is too long (at most 200 characters).")
    if item.budget_yuan < 0:
        fields["budget_yuan"] = N_("The budget cannot be negative.")
    if item.starts_on and item.due_on and item.due_on < item.starts_on:
        fields["due_on"] = N_("The due date is before the start date.")
    if not 2000 <= item.year <= 2100:
        fields["year"] = N_("The year is not valid.")
    if not item.source_ref.strip():
        fields["source_ref"] = N_("The item must name its source.")
    if fields:
        raise DomainError("plan.item_invalid", next(iter(fields.values())), fields=fields)


def plan_for(session: Session, area_id: int, year: int) -> Plan:
    """The area's plan for the year, created on first use (race-safe)."""
    plan = session.scalar(select(Plan).where(Plan.area_id == area_id, Plan.year == year))
    if plan is not None:
        return plan
    area = session.get(Area, area_id)
    if area is None:
        raise DomainError("plan.area_unknown", "This area does not exist.", status=404)
    try:
        with session.begin_nested():
            plan = Plan(area_id=area_id, year=year, title=f"{area.name} {year}")
            session.add(plan)
    except IntegrityError:
        # Another request created it between our read and our insert.
        plan = session.scalars(select(Plan).where(Plan.area_id == area_id, Plan.year == year)).one()
    return plan


def item_for_source(session: Session, kind: SourceKind, ref: str) -> PlanItem | None:
    """The item that a decision became, for the source page's back link."""
    return session.scalar(
        select(PlanItem).where(PlanItem.source_kind == kind.value, PlanItem.source_ref == ref)
    )


def items_for_sources(
    session: Session, kind: SourceKind, refs: Mapping[str, K]
) -> dict[K, PlanItem]:
    """The items of ``kind`` whose source is a key of ``refs``, each under the value
    that key maps to, in one query; a source not on the plan is left out."""
    if not refs:
        return {}
    items = session.scalars(
        select(PlanItem).where(
            PlanItem.source_kind == kind.value, PlanItem.source_ref.in_(list(refs))
        )
    )
    return {refs[item.source_ref]: item for item in items}


def receive_item(
    session: Session, item: ItemFromSource, *, actor_id: int | None, store_status: bool = True
) -> PlanItem:
    """Put a decision on the plan; return the existing item if it is already there.

    Invariant: at most one item per ``(source_kind, source_ref)``, also when two
    transactions receive the same source concurrently. Does not commit. Without
    ``store_status`` the caller stores the new item's board status itself
    (``board.store_board_statuses``), as the year-end roll-up does once for every
    item it carries.
    """
    check_item(item)
    existing = item_for_source(session, item.source_kind, item.source_ref)
    if existing is not None:
        return existing
    plan = plan_for(session, item.area_id, item.year)
    # The deciding process hands over a name; it is the record's when there is one.
    department, department_id = departments.link(session, item.owner_department)
    row = PlanItem(
        plan_id=plan.id,
        parent_id=item.parent_id,
        title=item.title.strip(),
        description=item.description,
        source_kind=item.source_kind.value,
        source_ref=item.source_ref,
        source_id=item.source_id,
        owner_department=department,
        owner_department_id=department_id,
        owner_account_id=item.owner_account_id,
        budget_yuan=item.budget_yuan,
        starts_on=item.starts_on,
        due_on=item.due_on,
        created_by=actor_id,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        found = item_for_source(session, item.source_kind, item.source_ref)
        if found is None:
            raise
        return found
    if store_status:
        store_board_statuses(session, local_today(), [row.id])
    audit.record(
        session,
        actor_id=actor_id,
        action="plan.item_received",
        target=f"plan_item:{row.id}",
        source=f"{item.source_kind.value}:{item.source_ref}",
    )
    return row
