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
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.errors import N_, DomainError
from volunteers import profiles
from volunteers.models import Activity, Shift, SignUp, Team
from volunteers.rules.signup import PersonFacts, Reason, ShiftFacts, decide_cancel, decide_signup
from volunteers.rules.waitlist import Move, on_freed_place
from volunteers.teams import membership, rules_of

LIVE = ("confirmed", "waitlisted", "offered")

REFUSALS: dict[Reason, str] = {
    Reason.OVERLAPS: N_("You are already signed up for a shift at this time."),
    Reason.MISSING_QUALIFICATION: N_("This shift needs a qualification you do not have on record."),
    Reason.NOT_YET_OPEN: N_("Sign-up for this shift has not opened yet."),
    Reason.CLOSED: N_("Sign-up for this shift has closed."),
    Reason.LOCKED: N_(
        "After two missed shifts you cannot sign up by yourself; "
        "ask your team leader to unlock you."
    ),
    Reason.NEEDS_GUARDIAN_CONSENT: N_(
        "Volunteers under 14 need a guardian's consent on record before signing up."
    ),
    Reason.TOO_YOUNG: N_(
        "Children under 10 cannot sign up by themselves; a guardian signs them up."
    ),
    Reason.MEMBERS_ONLY: N_("This shift is for members of the team only."),
    Reason.CANCELLED: N_("This shift has been cancelled."),
}


@dataclass(frozen=True)
class ShiftContext:
    shift: Shift
    activity: Activity
    team: Team


def shift_context(session: Session, shift_id: int, *, lock: bool = False) -> ShiftContext:
    query = select(Shift).where(Shift.id == shift_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    shift = session.scalar(query)
    if shift is None:
        raise DomainError("shift.not_found", N_("No such shift."), status=404)
    activity = session.get(Activity, shift.activity_id)
    assert activity is not None
    team = session.get(Team, activity.team_id)
    assert team is not None
    return ShiftContext(shift, activity, team)


def _commitments(
    session: Session, account_id: int, shift_id: int
) -> tuple[tuple[datetime, datetime], ...]:
    rows = session.execute(
        select(Shift.starts_at, Shift.ends_at)
        .join(SignUp, SignUp.shift_id == Shift.id)
        .where(
            SignUp.account_id == account_id,
            SignUp.status.in_(LIVE),
            Shift.id != shift_id,
            Shift.cancelled_at.is_(None),
        )
    ).all()
    return tuple((s, e) for s, e in rows)


def sign_up(session: Session, shift_id: int, account_id: int, now: datetime) -> SignUp:
    """Sign a person up: confirmed while places last, else waitlisted in arrival order.

    Refusals raise DomainError (code ``signup.<reason>``) and change nothing.
    Invariant: ``shift.confirmed <= shift.capacity``; one live sign-up per person
    and shift.
    """
    profile = profiles.ensure_profile(session, account_id, lock=True)
    ctx = shift_context(session, shift_id, lock=True)
    shift = ctx.shift
    _expire_offers(session, ctx, now)
    existing = session.scalar(
        select(SignUp).where(SignUp.shift_id == shift.id, SignUp.account_id == account_id)
    )
    if existing is not None and existing.status in LIVE:
        raise DomainError(
            "signup.already", N_("You are already signed up for this shift."), status=409
        )
    m = membership(session, ctx.team.id, account_id)
    person = PersonFacts(
        birth_date=profiles.birth_date_of(session, account_id),
        qualifications=profiles.qualifications_of(session, account_id, now.date()),
        is_member=m is not None and m.status == "active",
        no_shows=profiles.no_shows(session, profile),
        guardian_consent=profile.guardian_consent_at is not None,
        commitments=_commitments(session, account_id, shift.id),
    )
    facts = ShiftFacts(
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        capacity=shift.capacity,
        # Places held by open offers are not free.
        confirmed=shift.confirmed + _offered(session, shift.id),
        qualifications=shift.qualification_codes,
        members_only=shift.members_only,
        cancelled=shift.cancelled_at is not None,
    )
    decision = decide_signup(facts, person, rules_of(ctx.team), now)
    if not decision.accepted:
        raise DomainError(f"signup.{decision.reason.value}", REFUSALS[decision.reason], status=409)
    shift.arrivals += 1
    status = "waitlisted" if decision.waitlisted else "confirmed"
    if status == "confirmed":
        shift.confirmed += 1
    if existing is None:
        existing = SignUp(
            shift_id=shift.id,
            account_id=account_id,
            arrival=shift.arrivals,
            status=status,
            created_at=now,
        )
        session.add(existing)
    else:  # signing up again after cancelling: back of the queue
        existing.arrival, existing.status, existing.created_at = shift.arrivals, status, now
        existing.cancelled_at = existing.offer_expires_at = existing.late_cancel_reason = None
    session.flush()
    return existing


def _offered(session: Session, shift_id: int) -> int:
    return len(
        session.scalars(
            select(SignUp.id).where(SignUp.shift_id == shift_id, SignUp.status == "offered")
        ).all()
    )


def _expire_offers(session: Session, ctx: ShiftContext, now: datetime) -> None:
    """Offers not taken in time pass on (the shift row must be locked)."""
    expired = session.scalars(
        select(SignUp).where(
            SignUp.shift_id == ctx.shift.id,
            SignUp.status == "offered",
            SignUp.offer_expires_at <= now,
        )
    ).all()
    for s in expired:
        s.status = "cancelled"
        s.cancelled_at = s.offer_expires_at
        s.late_cancel_reason = "offer_expired"
    if expired:
        session.flush()
        _fill_places(session, ctx, now)


def _fill_places(session: Session, ctx: ShiftContext, now: datetime) -> None:
    """Give free places to the waitlist in arrival order: promote before the
    cut-off, offer for a limited time after it."""
    shift, rules = ctx.shift, rules_of(ctx.team)
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
    verdict = decide_cancel(ctx.shift.starts_at, rules_of(ctx.team), now)
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
    ahead = session.scalars(
        select(SignUp.id).where(
            SignUp.shift_id == signup.shift_id,
            SignUp.status == "waitlisted",
            SignUp.arrival < signup.arrival,
        )
    ).all()
    return len(ahead) + 1


def signups_of_shift(
    session: Session, shift_id: int, statuses: Sequence[str] = LIVE
) -> Sequence[SignUp]:
    return session.scalars(
        select(SignUp)
        .where(SignUp.shift_id == shift_id, SignUp.status.in_(statuses))
        .order_by(SignUp.arrival)
    ).all()
