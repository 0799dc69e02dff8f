"""Verifying a person against the resident roll, by themselves or at a desk.

A roll entry verifies at most one account and an account at most one entry
(both enforced by unique keys as well). Verification grants the resident role
on the entry's community and links any deputy entries with the same ID hash.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from participation import accounts
from participation.accounts import Account, SignInFailure
from participation.areas import Area
from participation.errors import N_, DomainError
from participation.rolls import Congress, DeputyEntry, RollEntry
from participation.rules.identity import id_hash, id_number_problem, normalize_id_number
from participation.rules.permissions import Role
from participation.rules.ratelimit import Limit, check_limit

TAKEN = N_(
    "This person has already been verified with another account. If this is wrong, ask your "
    "community worker."
)
VERIFY_LIMIT = Limit(max_failures=5, window=timedelta(hours=1))
NO_MATCH = N_(
    "These details do not match an unverified entry on the resident roll. Check them against "
    "your ID card, or ask your community worker."
)


def attempts_left(session: Session, account_id: int, now: datetime) -> bool:
    failures = session.scalars(
        select(SignInFailure.at).where(
            SignInFailure.key == f"verify:{account_id}",
            SignInFailure.at > now - VERIFY_LIMIT.window,
        )
    ).all()
    return check_limit(failures, now, VERIFY_LIMIT).allowed


def record_failed_attempt(session: Session, account_id: int, now: datetime) -> None:
    session.add(SignInFailure(key=f"verify:{account_id}", at=now))


def find_entry(
    session: Session, secret: bytes, name: str, id_number: str, birth_date: date | None
) -> RollEntry | None:
    """The roll entry with these three details, or None (no hint which one differed)."""
    number = normalize_id_number(id_number)
    if birth_date is None or id_number_problem(number, birth_date):
        return None
    entry = session.scalar(select(RollEntry).where(RollEntry.id_hash == id_hash(secret, number)))
    if entry is None or entry.name != name.strip() or entry.birth_date != birth_date:
        return None
    return entry


def verify(
    session: Session,
    account: Account,
    entry: RollEntry,
    now: datetime,
    verified_by: Account | None = None,
) -> RollEntry:
    """Mark ``entry`` as ``account``'s and grant the roles that follow from it."""
    if session.scalar(select(RollEntry.id).where(RollEntry.account_id == account.id)):
        raise DomainError("verify.already", N_("This account is already verified."))
    if entry.account_id is not None:
        raise DomainError("verify.taken", TAKEN)
    # Claim the entry only if it is still unclaimed: a plain assignment would let
    # two concurrent verifications both "succeed", the later overwriting the first.
    claim = (
        update(RollEntry)
        .where(RollEntry.id == entry.id, RollEntry.account_id.is_(None))
        .values(
            account_id=account.id,
            verified_at=now,
            verified_by=verified_by.id if verified_by else None,
        )
        .execution_options(synchronize_session=False)
    )
    try:
        with session.begin_nested():
            claimed = session.execute(claim).rowcount  # type: ignore[attr-defined]
    except IntegrityError:  # the same account won another entry meanwhile
        raise DomainError("verify.already", N_("This account is already verified.")) from None
    if claimed != 1:
        raise DomainError("verify.taken", TAKEN)
    session.refresh(entry)
    community = session.get(Area, entry.community_id)
    accounts.grant_role(session, account, Role.RESIDENT, community, granted_by=verified_by)
    link_deputy_entries(session, account, entry.id_hash)
    return entry


def link_deputy_entries(session: Session, account: Account, person_hash: str) -> int:
    """Link the person's unlinked deputy entries and grant the deputy role."""
    linked = 0
    for deputy in session.scalars(
        select(DeputyEntry).where(
            DeputyEntry.id_hash == person_hash, DeputyEntry.account_id.is_(None)
        )
    ):
        link_deputy(session, deputy, account)
        linked += 1
    return linked


def link_deputy(session: Session, deputy: DeputyEntry, account: Account) -> None:
    clash = session.scalar(
        select(DeputyEntry.id).where(
            DeputyEntry.congress_id == deputy.congress_id,
            DeputyEntry.account_id == account.id,
            DeputyEntry.id != deputy.id,
        )
    )
    if clash is not None:
        raise DomainError(
            "deputy.account_taken",
            N_("This account is already linked to another deputy of this congress."),
        )
    deputy.account_id = account.id
    congress = session.get(Congress, deputy.congress_id)
    assert congress is not None
    accounts.grant_role(session, account, Role.DEPUTY, session.get(Area, congress.area_id))
    session.flush()
