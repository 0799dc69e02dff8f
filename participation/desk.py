"""The desk (代办): a community worker signs up a resident who comes in person.

The worker checks the ID card, the resident is found on the roll as verification
finds anyone (participation.verification), and one step creates the account (the
resident's mobile number as its login, the roll's name as its name), verifies it
under the worker's name and issues the code printed on the sign-in slip (shown
once; the resident sets a password with it, participation.recovery).

The worker may then act for the resident in an *assisted session*: the resident's
account with the worker named in the session. Every action taken in it is
audited (``desk.assisted_act``, the worker as actor, the resident as target), it
never carries an office role's permissions, and voting (ballots, budget votes,
satisfaction surveys, statement votes) refuses it: a vote is cast in person.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from participation import audit, recovery
from participation.accounts import PHONE, Account, RoleGrant, find_by_login
from participation.areas import Area
from participation.errors import N_, DomainError
from participation.rolls import RollEntry
from participation.rules.permissions import ROLE_PERMISSIONS, Role
from participation.verification import TAKEN, verify

#: An assisted session ends by itself after this long.
ASSIST_LIFETIME = timedelta(minutes=30)
VOTING_IS_PERSONAL = N_(
    "Voting is personal: it cannot be done for someone at the desk. End the assisted "
    "session; the resident votes with their own sign-in."
)
HAS_ACCOUNT = N_(
    "This mobile number already has an account. Verify it with assisted verification, or "
    "print a new slip for it."
)


def _phone(phone: str) -> str:
    phone = phone.strip()
    if not PHONE.match(phone):
        message = N_("Enter an 11-digit mobile number.")
        raise DomainError("desk.phone", message, fields={"phone": message})
    return phone


def enrol(
    session: Session,
    *,
    worker: Account,
    phone: str,
    entry: RollEntry,
    key: bytes,
    now: datetime,
    ip: str = "",
) -> tuple[Account, str]:
    """Create and verify the account of the resident on ``entry``; returns it and
    the slip's code (single-use, seven days). The caller checked the worker's
    grant over the entry's community. Audited as ``desk.enrol`` (verification
    writes its own ``roll.assisted_verify``)."""
    phone = _phone(phone)
    if find_by_login(session, phone) is not None:
        raise DomainError("desk.has_account", HAS_ACCOUNT, fields={"phone": HAS_ACCOUNT})
    if entry.account_id is not None:
        raise DomainError("verify.taken", TAKEN)
    account = Account(phone=phone, display_name=entry.name, password_hash=None)
    session.add(account)
    session.flush()
    verify(session, account, entry, now, verified_by=worker, ip=ip)
    code = recovery.issue_desk_code(session, key, account, worker, now)
    audit.record(
        session,
        actor_id=worker.id,
        action="desk.enrol",
        target=f"account:{account.id}",
        ip=ip,
        entry=entry.id,
    )
    return account, code


def resident_at_desk(session: Session, login: str) -> tuple[Account, RollEntry, Area]:
    """The verified account with this login, its roll entry and community; refused
    for an unknown or unverified login."""
    account = find_by_login(session, login) if login.strip() else None
    found = (
        session.execute(
            select(RollEntry, Area)
            .join(Area, Area.id == RollEntry.community_id)
            .where(RollEntry.account_id == account.id)
        ).first()
        if account is not None
        else None
    )
    if account is None or found is None or not account.is_active:
        message = N_("No verified account has this login.")
        raise DomainError("desk.no_resident", message, fields={"login": message})
    return account, found[0], found[1]


def reissue_slip(
    session: Session, *, worker: Account, account: Account, key: bytes, now: datetime, ip: str = ""
) -> str:
    """A new slip code for a resident at the desk (earlier codes stop working); audited."""
    code = recovery.issue_desk_code(session, key, account, worker, now)
    audit.record(
        session, actor_id=worker.id, action="desk.slip", target=f"account:{account.id}", ip=ip
    )
    return code


def office_roles(session: Session, account_id: int) -> list[str]:
    """The account's roles that carry permissions (staff, worker, leader, deputy…)."""
    roles = session.scalars(select(RoleGrant.role).where(RoleGrant.account_id == account_id))
    return sorted({r for r in roles if ROLE_PERMISSIONS[Role(r)]})


def start_assisting(session: Session, *, worker: Account, account: Account, ip: str = "") -> None:
    """Open an assisted session for ``account`` (the caller checked the worker's
    grant over the resident's community); audited as ``desk.assist_start``.
    Refused for oneself and for accounts holding an office role: a desk session
    must never lend a worker someone else's powers."""
    if account.id == worker.id:
        raise DomainError("desk.self", N_("You cannot act for yourself at the desk."))
    if office_roles(session, account.id):
        raise DomainError(
            "desk.office_role",
            N_("This account holds an office role: it cannot be used at the desk."),
        )
    audit.record(
        session,
        actor_id=worker.id,
        action="desk.assist_start",
        target=f"account:{account.id}",
        ip=ip,
    )


_ASSISTED = "gongzhi_assisted_act"


def note_assisted_act(
    session: Session, *, worker_id: int, account_id: int, method: str, path: str, ip: str = ""
) -> None:
    """Mark this session's work as done at the desk: the transaction that commits
    it also writes one ``desk.assisted_act`` audit row (the worker as actor, the
    resident as target), so the row lands exactly when the action does (a refused
    action is rolled back with its row), whether the action's service writes
    through the ORM or straight through the connection (a shift sign-up)."""
    session.info[_ASSISTED] = {
        "actor_id": worker_id,
        "target": f"account:{account_id}",
        "ip": ip,
        "method": method,
        "path": path[:200],
    }


@event.listens_for(Session, "before_commit")
def _audit_assisted(session: Session) -> None:
    """Runs before the commit's final flush, which writes the row with the rest."""
    detail = session.info.pop(_ASSISTED, None)
    if detail is None:
        return
    audit.record(
        session,
        actor_id=detail["actor_id"],
        action="desk.assisted_act",
        target=detail["target"],
        ip=detail["ip"],
        method=detail["method"],
        path=detail["path"],
    )


def stop_assisting(session: Session, *, worker_id: int, account_id: int, ip: str = "") -> None:
    audit.record(
        session,
        actor_id=worker_id,
        action="desk.assist_end",
        target=f"account:{account_id}",
        ip=ip,
    )
