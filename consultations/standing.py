"""Gather the facts of :mod:`consultations.rules.standing` for one account, and
refuse (403, nothing stored) those the consultation does not concern."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Date, Integer, Select, bindparam, select
from sqlalchemy.orm import Session

from consultations.models import Consultation, Participant, RepresentativeTerm, RosterEntry
from consultations.rules.standing import Refusal, Standing
from participation.accounts import grants_of
from participation.areas import get_area
from participation.errors import N_, DomainError
from participation.organizations.models import Organization, OrgMember
from participation.rolls import RollEntry
from participation.rules.permissions import Decision, Grant, Permission, allows

REFUSALS = {
    Refusal.NOT_VERIFIED: N_(
        "Only verified residents of this community and the consultation's listed "
        "participants can take part. Verify against the resident roll to join in."
    ),
    Refusal.OTHER_COMMUNITY: N_(
        "Only residents of this community and the consultation's listed participants "
        "can take part; you are registered in another community."
    ),
}


@cache
def _standing_statement() -> Select[Any]:
    """Built once (every consultation page a signed-in person opens runs it); bound
    per call: ``account``, ``area``, ``consultation`` and ``today``."""
    account = bindparam("account", type_=Integer)
    today = bindparam("today", type_=Date)
    community = (
        select(RollEntry.community_id)
        .where(RollEntry.account_id == account)
        .limit(1)
        .scalar_subquery()
    )
    representative = (
        select(RosterEntry.id)
        .join(RepresentativeTerm, RepresentativeTerm.id == RosterEntry.term_id)
        .where(
            RosterEntry.account_id == account,
            RosterEntry.left_at.is_(None),
            RepresentativeTerm.area_id == bindparam("area", type_=Integer),
            RepresentativeTerm.status == "seated",
            RepresentativeTerm.starts_on <= today,
            RepresentativeTerm.ends_on >= today,
        )
        .exists()
    )
    organization = (
        select(OrgMember.id)
        .join(Organization, Organization.id == OrgMember.org_id)
        .join(
            Participant,
            (Participant.name == Organization.name)
            & (Participant.kind == "organization")
            & (Participant.consultation_id == bindparam("consultation", type_=Integer)),
        )
        .where(OrgMember.account_id == account, Organization.status == "verified")
        .exists()
    )
    return select(community, representative, organization)


def standing_of(
    session: Session,
    consultation: Consultation,
    account_id: int,
    now: datetime,
    grants: Sequence[Grant] | None = None,
) -> Standing:
    """The account's standing in one statement (its community, a seat on the
    community's representative roster, membership of a listed organization), plus
    its role grants unless the caller has them already (``grants``)."""
    community_id, is_representative, in_organization = session.execute(
        _standing_statement(),
        {
            "account": account_id,
            "area": consultation.area_id,
            "consultation": consultation.id,
            "today": now.date(),
        },
    ).one()
    area = get_area(session, consultation.area_id)
    runs = (
        allows(
            True,
            grants_of(session, account_id) if grants is None else grants,
            Permission.MANAGE_CONSULTATIONS,
            area.path,
        )
        is Decision.ALLOW
    )
    return Standing(
        resident_here=community_id == consultation.area_id,
        resident_elsewhere=community_id is not None and community_id != consultation.area_id,
        representative=bool(is_representative),
        listed_organization=bool(in_organization),
        runs_consultation=runs,
    )


def check_may_deliberate(
    session: Session, consultation: Consultation, account_id: int, now: datetime
) -> None:
    refusal = standing_of(session, consultation, account_id, now).refusal
    if refusal is not None:
        raise DomainError(f"deliberation.{refusal.value}", REFUSALS[refusal], status=403)
