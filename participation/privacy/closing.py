"""Closing an account: personal data erased or anonymised, table by table, while
ballots stay secret and counted and the ledgers and the audit log stay whole."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import audit
from participation.accounts import Account
from participation.ballots.models import BallotBox, Participation
from participation.errors import N_, DomainError
from participation.passwords import burn_time, verify_password
from participation.privacy.tables import Coverage, Person, table

ALREADY_CLOSED = N_("This account has already been closed.")
WRONG_PASSWORD = N_("The password is not correct.")
BALLOT_OPEN = N_(
    "You have voted in a ballot that is still open (%(title)s, until %(closes)s). "
    "Your account can be closed once it has closed."
)


def person_of(session: Session, account: Account) -> Person:
    """The account with everything that identifies the person, read from the
    tables that hold it (before any of it is erased)."""
    roll = table("roll_entries")
    entries = session.execute(
        select(roll.c.id, roll.c.name, roll.c.phone).where(roll.c.account_id == account.id)
    ).all()
    idents = table("identities")
    emails = session.scalars(
        select(idents.c.email).where(idents.c.account_id == account.id, idents.c.email.is_not(None))
    ).all()
    outbox = table("outbox")
    sent_to = session.scalars(
        select(outbox.c.to_address).where(outbox.c.account_id == account.id).distinct()
    ).all()
    extra: list[str] = []
    if "vol_profiles" in table("accounts").metadata.tables:
        profiles = table("vol_profiles")
        extra = [
            e
            for e in session.scalars(
                select(profiles.c.email).where(profiles.c.account_id == account.id)
            ).all()
            if e
        ]
    names = [account.display_name, account.username or "", *(e.name for e in entries)]
    phones = [account.phone or "", *(e.phone or "" for e in entries)]
    return Person(
        account_id=account.id,
        names=tuple(n for n in names if n),
        phones=tuple(p for p in phones if p),
        emails=tuple(sorted({e for e in (*emails, *sent_to, *extra) if e})),
        roll_entry_ids=tuple(e.id for e in entries),
        logins=tuple(w for w in (account.phone, account.username) if w),
    )


def _refuse_while_voting(session: Session, account: Account, now: datetime) -> None:
    """Not while a ballot the person voted in is open: once the roll entry is
    unlinked the same person could verify a new account and vote again."""
    box = session.scalar(
        select(BallotBox)
        .join(Participation, Participation.box_id == BallotBox.id)
        .where(Participation.voter_key == f"account:{account.id}", BallotBox.closes_at > now)
        .order_by(BallotBox.closes_at)
        .limit(1)
    )
    if box is not None:
        raise DomainError(
            "account.voting",
            BALLOT_OPEN,
            status=409,
            params={"title": box.title, "closes": box.closes_at.strftime("%Y-%m-%d %H:%M")},
        )


def close_account(
    session: Session,
    account: Account,
    password: str,
    coverage: Coverage,
    *,
    now: datetime,
    ip: str = "",
    provider_confirmed: bool = False,
) -> Person:
    """Close ``account`` after checking its password: every entry's eraser runs,
    then the account itself is anonymised ("已注销用户 #N", no login, no password,
    inactive, every session ended). Audited once. Returns who was closed (their
    identifying words, for the caller's checks; nothing of it is stored).
    ``provider_confirmed``: instead of a password, the person has just signed in again
    with a provider linked to this account (an account without a password)."""
    if account.closed_at is not None:
        raise DomainError("account.closed", ALREADY_CLOSED, status=409)
    if provider_confirmed:
        pass
    elif not account.password_hash:
        burn_time(password)
        raise DomainError(
            "account.no_password",
            N_("This account has no password; sign in with your provider again to close it."),
            status=409,
        )
    elif not verify_password(account.password_hash, password):
        raise DomainError(
            "account.wrong_password", WRONG_PASSWORD, fields={"password": WRONG_PASSWORD}
        )
    _refuse_while_voting(session, account, now)
    person = person_of(session, account)
    for entry in coverage.entries:
        if entry.erase is not None:
            entry.erase(session, person)
    account.display_name = person.label
    account.username = None
    account.phone = None
    account.password_hash = None
    account.is_active = False
    account.closed_at = now
    account.session_epoch += 1
    audit.record(
        session, actor_id=account.id, action="account.close", target=f"account:{account.id}", ip=ip
    )
    session.flush()
    return person
