"""Social organizations: registration, verification by staff, members with roles.

Invariants: an organization acts (builds evaluations) only once verified;
verifying grants its members the ORG_MEMBER role on the organization's area;
only an organization's admins add members.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from participation import audit
from participation.accounts import Account, find_by_login, grant_role
from participation.areas import Area, get_area
from participation.errors import N_, DomainError
from participation.organizations.models import Organization, OrgMember
from participation.paging import last_page
from participation.rules.permissions import Role

# 统一社会信用代码: 18 characters of digits and capital letters without I, O, S, V, Z.
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
MEMBER_ROLES = ("admin", "evaluator")


def register_organization(
    session: Session,
    *,
    name: str,
    credit_code: str,
    area_id: int,
    description: str,
    account_id: int,
) -> Organization:
    """A pending organization whose registrant is its first admin."""
    name, credit_code = name.strip(), credit_code.strip().upper()
    fields: dict[str, str] = {}
    if not 2 <= len(name) <= 120:
        fields["name"] = N_("Enter the organization's registered name.")
    if not CREDIT_CODE.match(credit_code):
        fields["credit_code"] = N_("Enter the 18-character unified social credit code.")
    try:
        area = get_area(session, area_id)
    except DomainError:
        fields["area_id"] = N_("Choose an area.")
    if fields:
        raise DomainError("org.invalid", N_("Please correct the marked fields."), fields=fields)
    org = Organization(
        name=name,
        credit_code=credit_code,
        area_id=area.id,
        description=description.strip(),
        registered_by=account_id,
    )
    try:
        with session.begin_nested():
            session.add(org)
            session.flush()
    except IntegrityError:
        raise DomainError(
            "org.taken",
            N_("An organization with this name or credit code is already registered."),
            fields={
                "name": N_("An organization with this name or credit code is already registered.")
            },
        ) from None
    session.add(OrgMember(org_id=org.id, account_id=account_id, role="admin"))
    audit.record(session, actor_id=account_id, action="org.registered", target=f"org:{org.id}")
    session.flush()
    return org


def get_org(session: Session, org_id: int) -> Organization:
    org = session.get(Organization, org_id)
    if org is None:
        raise DomainError("org.not_found", N_("No such organization."), status=404)
    return org


def decide_organization(
    session: Session, org: Organization, *, verified: bool, staff_id: int, now: datetime
) -> None:
    """Staff verify (or reject) a registration; verification grants ORG_MEMBER."""
    if org.status != "pending":
        raise DomainError(
            "org.decided", N_("This registration has already been decided."), status=409
        )
    org.status = "verified" if verified else "rejected"
    org.verified_by, org.verified_at = staff_id, now
    if verified:
        area = get_area(session, org.area_id)
        for member in members_of(session, org.id):
            account = session.get(Account, member.account_id)
            assert account is not None
            grant_role(session, account, Role.ORG_MEMBER, area)
    audit.record(session, actor_id=staff_id, action=f"org.{org.status}", target=f"org:{org.id}")


def members_of(session: Session, org_id: int) -> Sequence[OrgMember]:
    return session.scalars(select(OrgMember).where(OrgMember.org_id == org_id)).all()


def member_role(session: Session, org_id: int, account_id: int) -> str | None:
    return session.scalar(
        select(OrgMember.role).where(OrgMember.org_id == org_id, OrgMember.account_id == account_id)
    )


def orgs_of(session: Session, account_id: int) -> Sequence[Organization]:
    return session.scalars(
        select(Organization)
        .join(OrgMember, OrgMember.org_id == Organization.id)
        .where(OrgMember.account_id == account_id)
        .order_by(Organization.name)
    ).all()


def require_member(
    session: Session, org: Organization, account_id: int, *, admin: bool = False
) -> None:
    """Refuse anyone who is not a member (or admin) of a verified organization."""
    role = member_role(session, org.id, account_id)
    if role is None or (admin and role != "admin"):
        raise DomainError(
            "org.not_member", N_("Only the organization's members may do this."), status=403
        )
    if org.status != "verified":
        raise DomainError(
            "org.unverified", N_("The organization has not been verified yet."), status=403
        )


def add_member(
    session: Session, org: Organization, *, login: str, role: str, actor_id: int
) -> OrgMember:
    require_member(session, org, actor_id, admin=True)
    account = find_by_login(session, login)
    if account is None:
        raise DomainError(
            "org.no_account",
            N_("No account has this login."),
            fields={"login": N_("No account has this login.")},
        )
    if role not in MEMBER_ROLES:
        raise DomainError(
            "org.bad_role", N_("Choose a role."), fields={"role": N_("Choose a role.")}
        )
    if member_role(session, org.id, account.id) is not None:
        raise DomainError(
            "org.already_member",
            N_("This person is already a member."),
            fields={"login": N_("This person is already a member.")},
        )
    member = OrgMember(org_id=org.id, account_id=account.id, role=role)
    session.add(member)
    grant_role(session, account, Role.ORG_MEMBER, get_area(session, org.area_id))
    audit.record(
        session,
        actor_id=actor_id,
        action="org.member_added",
        target=f"org:{org.id}",
        member=account.id,
    )
    session.flush()
    return member


def page_of_organizations(
    session: Session, *, page: int = 1, per_page: int = 50
) -> tuple[list[tuple[Organization, Area]], int, int]:
    """One page of :func:`organizations_with_areas` in SQL: the rows, how many
    organizations there are and the page number (past the end, the last)."""
    total = int(session.scalar(select(func.count(Organization.id))) or 0)
    page = last_page(page, total, per_page)
    rows = session.execute(
        select(Organization, Area)
        .join(Area, Area.id == Organization.area_id)
        .order_by(Organization.status.desc(), Organization.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return [(org, area) for org, area in rows], total, page


def organizations_with_areas(session: Session) -> list[tuple[Organization, Area]]:
    """Every organization with its area, those awaiting a decision first."""
    rows = session.execute(
        select(Organization, Area)
        .join(Area, Area.id == Organization.area_id)
        .order_by(Organization.status.desc(), Organization.id)
    )
    return [(org, area) for org, area in rows]
