"""Supervision visits (督查) by people's-congress deputies and deliberation representatives."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import audit
from participation.accounts import Account, grants_of
from participation.errors import N_, DomainError
from participation.plan.delivery import area_of
from participation.plan.models import PlanItem
from participation.plan.records import Visit
from participation.rules.areas import is_within
from participation.rules.permissions import Grant, Role

SUPERVISING_ROLES = (Role.DEPUTY, Role.REPRESENTATIVE, Role.ADMIN)


def supervising_role(session: Session, actor_id: int, area_path: str) -> Role | None:
    """The role in which the person supervises this area: deputy before representative."""
    return supervising_role_of(grants_of(session, actor_id), area_path)


def supervising_role_of(grants: Iterable[Grant], area_path: str) -> Role | None:
    """:func:`supervising_role` from grants already read (a page's signed-in person's)."""
    roles = {
        grant.role
        for grant in grants
        if grant.area_path is None or is_within(area_path, grant.area_path)
    }
    return next((role for role in SUPERVISING_ROLES if role in roles), None)


def record_visit(
    session: Session,
    item: PlanItem,
    *,
    visited_on: date,
    findings: str,
    today: date,
    actor_id: int,
) -> Visit:
    """A deputy or representative of the item's area records what they found."""
    area = area_of(session, item)
    role = supervising_role(session, actor_id, area.path)
    if role is None:
        raise DomainError(
            "plan.not_supervisor",
            N_("Only deputies and representatives of this area may record visits."),
            status=403,
        )
    fields: dict[str, str] = {}
    if not findings.strip():
        fields["findings"] = N_("Write down what you found.")
    if visited_on > today:
        fields["visited_on"] = N_("The date cannot be in the future.")
    if fields:
        raise DomainError("plan.visit_invalid", next(iter(fields.values())), fields=fields)
    account = session.get(Account, actor_id)
    assert account is not None
    visit = Visit(
        item_id=item.id,
        visitor_id=actor_id,
        visitor_name=account.display_name,
        visitor_role=role.value,
        visited_on=visited_on,
        findings=findings.strip(),
    )
    session.add(visit)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="plan.visit",
        target=f"plan_item:{item.id}",
        visit=visit.id,
    )
    return visit


def visits_of(session: Session, item_id: int) -> Sequence[Visit]:
    return session.scalars(
        select(Visit)
        .where(Visit.item_id == item_id)
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
    ).all()
