"""Attendance: check-in/out by rotating code or by the leader, no-shows, and
crediting hours from attendance into the ledger (once per sign-up)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from participation import audit
from participation.accounts import Account
from participation.errors import N_, DomainError
from volunteers import ledger
from volunteers.models import SignUp
from volunteers.rules.checkin import code_is_valid
from volunteers.rules.hours import Credit, credit_for_attendance
from volunteers.signups import ShiftContext, shift_context
from volunteers.teams import rules_of

# Check-in opens this long before the start and closes this long after the end.
SLACK_MINUTES = 60


def _confirmed(session: Session, shift_id: int, account_id: int) -> SignUp:
    """The person's sign-up, locked and read afresh: racing check-outs (a double
    tap, a leader marking the roster meanwhile) are decided one after another,
    so hours are credited once (PostgreSQL ``FOR UPDATE``; SQLite's write
    transaction is the lock)."""
    s = session.scalar(
        select(SignUp)
        .where(SignUp.shift_id == shift_id, SignUp.account_id == account_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if s is None or s.status not in ("confirmed", "no_show"):
        raise DomainError(
            "attendance.not_confirmed",
            N_("You do not have a confirmed place on this shift."),
            status=403,
        )
    return s


def scan(
    session: Session, shift_id: int, account_id: int, code: str, secret: bytes, now: datetime
) -> SignUp:
    """A volunteer scanned the leader's code: the first scan checks in, the next checks out."""
    ctx = shift_context(session, shift_id)
    if not code_is_valid(secret, shift_id, code, now):
        raise DomainError(
            "attendance.code",
            N_("This check-in code has expired. Scan the code on the leader's screen again."),
        )
    from datetime import timedelta

    slack = timedelta(minutes=SLACK_MINUTES)
    if not ctx.shift.starts_at - slack <= now <= ctx.shift.ends_at + slack:
        raise DomainError(
            "attendance.window",
            N_("Check-in is open from an hour before the shift to an hour after it."),
        )
    s = _confirmed(session, shift_id, account_id)
    s.status = "confirmed"
    if s.checked_in_at is None:
        s.checked_in_at = now
    elif s.checked_out_at is None:
        s.checked_out_at = now
        _credit(session, ctx, s, None, now)
    session.flush()
    return s


def mark(
    session: Session,
    shift_id: int,
    account_id: int,
    *,
    checked_in: datetime | None,
    checked_out: datetime | None,
    no_show: bool,
    actor_id: int,
    now: datetime,
) -> SignUp:
    """The leader records attendance on the roster (or a no-show). Times later
    than ``now`` are refused: hours are credited only for time that has passed."""
    ctx = shift_context(session, shift_id)
    if now < ctx.shift.starts_at:
        raise DomainError(
            "attendance.future", N_("Attendance can be recorded once the shift has started.")
        )
    s = _confirmed(session, shift_id, account_id)
    if s.credited:
        raise DomainError(
            "attendance.credited",
            N_("Hours for this sign-up are already credited; add a correction instead."),
            status=409,
        )
    if no_show:
        s.status = "no_show"
        s.checked_in_at = s.checked_out_at = None
    else:
        if checked_in is None:
            raise DomainError(
                "attendance.times",
                N_("Enter the check-in time."),
                fields={"checked_in": N_("Enter the check-in time.")},
            )
        # Invariant: no credit for time that has not happened yet. A shift in
        # progress gets its check-in now and its check-out once the person leaves.
        not_yet = N_("This time has not come yet: record it once it has passed.")
        late = {
            name: not_yet
            for name, at in (("checked_in", checked_in), ("checked_out", checked_out))
            if at is not None and at > now
        }
        if late:
            raise DomainError("attendance.future_time", not_yet, fields=late)
        if checked_out is not None and checked_out <= checked_in:
            raise DomainError(
                "attendance.times",
                N_("Check-out must come after check-in."),
                fields={"checked_out": N_("Check-out must come after check-in.")},
            )
        s.status = "confirmed"
        s.checked_in_at, s.checked_out_at = checked_in, checked_out
    s.attendance_by = actor_id
    audit.record(
        session,
        actor_id=actor_id,
        action="volunteer.attendance",
        target=f"signup:{s.id}",
        no_show=no_show,
    )
    if not no_show and checked_out is not None:
        _credit(session, ctx, s, actor_id, now)
    session.flush()
    return s


def _credit(
    session: Session, ctx: ShiftContext, s: SignUp, actor_id: int | None, now: datetime
) -> Credit:
    result = credit_for_attendance(
        ctx.shift.starts_at,
        ctx.shift.ends_at,
        s.checked_in_at,
        s.checked_out_at,
        rules_of(ctx.team, ctx.activity).coverage_percent,
    )
    if result.outcome is Credit.CREDITED and not s.credited:
        ledger.record_system(session, s, result.minutes, actor_id, now)
        s.credited = True
    return result.outcome


def shift_roster(
    session: Session, shift_id: int, page: int = 1, per_page: int | None = None
) -> tuple[list[tuple[SignUp, Account]], int, int]:
    """The leader's attendance list, with the accounts, in order of arrival: everyone
    signed up for the shift and not cancelled, except that of those waiting for a
    place only the ``page``-th ``per_page`` (all when None; a page past the end is
    the last); that page's number, and how many wait. Those listed in full
    (confirmed, offered a place, missed it) are bounded by the shift's places; the
    waiting list is not (a city shift had 2,685). Two statements however many."""
    waiting = SignUp.status == "waitlisted"
    total = int(
        session.scalar(
            select(func.count()).select_from(SignUp).where(SignUp.shift_id == shift_id, waiting)
        )
        or 0
    )
    if per_page is not None:
        page = max(1, min(page, -(-total // per_page)))
    listed = (
        select(SignUp.id)
        .where(SignUp.shift_id == shift_id, waiting)
        .order_by(SignUp.arrival)
        .offset((page - 1) * (per_page or 0))
        .limit(per_page)
    )
    rows = session.execute(
        select(SignUp, Account)
        .join(Account, Account.id == SignUp.account_id)
        .where(
            SignUp.shift_id == shift_id,
            SignUp.status != "cancelled",
            or_(~waiting, SignUp.id.in_(listed)),
        )
        .order_by(SignUp.arrival)
    ).all()
    return [(s, a) for s, a in rows], page, total


def roster_entry(session: Session, shift_id: int, account_id: int) -> tuple[SignUp, Account]:
    """One person's sign-up for the shift with their account (404 when none)."""
    row = session.execute(
        select(SignUp, Account)
        .join(Account, Account.id == SignUp.account_id)
        .where(SignUp.shift_id == shift_id, SignUp.account_id == account_id)
    ).first()
    if row is None:
        raise DomainError("signup.none", N_("This person is not signed up."), status=404)
    return row[0], row[1]
