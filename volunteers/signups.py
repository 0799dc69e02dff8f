"""Sign-up, cancellation, waitlist promotion and timed offers, with atomic capacity.

Every change to a shift's places happens with the shift row locked
(``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite every write transaction
already holds the database's write lock, ``BEGIN IMMEDIATE``). Under that lock
the arrival counter is advanced and the confirmed count compared with the
capacity, so concurrent sign-ups confirm exactly ``capacity`` people and
waitlist the rest in the order they took the lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import cast

from sqlalchemy import Table, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from participation.errors import N_, DomainError
from participation.notifying import kinds
from participation.notifying.fanout import tell_one
from volunteers import profiles
from volunteers.models import Activity, Shift, SignUp, Team
from volunteers.rules.signup import (
    PersonFacts,
    Reason,
    ShiftFacts,
    ShiftRules,
    decide_cancel,
    decide_signup,
)
from volunteers.rules.waitlist import Move, on_freed_place
from volunteers.teams import rules_of

LIVE = ("confirmed", "waitlisted", "offered")

REFUSALS: dict[Reason, str] = {
    Reason.OVERLAPS: N_("You are already signed up for a shift at this time."),
    Reason.MISSING_QUALIFICATION: N_("This shift needs a qualification you do not have on record."),
    Reason.NOT_YET_OPEN: N_("Sign-up for this shift has not opened yet."),
    Reason.CLOSED: N_("Sign-up for this shift has closed."),
    Reason.LOCKED: N_(
        "After %(count)s missed shifts you cannot sign up by yourself; "
        "ask your team leader to unlock you."
    ),
    Reason.NEEDS_GUARDIAN_CONSENT: N_(
        "Volunteers under %(age)s need a guardian's consent on record before signing up."
    ),
    Reason.TOO_YOUNG: N_(
        "Children under %(age)s cannot sign up by themselves; a guardian signs them up."
    ),
    Reason.MEMBERS_ONLY: N_("This shift is for members of the team only."),
    Reason.CANCELLED: N_("This shift has been cancelled."),
}


@dataclass(frozen=True)
class ShiftContext:
    shift: Shift
    activity: Activity
    team: Team


# The hot path's statements are built once and bound per call: on a sign-up,
# constructing them cost about as much CPU as running them.
_SHIFT_CONTEXT = (
    select(Shift, Activity, Team)
    .join(Activity, Activity.id == Shift.activity_id)
    .join(Team, Team.id == Activity.team_id)
    .where(Shift.id == bindparam("shift_id"))
)
# A sign-up's read phase: the shift with its activity and team, and the facts
# about the person (profiles.person_columns, the membership of the shift's team),
# in one round trip.
_PREPARE = _SHIFT_CONTEXT.add_columns(*profiles.person_columns(Team.id))
_SHIFT_CONTEXT_LOCKED = _SHIFT_CONTEXT.with_for_update(of=Shift).execution_options(
    populate_existing=True
)
_LOCKED_SHIFT = (
    select(Shift)
    .where(Shift.id == bindparam("shift_id"))
    .with_for_update()
    .execution_options(populate_existing=True)
)
# The write phase runs Core statements on the tables (see record_signup).
_shifts = cast(Table, Shift.__table__)
_signups = cast(Table, SignUp.__table__)
# Taking the next arrival number locks the shift row (PostgreSQL) and returns
# what decides places.
_TAKE_ARRIVAL = (
    update(_shifts)
    .where(_shifts.c.id == bindparam("shift_id"))
    .values(arrivals=_shifts.c.arrivals + 1)
    .returning(
        _shifts.c.arrivals,
        _shifts.c.confirmed,
        _shifts.c.capacity,
        _shifts.c.starts_at,
        _shifts.c.ends_at,
        _shifts.c.cancelled_at,
        _shifts.c.qualifications,
        _shifts.c.members_only,
    )
)
_CONFIRM_ONE = (
    update(_shifts)
    .where(_shifts.c.id == bindparam("shift_id"))
    .values(confirmed=_shifts.c.confirmed + 1)
)
# This person's sign-up on the shift, their other live commitments, and any open
# offer on the shift (places it holds are not free).
_DECIDING = (
    select(
        _signups.c.id,
        _signups.c.shift_id,
        _signups.c.status,
        _shifts.c.starts_at,
        _shifts.c.ends_at,
        _shifts.c.cancelled_at,
    )
    .join_from(_signups, _shifts, _shifts.c.id == _signups.c.shift_id)
    .where(
        or_(
            and_(
                _signups.c.account_id == bindparam("account_id"),
                or_(
                    _signups.c.shift_id == bindparam("shift_id"),
                    _signups.c.status.in_(LIVE),
                ),
            ),
            and_(_signups.c.shift_id == bindparam("shift_id"), _signups.c.status == "offered"),
        )
    )
)
_INSERT_SIGNUP = insert(_signups).values(
    shift_id=bindparam("shift_id"),
    account_id=bindparam("account_id"),
    arrival=bindparam("arrival"),
    status=bindparam("new_status"),
    created_at=bindparam("at"),
)
_SIGN_UP_AGAIN = (
    update(_signups)
    .where(_signups.c.id == bindparam("signup_id"))
    .values(
        arrival=bindparam("arrival"),
        status=bindparam("new_status"),
        created_at=bindparam("at"),
        cancelled_at=None,
        offer_expires_at=None,
        late_cancel_reason=None,
    )
)


def shift_context(session: Session, shift_id: int, *, lock: bool = False) -> ShiftContext:
    """The shift with its activity and team, in one query. ``lock`` locks the shift
    row only (PostgreSQL ``FOR UPDATE OF``; SQLite's write transaction is the lock)."""
    query = _SHIFT_CONTEXT_LOCKED if lock else _SHIFT_CONTEXT
    row = session.execute(query, {"shift_id": shift_id}).first()
    if row is None:
        raise DomainError("shift.not_found", N_("No such shift."), status=404)
    return ShiftContext(row[0], row[1], row[2])


@dataclass(frozen=True)
class PreparedSignUp:
    """What the read phase learned about the person (see :func:`prepare_signup`)."""

    shift_id: int
    account_id: int
    person: PersonFacts
    has_profile: bool
    context: ShiftContext
    rules: ShiftRules


def prepare_signup(
    session: Session, shift_id: int, account_id: int, now: datetime
) -> PreparedSignUp:
    """Read phase of a sign-up: no writes, no locks.

    Facts about the person that a concurrent sign-up for *this* shift cannot
    change (age, consent, qualifications, membership, no-shows) are read here,
    and refusals that do not depend on places are given at once. The places,
    the person's other commitments and double sign-ups are checked again under
    the lock in :func:`record_signup`.
    """
    row = session.execute(_PREPARE, {"shift_id": shift_id, "account_id": account_id}).first()
    if row is None:
        raise DomainError("shift.not_found", N_("No such shift."), status=404)
    ctx = ShiftContext(row[0], row[1], row[2])
    birth_date, member_status, consent_at, no_shows, has_profile = profiles.person_facts(row[3:])
    needed = ctx.shift.qualification_codes
    person = PersonFacts(
        birth_date=birth_date,
        # Most shifts need none: ask only when one does.
        qualifications=profiles.qualifications_of(session, account_id, now.date())
        if needed
        else frozenset(),
        is_member=member_status == "active",
        no_shows=no_shows,
        guardian_consent=consent_at is not None,
    )
    rules = rules_of(ctx.team, ctx.activity)
    _place_or_refuse(_facts(ctx.shift, 0), person, rules, now)
    return PreparedSignUp(ctx.shift.id, account_id, person, has_profile, ctx, rules)


def _already() -> DomainError:
    return DomainError(
        "signup.already", N_("You are already signed up for this shift."), status=409
    )


def _place_or_refuse(
    shift: ShiftFacts, person: PersonFacts, rules: ShiftRules, now: datetime
) -> str:
    """The status a sign-up gets ("confirmed" or "waitlisted"), or the refusal
    raised as DomainError ``signup.<reason>`` with its message and numbers."""
    decision = decide_signup(shift, person, rules, now)
    if not decision.accepted:
        reason = decision.reason
        raise DomainError(
            f"signup.{reason.value}", REFUSALS[reason], status=409, params=decision.params
        )
    return "waitlisted" if decision.waitlisted else "confirmed"


def _facts(shift: Shift, offered: int) -> ShiftFacts:
    return ShiftFacts(
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        capacity=shift.capacity,
        # Places held by open offers are not free.
        confirmed=shift.confirmed + offered,
        qualifications=shift.qualification_codes,
        members_only=shift.members_only,
        cancelled=shift.cancelled_at is not None,
    )


@dataclass(frozen=True)
class Recorded:
    """What a sign-up stored: its row, where it stands, its place in the queue."""

    signup_id: int
    status: str  # confirmed | waitlisted
    arrival: int


def record_signup(session: Session, prepared: PreparedSignUp, now: datetime) -> Recorded:
    """Write phase of a sign-up, with the person's profile and the shift row locked:
    confirmed while places last, else waitlisted in arrival order.

    Invariant: ``shift.confirmed <= shift.capacity``; one live sign-up per person
    and shift; no overlapping commitments for one person; arrival numbers on a
    shift run 1, 2, ... without gaps (a refusal rolls its number back with the
    transaction).

    On SQLite this runs while the request holds the database's only write lock,
    so it is four or five Core statements: the profile (only for a new
    volunteer), taking an arrival number (an ``UPDATE ... RETURNING`` that also
    locks the shift row on PostgreSQL and returns what decides places), one query
    for everything about sign-ups it needs, the confirmed count (only when
    confirmed) and the sign-up itself. The team's and activity's rules come from
    the read phase: only the shift row and the sign-ups decide places, and both
    are read under the lock. A shift with open offers (after the promotion
    cut-off) takes the ORM path, which passes expired offers on first.
    """
    connection = session.connection()
    account_id, shift_id = prepared.account_id, prepared.shift_id
    profiles.claim_profile(session, account_id, exists=prepared.has_profile)
    taken = connection.execute(_TAKE_ARRIVAL, {"shift_id": shift_id}).first()
    if taken is None:
        raise DomainError("shift.not_found", N_("No such shift."), status=404)
    existing: tuple[int, str] | None = None
    commitments = []
    for row in connection.execute(_DECIDING, {"account_id": account_id, "shift_id": shift_id}):
        if row.shift_id == shift_id and row.status == "offered":
            return _record_beside_offers(session, prepared, taken.arrivals, now)
        if row.shift_id == shift_id:
            existing = (row.id, row.status)
        elif row.cancelled_at is None:
            commitments.append((row.starts_at, row.ends_at))
    if existing is not None and existing[1] in LIVE:
        raise _already()
    facts = ShiftFacts(
        starts_at=taken.starts_at,
        ends_at=taken.ends_at,
        capacity=taken.capacity,
        confirmed=taken.confirmed,
        qualifications=frozenset(taken.qualifications.split()),
        members_only=taken.members_only,
        cancelled=taken.cancelled_at is not None,
    )
    person = replace(prepared.person, commitments=tuple(commitments))
    status = _place_or_refuse(facts, person, prepared.rules, now)
    if status == "confirmed":
        connection.execute(_CONFIRM_ONE, {"shift_id": shift_id})
    values = {"arrival": taken.arrivals, "new_status": status, "at": now}
    if existing is None:
        values |= {"shift_id": shift_id, "account_id": account_id}
        inserted = connection.execute(_INSERT_SIGNUP, values).inserted_primary_key
        assert inserted is not None
        signup_id = inserted[0]
    else:  # signing up again after cancelling: back of the queue
        signup_id = existing[0]
        connection.execute(_SIGN_UP_AGAIN, values | {"signup_id": signup_id})
    _forget_cached(session, (Shift, shift_id), (SignUp, signup_id))
    return Recorded(signup_id, status, taken.arrivals)


def _record_beside_offers(
    session: Session, prepared: PreparedSignUp, arrival: int, now: datetime
) -> Recorded:
    """The ORM path of :func:`record_signup` for a shift with open offers, after
    its arrival number ``arrival`` was taken: expired offers pass on (which may
    promote or offer to people waiting) before the places are counted."""
    account_id = prepared.account_id
    shift = _locked_shift(session, prepared.shift_id)
    ctx = replace(prepared.context, shift=shift)
    offered = _expire_offers(session, ctx, now)
    existing = session.scalar(
        select(SignUp).where(SignUp.shift_id == shift.id, SignUp.account_id == account_id)
    )
    if existing is not None and existing.status in LIVE:
        raise _already()
    commitments = tuple(
        (starts_at, ends_at)
        for starts_at, ends_at in session.execute(
            select(Shift.starts_at, Shift.ends_at)
            .join(SignUp, SignUp.shift_id == Shift.id)
            .where(
                SignUp.account_id == account_id,
                SignUp.status.in_(LIVE),
                Shift.id != shift.id,
                Shift.cancelled_at.is_(None),
            )
        )
    )
    person = replace(prepared.person, commitments=commitments)
    status = _place_or_refuse(_facts(shift, offered), person, prepared.rules, now)
    if status == "confirmed":
        shift.confirmed += 1
    if existing is None:
        existing = SignUp(
            shift_id=shift.id, account_id=account_id, arrival=arrival, status=status, created_at=now
        )
        session.add(existing)
    else:
        existing.arrival, existing.status, existing.created_at = arrival, status, now
        existing.cancelled_at = existing.offer_expires_at = existing.late_cancel_reason = None
    session.flush()
    return Recorded(existing.id, status, arrival)


def _forget_cached(session: Session, *rows: tuple[type, int]) -> None:
    """Expire ORM copies of rows that Core statements just changed, so that code
    holding them (tests, the demo) reads them afresh."""
    for model, key in rows:
        cached = session.identity_map.get(session.identity_key(model, key))
        if cached is not None:
            session.expire(cached)


def sign_up(session: Session, shift_id: int, account_id: int, now: datetime) -> SignUp:
    """Sign a person up (both phases in one transaction).

    Refusals raise DomainError (code ``signup.<reason>``) and change nothing.
    """
    recorded = record_signup(session, prepare_signup(session, shift_id, account_id, now), now)
    signup = session.get(SignUp, recorded.signup_id)
    assert signup is not None
    return signup


def _offered(session: Session, shift_id: int) -> int:
    return len(
        session.scalars(
            select(SignUp.id).where(SignUp.shift_id == shift_id, SignUp.status == "offered")
        ).all()
    )


def _locked_shift(session: Session, shift_id: int) -> Shift:
    """The shift row alone, locked and re-read (PostgreSQL ``FOR UPDATE``; SQLite's
    write transaction is the lock)."""
    shift = session.scalar(_LOCKED_SHIFT, {"shift_id": shift_id})
    if shift is None:
        raise DomainError("shift.not_found", N_("No such shift."), status=404)
    return shift


def _expire_offers(
    session: Session, ctx: ShiftContext, now: datetime, offers: Sequence[SignUp] | None = None
) -> int:
    """Offers not taken in time pass on (the shift row must be locked). Returns the
    number of places held by open offers afterwards. ``offers``: the shift's open
    offers when the caller has already read them under the lock."""
    if offers is None:
        offers = session.scalars(
            select(SignUp).where(SignUp.shift_id == ctx.shift.id, SignUp.status == "offered")
        ).all()
    expired = [s for s in offers if s.offer_expires_at is None or s.offer_expires_at <= now]
    for s in expired:
        s.status = "cancelled"
        s.cancelled_at = s.offer_expires_at or now
        s.late_cancel_reason = "offer_expired"
    if not expired:
        return len(offers)
    session.flush()
    _fill_places(session, ctx, now)
    return _offered(session, ctx.shift.id)


def _fill_places(session: Session, ctx: ShiftContext, now: datetime) -> None:
    """Give free places to the waitlist in arrival order: promote before the
    cut-off, offer for a limited time after it."""
    shift, rules = ctx.shift, rules_of(ctx.team, ctx.activity)
    free = shift.capacity - shift.confirmed - _offered(session, shift.id)
    if free <= 0:
        return
    waiting = session.scalars(
        select(SignUp)
        .where(SignUp.shift_id == shift.id, SignUp.status == "waitlisted")
        .order_by(SignUp.arrival)
        .limit(free)
    ).all()
    for s in waiting:
        place = on_freed_place(
            shift.starts_at,
            now,
            waiting=1,
            cutoff_hours=rules.promotion_cutoff_hours,
            offer_minutes=rules.offer_minutes,
        )
        if place.move is Move.PROMOTE:
            s.status = "confirmed"
            shift.confirmed += 1
            # At most the shift's free places: a few notices, never a roll's.
            tell_one(
                session,
                s.account_id,
                event=f"shift.confirmed:{s.id}",
                kind="shift.confirmed",
                message=kinds.SHIFT_CONFIRMED,
                now=now,
                link=f"/volunteers/shifts/{shift.id}",
                params={"title": ctx.activity.title},
            )
        elif place.move is Move.OFFER:
            s.status = "offered"
            s.offer_expires_at = place.offer_expires_at
    session.flush()


def _own_signup(session: Session, shift_id: int, account_id: int) -> SignUp:
    s = session.scalar(
        select(SignUp).where(SignUp.shift_id == shift_id, SignUp.account_id == account_id)
    )
    if s is None or s.status not in LIVE:
        raise DomainError("signup.none", N_("You are not signed up for this shift."), status=404)
    return s


def cancel(
    session: Session, shift_id: int, account_id: int, now: datetime, reason: str = ""
) -> SignUp:
    """Cancel one's own sign-up; a freed place goes to the waitlist.

    Late cancellations (inside the closing window) need a reason, which is kept.
    """
    ctx = shift_context(session, shift_id, lock=True)
    _expire_offers(session, ctx, now)
    s = _own_signup(session, shift_id, account_id)
    verdict = decide_cancel(ctx.shift.starts_at, rules_of(ctx.team, ctx.activity), now)
    if not verdict.allowed:
        raise DomainError(
            "signup.cancel_closed",
            N_("The shift has started; it can no longer be cancelled."),
            status=409,
        )
    reason = reason.strip()
    if verdict.late and s.status == "confirmed" and not reason:
        raise DomainError(
            "signup.late_reason",
            N_("Cancelling this close to the start needs a reason."),
            fields={"reason": N_("Say why you cannot come.")},
        )
    was_confirmed = s.status == "confirmed"
    s.status = "cancelled"
    s.cancelled_at = now
    s.offer_expires_at = None
    s.late_cancel_reason = reason[:200] if verdict.late and was_confirmed else None
    if was_confirmed:
        ctx.shift.confirmed -= 1
    session.flush()
    _fill_places(session, ctx, now)
    return s


def accept_offer(session: Session, shift_id: int, account_id: int, now: datetime) -> SignUp:
    ctx = shift_context(session, shift_id, lock=True)
    _expire_offers(session, ctx, now)
    s = _own_signup(session, shift_id, account_id)
    if s.status != "offered":
        raise DomainError(
            "signup.no_offer", N_("There is no open offer for you on this shift."), status=409
        )
    s.status = "confirmed"
    s.offer_expires_at = None
    ctx.shift.confirmed += 1
    session.flush()
    return s


def process_offers(session: Session, now: datetime) -> int:
    """Expire overdue offers on every shift (run by a periodic job); returns how many."""
    shift_ids = session.scalars(
        select(SignUp.shift_id)
        .where(SignUp.status == "offered", SignUp.offer_expires_at <= now)
        .distinct()
    ).all()
    for shift_id in shift_ids:
        _expire_offers(session, shift_context(session, shift_id, lock=True), now)
    return len(shift_ids)


def waitlist_position(session: Session, signup: SignUp) -> int | None:
    if signup.status != "waitlisted":
        return None
    ahead = session.scalar(
        select(func.count()).where(
            SignUp.shift_id == signup.shift_id,
            SignUp.status == "waitlisted",
            SignUp.arrival < signup.arrival,
        )
    )
    return int(ahead or 0) + 1


def waiting_count(session: Session, shift_id: int) -> int:
    """How many are waiting for a place on the shift (on the waitlist or offered
    one), counted in SQL however long the waitlist."""
    return int(
        session.scalar(
            select(func.count()).where(
                SignUp.shift_id == shift_id, SignUp.status.in_(("waitlisted", "offered"))
            )
        )
        or 0
    )


def waitlist_positions(session: Session, waiting: Sequence[SignUp]) -> dict[int, int]:
    """:func:`waitlist_position` of each waitlisted sign-up given (by sign-up id),
    in one query however many shifts they are on."""
    mine = [s for s in waiting if s.status == "waitlisted"]
    if not mine:
        return {}
    queues: dict[int, list[int]] = {}
    for shift_id, arrival in session.execute(
        select(SignUp.shift_id, SignUp.arrival).where(
            SignUp.shift_id.in_({s.shift_id for s in mine}), SignUp.status == "waitlisted"
        )
    ):
        queues.setdefault(shift_id, []).append(arrival)
    return {s.id: 1 + sum(1 for a in queues.get(s.shift_id, []) if a < s.arrival) for s in mine}


def signups_of_shift(
    session: Session, shift_id: int, statuses: Sequence[str] = LIVE
) -> Sequence[SignUp]:
    return session.scalars(
        select(SignUp)
        .where(SignUp.shift_id == shift_id, SignUp.status.in_(statuses))
        .order_by(SignUp.arrival)
    ).all()


def signup_of(session: Session, shift_id: int, account_id: int) -> SignUp | None:
    """The person's sign-up for the shift, in any status; None if they never signed up."""
    return session.scalar(
        select(SignUp).where(SignUp.shift_id == shift_id, SignUp.account_id == account_id)
    )


def own_signup_by_id(session: Session, signup_id: int, account_id: int) -> SignUp:
    """A sign-up of the person's own, by id (404 when it is nobody's or someone else's)."""
    signup = session.get(SignUp, signup_id) if signup_id else None
    if signup is None or signup.account_id != account_id:
        raise DomainError("signup.none", N_("You are not signed up for this shift."), status=404)
    return signup


def shifts_of_volunteer(
    session: Session, account_id: int, limit: int = 100
) -> list[tuple[SignUp, Shift, Activity, Team]]:
    """The person's sign-ups with their shift, activity and team, latest shift
    first, in one query."""
    rows = session.execute(
        select(SignUp, Shift, Activity, Team)
        .join(Shift, Shift.id == SignUp.shift_id)
        .join(Activity, Activity.id == Shift.activity_id)
        .join(Team, Team.id == Activity.team_id)
        .where(SignUp.account_id == account_id)
        .order_by(Shift.starts_at.desc())
        .limit(limit)
    ).all()
    return [(s, sh, a, t) for s, sh, a, t in rows]
