"""Whether a person may sign up for a shift, and whether they may cancel.

Plain values in (the shift, the person, their other commitments, ``now``), a
decision with a reason code out. No database, no clock of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

#: Default: after this many no-shows (since the last unlock) a person cannot sign up alone.
NO_SHOW_LOCK = 2
#: Default: under this age a guardian's consent must be on record.
CONSENT_AGE = 14
#: Default: under this age a person cannot sign up by themselves at all.
SELF_SIGNUP_AGE = 10


@dataclass(frozen=True)
class ShiftRules:
    """The sign-up rules, set per team and overridable per activity, with the
    defaults the issue names. Every field is a whole number; each has a column
    of the same name on ``vol_teams`` (NOT NULL) and ``vol_activities`` (NULL:
    the team's setting), and bounds in :mod:`volunteers.rules.settings`."""

    opens_hours_before: int = 14 * 24
    cancel_closes_hours_before: int = 3
    overlap_grace_minutes: int = 10
    promotion_cutoff_hours: int = 24
    offer_minutes: int = 30
    coverage_percent: int = 60
    no_show_lock: int = NO_SHOW_LOCK
    consent_age: int = CONSENT_AGE
    self_signup_age: int = SELF_SIGNUP_AGE


@dataclass(frozen=True)
class ShiftFacts:
    starts_at: datetime
    ends_at: datetime
    capacity: int
    confirmed: int
    qualifications: frozenset[str] = frozenset()
    members_only: bool = False
    cancelled: bool = False


@dataclass(frozen=True)
class PersonFacts:
    birth_date: date | None  # from the roll when the person is verified
    qualifications: frozenset[str]
    is_member: bool
    no_shows: int  # since the last unlock
    guardian_consent: bool
    # (start, end) of the person's other live sign-ups, across all teams.
    commitments: tuple[tuple[datetime, datetime], ...] = ()


class Reason(StrEnum):
    CONFIRMED = "confirmed"
    FULL = "full"  # waitlisted, not refused
    OVERLAPS = "overlaps"
    MISSING_QUALIFICATION = "missing_qualification"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"
    LOCKED = "locked"
    NEEDS_GUARDIAN_CONSENT = "needs_guardian_consent"
    TOO_YOUNG = "too_young"
    MEMBERS_ONLY = "members_only"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class SignUpDecision:
    accepted: bool  # False: refused, nothing is stored
    waitlisted: bool
    reason: Reason
    # The rule behind an age or no-show refusal, for its message
    # (``age`` or ``count``); empty otherwise.
    params: Mapping[str, int] = field(default_factory=dict)


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def overlaps(
    start: datetime, end: datetime, others: Iterable[tuple[datetime, datetime]], grace: timedelta
) -> bool:
    """Two shifts overlap when they share more than ``grace`` of time: back-to-back
    shifts, or ones that touch by a few minutes of handover, are fine."""
    return any(min(end, e) - max(start, s) > grace for s, e in others)


def decide_signup(
    shift: ShiftFacts, person: PersonFacts, rules: ShiftRules, now: datetime
) -> SignUpDecision:
    """Decide a self sign-up. Refusals come in a fixed order (the first that
    applies is reported); a full shift is not a refusal but a waitlist place.

    Invariants: a refused sign-up is never waitlisted; a confirmed one always
    leaves ``confirmed < capacity`` true before it; age rules only apply when the
    birth date is known.
    """

    def refuse(reason: Reason, **params: int) -> SignUpDecision:
        return SignUpDecision(False, False, reason, params)

    if shift.cancelled:
        return refuse(Reason.CANCELLED)
    if now >= shift.starts_at:
        return refuse(Reason.CLOSED)
    if now < shift.starts_at - timedelta(hours=rules.opens_hours_before):
        return refuse(Reason.NOT_YET_OPEN)
    if person.birth_date is not None:
        age = age_on(person.birth_date, now.date())
        if age < rules.self_signup_age:
            return refuse(Reason.TOO_YOUNG, age=rules.self_signup_age)
        if age < rules.consent_age and not person.guardian_consent:
            return refuse(Reason.NEEDS_GUARDIAN_CONSENT, age=rules.consent_age)
    if person.no_shows >= rules.no_show_lock:
        return refuse(Reason.LOCKED, count=rules.no_show_lock)
    if shift.members_only and not person.is_member:
        return refuse(Reason.MEMBERS_ONLY)
    if not shift.qualifications <= person.qualifications:
        return refuse(Reason.MISSING_QUALIFICATION)
    grace = timedelta(minutes=rules.overlap_grace_minutes)
    if overlaps(shift.starts_at, shift.ends_at, person.commitments, grace):
        return refuse(Reason.OVERLAPS)
    if shift.confirmed >= shift.capacity:
        return SignUpDecision(True, True, Reason.FULL)
    return SignUpDecision(True, False, Reason.CONFIRMED)


@dataclass(frozen=True)
class CancelDecision:
    allowed: bool
    late: bool  # allowed only with a recorded reason


def decide_cancel(starts_at: datetime, rules: ShiftRules, now: datetime) -> CancelDecision:
    """Self-cancellation closes ``cancel_closes_hours_before`` the start; after
    that (and until the start) it is a late cancellation that needs a reason.
    Once the shift has started nobody cancels: it is attendance or a no-show."""
    if now >= starts_at:
        return CancelDecision(False, False)
    late = now >= starts_at - timedelta(hours=rules.cancel_closes_hours_before)
    return CancelDecision(True, late)
