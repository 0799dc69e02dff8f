"""The head of a consultation's public page in one statement: the consultation
with its community, its topic and the topic's co-signatures, the quorum's two
counts and the plan item the resolution became. Built once, at import, with
bound parameters; it gives what :func:`meetings.get_consultation`,
:func:`topics.topic_with_cosigners`, :func:`meetings.quorum` and
:func:`decisions.plan_item` give (tests/db/consultations/test_page_reads.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import Session

from consultations.meetings import Quorum
from consultations.models import Attendance, Consultation, Cosignature, Topic
from consultations.rules.journey import quorum_met, quorum_needed
from participation.accounts import Account, RoleGrant
from participation.areas import Area
from participation.errors import N_, DomainError
from participation.plan.models import PlanItem
from participation.plan.sources import SourceKind
from participation.rules.permissions import Role


@dataclass(frozen=True)
class PageHead:
    consultation: Consultation
    area: Area
    topic: Topic
    cosigners: int
    quorum: Quorum
    plan_item: PlanItem | None


_COSIGNERS = (
    select(func.count()).where(Cosignature.topic_id == Consultation.topic_id).scalar_subquery()
)
#: As :func:`representatives.representatives_counted`, for the consultation's community.
_ROSTER = (
    select(func.count())
    .select_from(Account)
    .join(RoleGrant, RoleGrant.account_id == Account.id)
    .where(RoleGrant.role == Role.REPRESENTATIVE.value, RoleGrant.area_id == Consultation.area_id)
    .scalar_subquery()
)
_PRESENT = (
    select(func.count()).where(Attendance.consultation_id == Consultation.id).scalar_subquery()
)
_HEAD = (
    select(Consultation, Area, Topic, _COSIGNERS, _ROSTER, _PRESENT, PlanItem)
    .join(Area, Area.id == Consultation.area_id)
    .join(Topic, Topic.id == Consultation.topic_id)
    .outerjoin(
        PlanItem,
        and_(
            PlanItem.source_kind == SourceKind.CONSULTATION.value,
            PlanItem.source_ref == bindparam("ref"),
        ),
    )
    .where(Consultation.id == bindparam("consultation_id"))
)


_WITH_AREA = (
    select(Consultation, Area)
    .join(Area, Area.id == Consultation.area_id)
    .where(Consultation.id == bindparam("consultation_id"))
)


def consultation_with_area(session: Session, consultation_id: int) -> tuple[Consultation, Area]:
    """The consultation and its community, in one statement: what the opinion block
    alone needs (htmx's ``#opinion`` swap). Hold the area while it is needed: the
    session keeps its objects weakly (a later ``session.get`` finds it while held)."""
    found = session.execute(_WITH_AREA, {"consultation_id": consultation_id}).first()
    if found is None:
        raise DomainError("consultation.not_found", N_("No such consultation."), status=404)
    return found[0], found[1]


def page_head(session: Session, consultation_id: int) -> PageHead:
    found = session.execute(
        _HEAD, {"consultation_id": consultation_id, "ref": f"consultation:{consultation_id}"}
    ).first()
    if found is None:
        raise DomainError("consultation.not_found", N_("No such consultation."), status=404)
    c, area, topic, cosigners, roster, present, item = found
    roster, present = int(roster or 0), int(present or 0)
    n, d = c.quorum_numerator, c.quorum_denominator
    return PageHead(
        consultation=c,
        area=area,
        topic=topic,
        cosigners=int(cosigners or 0),
        quorum=Quorum(
            present, roster, quorum_needed(roster, n, d), quorum_met(present, roster, n, d)
        ),
        plan_item=item,
    )
