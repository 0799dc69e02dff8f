"""Volunteer profiles: number, guardian consent, no-show lock, calendar token."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import BindParameter, Table, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from participation import audit
from participation.rolls import RollEntry
from volunteers.models import Membership, Qualification, Shift, SignUp, VolunteerProfile


def ensure_profile(session: Session, account_id: int, *, lock: bool = False) -> VolunteerProfile:
    """The person's profile, created on first use. ``lock`` takes the row lock
    (PostgreSQL) so that one person's concurrent sign-ups are checked one at a time."""
    query = select(VolunteerProfile).where(VolunteerProfile.account_id == account_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    profile = session.scalar(query)
    if profile is None:
        profile = VolunteerProfile(
            account_id=account_id,
            volunteer_number=f"V{account_id:08d}",
            calendar_token=secrets.token_urlsafe(32),
        )
        session.add(profile)
        session.flush()
    return profile


def set_reminders(
    session: Session, account_id: int, email: str | None, reminder_minutes: int
) -> VolunteerProfile:
    """Where the person's reminders and notices go (None: nowhere), and how long
    before a shift they are reminded."""
    profile = ensure_profile(session, account_id)
    profile.email = email
    profile.reminder_minutes = reminder_minutes
    return profile


def birth_date_of(session: Session, account_id: int) -> date | None:
    """From the resident roll when the person is verified; unknown otherwise."""
    return session.scalar(select(RollEntry.birth_date).where(RollEntry.account_id == account_id))


def qualifications_of(session: Session, account_id: int, today: date) -> frozenset[str]:
    rows = session.execute(
        select(Qualification.code, Qualification.valid_until).where(
            Qualification.account_id == account_id
        )
    ).all()
    return frozenset(code for code, until in rows if until is None or until >= today)


def no_shows(session: Session, account_id: int, cleared_at: datetime | None) -> int:
    """No-shows on shifts that started after the last unlock (``cleared_at``)."""
    query = (
        select(func.count())
        .select_from(SignUp)
        .join(Shift, Shift.id == SignUp.shift_id)
        .where(SignUp.account_id == account_id, SignUp.status == "no_show")
    )
    if cleared_at is not None:
        query = query.where(Shift.starts_at > cleared_at)
    return int(session.scalar(query) or 0)


def locked_accounts(session: Session, account_ids: Collection[int], lock: int) -> set[int]:
    """Which of ``account_ids`` have at least ``lock`` no-shows since their last
    unlock (the same count as :func:`no_shows`), in one query however many people
    are asked about. People without a volunteer profile have never been locked."""
    if not account_ids:
        return set()
    counted = (
        select(SignUp.account_id)
        .join(Shift, Shift.id == SignUp.shift_id)
        .join(VolunteerProfile, VolunteerProfile.account_id == SignUp.account_id)
        .where(
            SignUp.account_id.in_(list(account_ids)),
            SignUp.status == "no_show",
            or_(
                VolunteerProfile.no_shows_cleared_at.is_(None),
                Shift.starts_at > VolunteerProfile.no_shows_cleared_at,
            ),
        )
        .group_by(SignUp.account_id)
        .having(func.count() >= lock)
    )
    return set(session.scalars(counted))


def profile_of(session: Session, account_id: int) -> VolunteerProfile | None:
    """The person's profile, or None before they first signed up or were recorded."""
    return session.get(VolunteerProfile, account_id)


def unlock(session: Session, account_id: int, actor_id: int, now: datetime, ip: str = "") -> None:
    """A leader lifts the no-show lock; earlier no-shows stop counting (logged)."""
    profile = ensure_profile(session, account_id)
    profile.no_shows_cleared_at = now
    audit.record(
        session, actor_id=actor_id, action="volunteer.unlock", target=f"account:{account_id}", ip=ip
    )


def record_guardian_consent(
    session: Session, account_id: int, guardian_name: str, actor_id: int, now: datetime
) -> None:
    profile = ensure_profile(session, account_id)
    profile.guardian_name = guardian_name.strip()[:60]
    profile.guardian_consent_at = now
    audit.record(
        session,
        actor_id=actor_id,
        action="volunteer.guardian_consent",
        target=f"account:{account_id}",
        guardian=profile.guardian_name,
    )


def add_qualification(
    session: Session, account_id: int, code: str, actor_id: int, valid_until: date | None = None
) -> Qualification:
    found = session.scalar(
        select(Qualification).where(
            Qualification.account_id == account_id, Qualification.code == code
        )
    )
    if found is not None:
        found.valid_until = valid_until
        return found
    q = Qualification(
        account_id=account_id, code=code, valid_until=valid_until, recorded_by=actor_id
    )
    session.add(q)
    session.flush()
    return q


def person_columns(team_id: Any) -> tuple[Any, ...]:
    """The five columns of :func:`person_row` as scalar subqueries on the bound
    ``account_id``: ``team_id`` is a bound parameter, or the team's id column of an
    enclosing statement (a sign-up reads them with the shift, in one round trip).
    The missed-shift count reads shifts under an alias, so that it never
    correlates to a shift the enclosing statement selects."""
    account: BindParameter[int] = bindparam("account_id")
    missed = aliased(Shift)
    cleared = (
        select(VolunteerProfile.no_shows_cleared_at)
        .where(VolunteerProfile.account_id == account)
        .scalar_subquery()
    )
    return (
        select(RollEntry.birth_date).where(RollEntry.account_id == account).scalar_subquery(),
        select(Membership.status)
        .where(Membership.team_id == team_id, Membership.account_id == account)
        .scalar_subquery(),
        select(VolunteerProfile.guardian_consent_at)
        .where(VolunteerProfile.account_id == account)
        .scalar_subquery(),
        select(func.count())
        .select_from(SignUp)
        .join(missed, missed.id == SignUp.shift_id)
        .where(
            SignUp.account_id == account,
            SignUp.status == "no_show",
            or_(cleared.is_(None), missed.starts_at > cleared),
        )
        .scalar_subquery(),
        select(VolunteerProfile.account_id)
        .where(VolunteerProfile.account_id == account)
        .scalar_subquery(),
    )


# Built once: constructing this statement cost more CPU than running it, on every
# sign-up (the values are bound per call).
PERSON_ROW = select(*person_columns(bindparam("team_id")))


def person_facts(row: Any) -> tuple[date | None, str | None, datetime | None, int, bool]:
    """:func:`person_row`'s answer from the five columns of :func:`person_columns`."""
    return row[0], row[1], row[2], int(row[3] or 0), row[4] is not None


def person_row(
    session: Session, account_id: int, team_id: int
) -> tuple[date | None, str | None, datetime | None, int, bool]:
    """(birth date, membership status in the team, guardian consent time, no-shows
    since the last unlock, whether the profile exists) in one round trip: sign-up
    reads these on every request."""
    return person_facts(
        session.execute(PERSON_ROW, {"account_id": account_id, "team_id": team_id}).one()
    )


# Core statements on the table (not the ORM entity): the ORM's bulk-insert path
# cost more CPU than the insert itself on the sign-up hot path.
_profiles = cast(Table, VolunteerProfile.__table__)
_INSERT_PROFILE = {
    "sqlite": sqlite_insert(_profiles).on_conflict_do_nothing(),
    "postgresql": pg_insert(_profiles).on_conflict_do_nothing(),
}
_LOCK_PROFILE = (
    select(_profiles.c.account_id)
    .where(_profiles.c.account_id == bindparam("account_id"))
    .with_for_update()
)


def claim_profile(session: Session, account_id: int, *, exists: bool) -> None:
    """Inside a sign-up's write transaction: make sure the profile exists and hold
    its row lock, so that one person's concurrent sign-ups (for different shifts)
    are checked one at a time, in as few statements as possible.

    ``exists`` comes from the read phase. A profile is never deleted, so when it
    existed then it exists now. SQLite needs no row lock (the write transaction
    holds the database's only write lock), so a returning volunteer costs no
    statement there; a new one costs one ``INSERT ... ON CONFLICT DO NOTHING``
    (no ORM object: nothing in the request uses it). PostgreSQL locks the row
    with ``SELECT ... FOR UPDATE``.
    """
    connection = session.connection()
    dialect = connection.dialect.name
    if not exists:
        values = {
            "account_id": account_id,
            "volunteer_number": f"V{account_id:08d}",
            "calendar_token": secrets.token_urlsafe(32),
        }
        connection.execute(_INSERT_PROFILE[dialect], values)
    if dialect != "sqlite":
        connection.execute(_LOCK_PROFILE, {"account_id": account_id})
