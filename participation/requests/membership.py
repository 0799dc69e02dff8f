"""Who works for which handling unit (承办单位的工作人员).

A role grant says where someone may handle requests; membership says for which
unit. Once a unit has members, only they accept, return, transfer, record, reply,
propose closure and ask for extensions for it, and its queue is theirs: the staff of
one department, street office or mediation body cannot act on another's requests,
even in the same area. A unit nobody has been made a member of yet is handled, as
before membership existed, by whoever handles requests in its area (so that a site
upgrading keeps working while its units are staffed).

Routing staff of the unit's area add and remove members in the back office; every
change is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    UniqueConstraint,
    delete,
    exists,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from participation import audit
from participation.accounts import Account, RoleGrant, find_by_login
from participation.db import Base, utcnow
from participation.errors import N_, DomainError
from participation.requests.models import HandlingUnit
from participation.rules.permissions import ROLE_PERMISSIONS, Permission


class UnitMember(Base):
    __tablename__ = "request_unit_members"
    __table_args__ = (UniqueConstraint("unit_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("request_units.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


HANDLING_ROLES = tuple(
    r.value for r, p in ROLE_PERMISSIONS.items() if Permission.HANDLE_REQUESTS in p
)


def staffed(session: Session, unit_id: int) -> bool:
    """Whether the unit has members (then only they act for it)."""
    return session.scalar(select(exists().where(UnitMember.unit_id == unit_id))) or False


def is_member(session: Session, unit_id: int, account_id: int) -> bool:
    return (
        session.scalar(
            select(
                exists().where(UnitMember.unit_id == unit_id, UnitMember.account_id == account_id)
            )
        )
        or False
    )


def units_of(session: Session, account_id: int) -> list[int]:
    """The units this account is a member of."""
    return list(
        session.scalars(
            select(UnitMember.unit_id)
            .where(UnitMember.account_id == account_id)
            .order_by(UnitMember.unit_id)
        )
    )


def unstaffed_clause() -> object:
    """SQL: the request's unit has no members (``HandlingUnit`` joined)."""
    return ~exists().where(UnitMember.unit_id == HandlingUnit.id)


def members(session: Session, unit_id: int) -> list[tuple[UnitMember, Account]]:
    rows = session.execute(
        select(UnitMember, Account)
        .join(Account, Account.id == UnitMember.account_id)
        .where(UnitMember.unit_id == unit_id)
        .order_by(UnitMember.id)
    )
    return [(m, a) for m, a in rows]


def member_counts(session: Session) -> dict[int, int]:
    from sqlalchemy import func

    rows = session.execute(
        select(UnitMember.unit_id, func.count()).group_by(UnitMember.unit_id)
    ).all()
    return {unit_id: int(n) for unit_id, n in rows}


def add_member(
    session: Session, unit: HandlingUnit, login: str, now: datetime, actor_id: int | None
) -> UnitMember:
    """Make the account with this login a member of ``unit``. Only an active account
    with a role that handles requests can be one."""
    login = (login or "").strip()[:64]
    account = find_by_login(session, login) if login else None
    if account is None or not account.is_active:
        message = N_("No active account has this login.")
        raise DomainError("unit.member_unknown", message, fields={"login": message})
    handles = session.scalar(
        select(
            exists().where(RoleGrant.account_id == account.id, RoleGrant.role.in_(HANDLING_ROLES))
        )
    )
    if not handles:
        message = N_("This person has no role that handles requests: grant one first.")
        raise DomainError("unit.member_role", message, fields={"login": message})
    if is_member(session, unit.id, account.id):
        message = N_("This person is already a member of the unit.")
        raise DomainError("unit.member_twice", message, fields={"login": message})
    member = UnitMember(unit_id=unit.id, account_id=account.id, added_by=actor_id, added_at=now)
    session.add(member)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="request.unit_member_added",
        target=f"unit:{unit.id}",
        account_id=account.id,
    )
    return member


def remove_member(
    session: Session, unit: HandlingUnit, account_id: int | None, actor_id: int | None
) -> None:
    gone = session.execute(
        delete(UnitMember).where(
            UnitMember.unit_id == unit.id, UnitMember.account_id == (account_id or 0)
        )
    )
    if gone.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError(
            "unit.member_not_found", N_("This person is not a member of the unit."), status=404
        )
    audit.record(
        session,
        actor_id=actor_id,
        action="request.unit_member_removed",
        target=f"unit:{unit.id}",
        account_id=account_id,
    )


def member_ids(session: Session, unit_id: int) -> Sequence[int]:
    return session.scalars(select(UnitMember.account_id).where(UnitMember.unit_id == unit_id)).all()
