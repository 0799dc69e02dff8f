"""Verifying a person against the resident roll, by themselves or at a desk.

A roll entry verifies at most one account and an account at most one entry
(both enforced by unique keys as well). Verification grants the resident role
on the entry's community and links any deputy entries with the same ID hash; a
ballot of the person's area that is open at that moment is told to them then, as
it was told to the others at its opening (participation.notifying.sweeps).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from participation import accounts, audit, notices
from participation.accounts import Account, RoleGrant, SignInFailure
from participation.areas import Area
from participation.errors import N_, DomainError
from participation.notifying import sweeps
from participation.rolls import Congress, DeputyEntry, RollEntry, count_verified
from participation.rules.identity import id_hash, id_number_problem, normalize_id_number
from participation.rules.permissions import Role
from participation.rules.ratelimit import Backoff, RateDecision, check_backoff, most_restrictive

TAKEN = N_(
    "This person has already been verified with another account. If this is wrong, ask your "
    "community worker."
)
NO_MATCH = N_(
    "These details do not match an unverified entry on the resident roll. Check them against "
    "your ID card, or ask your community worker."
)
MISSES_NOTICE = N_(
    "%(count)s failed attempts to verify as %(name)s (born %(birth_date)s) of your community. "
    "If it was not them, someone may be guessing their ID number: further attempts now "
    "wait longer each time. Verify them at the desk when they come."
)

#: Per account (self-verification).
ACCOUNT_BACKOFF = Backoff(
    free=5, base=timedelta(minutes=10), cap=timedelta(hours=24), window=timedelta(days=1)
)
#: Per targeted person: name and birth date, the two details a guesser must already
#: know, whether or not such a person is on the roll (so the wait reveals nothing),
#: counted across every account and address.
PERSON_BACKOFF = Backoff(
    free=3, base=timedelta(minutes=30), cap=timedelta(hours=24), window=timedelta(days=7)
)
#: Per address, across accounts and people.
ADDRESS_BACKOFF = Backoff(
    free=10, base=timedelta(minutes=5), cap=timedelta(hours=24), window=timedelta(days=1)
)
#: Per desk worker: a typing worker misses now and then, a guessing one is slowed.
DESK_BACKOFF = Backoff(
    free=10, base=timedelta(minutes=1), cap=timedelta(hours=1), window=timedelta(hours=12)
)
#: How far back each key's limit counts; misses against a person are also counted
#: over PERSON_BACKOFF's window for the alert (participation.rate_limits prunes by it).
FAILURE_WINDOWS = {
    "verify:": ACCOUNT_BACKOFF.window,
    "verify-person:": PERSON_BACKOFF.window,
    "verify-ip:": ADDRESS_BACKOFF.window,
    "verify-desk:": DESK_BACKOFF.window,
}
#: The community's workers are told at every ALERT_EVERY-th miss against one person.
ALERT_EVERY = 3


@dataclass(frozen=True)
class Attempt:
    """Who tries to verify whom, as far as the limits are concerned."""

    secret: bytes
    name: str
    birth_date: date | None
    ip: str
    account_id: int | None = None  # self-verification
    desk_worker_id: int | None = None  # assisted

    def person_key(self) -> str | None:
        """A keyed hash of name and birth date: no personal data in the failures table."""
        if self.birth_date is None:
            return None
        person = f"{self.name.strip()}|{self.birth_date.isoformat()}".encode()
        return "verify-person:" + hmac.new(self.secret, person, hashlib.sha256).hexdigest()[:40]

    def policies(self) -> dict[str, Backoff]:
        keys: dict[str, Backoff] = {}
        if self.desk_worker_id is not None:
            # The desk sees the ID card: it is not held back by others' misses
            # against the person (that is how a targeted person gets verified).
            keys[f"verify-desk:{self.desk_worker_id}"] = DESK_BACKOFF
            return keys
        if self.account_id is not None:
            keys[f"verify:{self.account_id}"] = ACCOUNT_BACKOFF
        keys[f"verify-ip:{self.ip}"[:300]] = ADDRESS_BACKOFF
        person = self.person_key()
        if person:
            keys[person] = PERSON_BACKOFF
        return keys


def _failures(
    session: Session, keys: list[str], now: datetime, window: timedelta
) -> dict[str, list[datetime]]:
    rows = session.execute(
        select(SignInFailure.key, SignInFailure.at).where(
            SignInFailure.key.in_(keys), SignInFailure.at > now - window
        )
    ).all()
    found: dict[str, list[datetime]] = {key: [] for key in keys}
    for key, at in rows:
        found[key].append(at)
    return found


def attempt_decision(session: Session, attempt: Attempt, now: datetime) -> RateDecision:
    """Whether this verification attempt may be checked now, or how long to wait."""
    policies = attempt.policies()
    window = max(p.window for p in policies.values())
    failures = _failures(session, list(policies), now, window)
    return most_restrictive(
        check_backoff(failures[key], now, policy) for key, policy in policies.items()
    )


def record_miss(session: Session, attempt: Attempt, now: datetime) -> int:
    """Count a miss against the account or desk, the address and the person.

    Returns how many misses against that person fall in the person window now;
    at every ALERT_EVERY-th, the workers of each community whose roll has an
    unverified entry with that name and birth date get a notice, and the audit
    log an entry (the guesser's answer is the same either way).
    """
    keys = list(attempt.policies())
    person = attempt.person_key()
    if person and person not in keys:
        keys.append(person)
    session.add_all(SignInFailure(key=key, at=now) for key in keys)
    if person is None:
        return 0
    session.flush()
    misses = len(_failures(session, [person], now, PERSON_BACKOFF.window)[person])
    if misses % ALERT_EVERY == 0:
        _alert(session, attempt, misses, now)
    return misses


def _alert(session: Session, attempt: Attempt, misses: int, now: datetime) -> None:
    targets = session.execute(
        select(RollEntry, Area)
        .join(Area, Area.id == RollEntry.community_id)
        .where(
            RollEntry.name == attempt.name.strip(),
            RollEntry.birth_date == attempt.birth_date,
            RollEntry.account_id.is_(None),
        )
    ).all()
    for entry, community in targets:
        audit.record(
            session,
            actor_id=attempt.account_id or attempt.desk_worker_id,
            action="roll.verify_misses",
            target=f"roll:{entry.id}",
            ip=attempt.ip,
            misses=misses,
        )
        for worker_id in _workers_over(session, community):
            notices.notify(
                session,
                worker_id,
                "roll.verify_misses",
                MISSES_NOTICE,
                link="/admin/verify",
                params={
                    "count": misses,
                    "name": entry.name,
                    "birth_date": entry.birth_date.isoformat(),
                },
                now=now,
            )


def _workers_over(session: Session, community: Area) -> list[int]:
    """Community workers whose grant covers ``community`` (on it or an area above)."""
    rows = session.execute(
        select(RoleGrant.account_id, Area.path)
        .join(Area, Area.id == RoleGrant.area_id)
        .where(RoleGrant.role == Role.COMMUNITY_WORKER.value)
    ).all()
    return sorted({account for account, path in rows if community.path.startswith(path)})


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
    *,
    ip: str = "",
) -> RollEntry:
    """Mark ``entry`` as ``account``'s and grant the roles that follow from it.
    A verification at the desk (``verified_by``) is audited under the worker's name."""
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
    count_verified(session, entry.community_id, 1)  # the claim went past the ORM
    session.refresh(entry)
    # From now on the person is named as the roll names them, everywhere: the
    # name chosen at sign-up (or taken from an OpenID identity) gives way.
    account.display_name = entry.name
    community = session.get(Area, entry.community_id)
    accounts.grant_role(session, account, Role.RESIDENT, community, granted_by=verified_by)
    link_deputy_entries(session, account, entry.id_hash, now)
    assert community is not None
    # Ballots of the area already open were told before this person could vote in
    # them: they are told now (the same notice; at most once).
    sweeps.tell_newcomer(session, account.id, community, now)
    if verified_by is not None:
        audit.record(
            session,
            actor_id=verified_by.id,
            action="roll.assisted_verify",
            target=f"account:{account.id}",
            ip=ip,
            entry=entry.id,
        )
    return entry


def link_deputy_entries(session: Session, account: Account, person_hash: str, now: datetime) -> int:
    """Link the person's unlinked deputy entries and grant the deputy role."""
    linked = 0
    for deputy in session.scalars(
        select(DeputyEntry).where(
            DeputyEntry.id_hash == person_hash, DeputyEntry.account_id.is_(None)
        )
    ):
        link_deputy(session, deputy, account, now)
        linked += 1
    return linked


def link_deputy(session: Session, deputy: DeputyEntry, account: Account, now: datetime) -> None:
    """Link ``deputy`` to ``account`` (one entry per account and congress), grant the
    deputy role at the congress's area, and tell the person of the congress's
    deputies' ballots already open (:func:`sweeps.tell_new_deputy`)."""
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
    sweeps.tell_new_deputy(session, account.id, congress.id, now)


def link_deputy_by_hand(
    session: Session,
    deputy: DeputyEntry,
    account: Account,
    now: datetime,
    *,
    actor_id: int | None,
    ip: str = "",
) -> None:
    """A worker links a deputy entry to an account (link_deputy), audited."""
    link_deputy(session, deputy, account, now)
    audit.record(
        session,
        actor_id=actor_id,
        action="deputies.link",
        target=f"account:{account.id}",
        ip=ip,
        deputy=deputy.id,
    )
