"""What the evaluation pages list: the public list and its filters, an evaluation's
links, the open-data list, and an organization's back-office overview.

Read-only queries, one per list (never one per row): the pages call these and render.
Invariant: the public list and the open data show only evaluations past their draft
(``PUBLIC_STATUSES``; the open data only published ones).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultations.evaluations.models import (
    DepartmentResponse,
    Evaluation,
    Panel,
)
from participation.accounts import Account
from participation.areas import Area
from participation.organizations.models import Organization, OrgMember
from participation.organizations.registry import orgs_of
from participation.plan.models import PlanItem

#: The statuses shown to the public (a draft is its organization's alone).
PUBLIC_STATUSES = ("collecting", "closed", "published")
#: Area kinds offered in the public list's filter.
FILTER_AREA_KINDS = ("district", "street", "community")


def public_evaluations(
    session: Session, *, area_id: int = 0, org_id: int = 0, subject_kind: str = ""
) -> list[tuple[Evaluation, Organization, Area]]:
    """Public evaluations, newest first, with their organization and area; filtered by
    an area (and every area below it), an organization and a kind of subject (an
    unknown area filters nothing, 0 and "" mean no filter)."""
    query = (
        select(Evaluation, Organization, Area)
        .join(Organization, Organization.id == Evaluation.org_id)
        .join(Area, Area.id == Evaluation.area_id)
        .where(Evaluation.status.in_(PUBLIC_STATUSES))
        .order_by(Evaluation.id.desc())
    )
    area = session.get(Area, area_id) if area_id else None
    if area is not None:
        query = query.where(Area.path.startswith(area.path))
    if org_id:
        query = query.where(Evaluation.org_id == org_id)
    if subject_kind:
        query = query.where(Evaluation.subject_kind == subject_kind)
    return [(e, o, a) for e, o, a in session.execute(query).all()]


@dataclass(frozen=True)
class ListFilters:
    """The choices of the public list's filters."""

    orgs: Sequence[Organization]
    areas: Sequence[Area]


def list_filters(session: Session) -> ListFilters:
    """Verified organizations by name; districts, streets and communities in tree order."""
    orgs = session.scalars(
        select(Organization).where(Organization.status == "verified").order_by(Organization.name)
    ).all()
    areas = session.scalars(
        select(Area).where(Area.kind.in_(FILTER_AREA_KINDS)).order_by(Area.path)
    ).all()
    return ListFilters(orgs, areas)


def drawn_panels(session: Session) -> Sequence[Panel]:
    """Panel reviews whose order is drawn (public from then on), newest first."""
    return session.scalars(
        select(Panel).where(Panel.draw_seed.is_not(None)).order_by(Panel.id.desc())
    ).all()


@dataclass(frozen=True)
class Links:
    """What an evaluation's page links to besides its report."""

    previous: Evaluation | None  # the evaluation this one re-evaluates
    later: Sequence[Evaluation]  # public re-evaluations of this one, oldest first
    plan_item: PlanItem | None  # the governance plan item evaluated
    department_response: DepartmentResponse | None


def links_of(session: Session, evaluation: Evaluation) -> Links:
    """The evaluation's earlier and later evaluations, plan item and department response."""
    later = session.scalars(
        select(Evaluation)
        .where(Evaluation.previous_id == evaluation.id, Evaluation.status.in_(PUBLIC_STATUSES))
        .order_by(Evaluation.id)
    ).all()
    return Links(
        previous=session.get(Evaluation, evaluation.previous_id)
        if evaluation.previous_id
        else None,
        later=later,
        plan_item=session.get(PlanItem, evaluation.plan_item_id)
        if evaluation.plan_item_id
        else None,
        department_response=session.get(DepartmentResponse, evaluation.id),
    )


def published_evaluations(
    session: Session, *, area_id: int | None = None
) -> list[tuple[Evaluation, Organization]]:
    """Published evaluations with their organization, most recently published first;
    with ``area_id``, only those of that area and the areas below it (none when the
    area does not exist)."""
    query = (
        select(Evaluation, Organization)
        .join(Organization, Organization.id == Evaluation.org_id)
        .where(Evaluation.status == "published")
        .order_by(Evaluation.published_at.desc())
    )
    if area_id is not None:
        area = session.get(Area, area_id)
        if area is None:
            return []
        query = query.join(Area, Area.id == Evaluation.area_id).where(
            Area.path.startswith(area.path)
        )
    return [(e, o) for e, o in session.execute(query).all()]


def published_page(
    session: Session, *, area_id: int | None = None, after: int = 0, limit: int = 100
) -> list[tuple[Evaluation, Organization]]:
    """At most ``limit`` of :func:`published_evaluations` (most recently published
    first, then by id down; same area filter), after the evaluation of id ``after``
    (0: from the first): one statement."""
    query = (
        select(Evaluation, Organization)
        .join(Organization, Organization.id == Evaluation.org_id)
        .where(Evaluation.status == "published")
    )
    if area_id is not None:
        within = select(Area.path).where(Area.id == area_id).scalar_subquery()
        query = query.join(Area, Area.id == Evaluation.area_id).where(Area.path.startswith(within))
    if after:
        last = select(Evaluation.published_at).where(Evaluation.id == after).scalar_subquery()
        query = query.where(
            (Evaluation.published_at < last)
            | ((Evaluation.published_at == last) & (Evaluation.id < after))
        )
    query = query.order_by(Evaluation.published_at.desc(), Evaluation.id.desc()).limit(limit)
    return [(e, o) for e, o in session.execute(query).all()]


def participation_count(session: Session, evaluation_id: int) -> int:
    """How many have responded (responses stay sealed until collection closes):
    the evaluation's count, kept by the service that stores a response."""
    return int(
        session.scalar(select(Evaluation.response_count).where(Evaluation.id == evaluation_id)) or 0
    )


@dataclass(frozen=True)
class Overview:
    """An account's organizations with their members, evaluations and panel reviews."""

    orgs: Sequence[Organization]
    members: dict[int, list[tuple[OrgMember, str]]]  # org id -> (member, display name)
    evaluations: Sequence[Evaluation]
    panels: Sequence[Panel]


def overview_of(session: Session, account_id: int) -> Overview:
    """The back office's overview for ``account_id``: four queries, however many
    organizations the account belongs to."""
    orgs = orgs_of(session, account_id)
    org_ids = [o.id for o in orgs]
    members: dict[int, list[tuple[OrgMember, str]]] = {o.id: [] for o in orgs}
    for member, name in session.execute(
        select(OrgMember, Account.display_name)
        .join(Account, Account.id == OrgMember.account_id)
        .where(OrgMember.org_id.in_(org_ids))
        .order_by(OrgMember.id)
    ).all():
        members[member.org_id].append((member, name))
    evaluations = session.scalars(
        select(Evaluation).where(Evaluation.org_id.in_(org_ids)).order_by(Evaluation.id.desc())
    ).all()
    panels = session.scalars(
        select(Panel).where(Panel.org_id.in_(org_ids)).order_by(Panel.id.desc())
    ).all()
    return Overview(orgs, members, evaluations, panels)
