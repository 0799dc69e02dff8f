"""Volunteering on the personal home: the person's next shift and the coming
shifts of their teams, what waits for the leaders of a team (attendance to
record, people asking to join), and the person's sign-ups and hours (my
activity). Each function is one or two statements whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Select,
    and_,
    bindparam,
    func,
    literal,
    literal_column,
    select,
    true,
)
from sqlalchemy.orm import Session

from volunteers.models import Activity, HoursEntry, Membership, Shift, SignUp, Team
from volunteers.signups import LIVE


@dataclass(frozen=True)
class TeamShift:
    shift_id: int
    team_id: int
    team_name: str
    activity_title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    #: The person's sign-up on it ("confirmed", "waitlisted", "offered"), or None.
    my_status: str | None


@dataclass(frozen=True)
class Shifts:
    teams: int  # how many teams the person is an active member of
    next_shift: TeamShift | None  # the person's next live sign-up
    coming: list[TeamShift]  # the coming shifts of their teams


def _columns() -> tuple[object, ...]:
    return (
        Shift.id,
        Team.id,
        Team.name,
        Activity.title,
        Shift.starts_at,
        Shift.ends_at,
        Shift.place,
    )


@cache
def _shift_statements(limit: int) -> tuple[Select[Any], Select[Any]]:
    """The two statements of ``my_shifts``, built once (building a statement costs
    more CPU than running it here) with the person and the time as parameters."""
    account: BindParameter[int] = bindparam("account_id")
    now: BindParameter[datetime] = bindparam("now")
    teams_count = (
        select(func.count())
        .select_from(Membership)
        .where(Membership.account_id == account, Membership.status == "active")
        .scalar_subquery()
    )
    next_shift = (
        select(*_columns(), SignUp.status)  # type: ignore[call-overload]
        .select_from(SignUp)
        .join(Shift, Shift.id == SignUp.shift_id)
        .join(Activity, Activity.id == Shift.activity_id)
        .join(Team, Team.id == Activity.team_id)
        .where(
            SignUp.account_id == account,
            SignUp.status.in_(LIVE),
            Shift.ends_at > now,
            Shift.cancelled_at.is_(None),
        )
        .order_by(Shift.starts_at, Shift.id)
        .limit(1)
        .subquery()
    )
    one = select(literal(1).label("one")).subquery()
    first = select(teams_count, *next_shift.c).select_from(one.outerjoin(next_shift, true()))
    coming = (
        select(*_columns(), SignUp.status)  # type: ignore[call-overload]
        .select_from(Shift)
        .join(Activity, Activity.id == Shift.activity_id)
        .join(Team, Team.id == Activity.team_id)
        .join(
            Membership,
            and_(
                Membership.team_id == Team.id,
                Membership.account_id == account,
                Membership.status == "active",
            ),
        )
        .outerjoin(
            SignUp,
            and_(
                SignUp.shift_id == Shift.id,
                SignUp.account_id == account,
                SignUp.status.in_(LIVE),
            ),
        )
        .where(Shift.starts_at > now, Shift.cancelled_at.is_(None))
        .order_by(Shift.starts_at, Shift.id)
        .limit(limit)
    )
    return first, coming


def my_shifts(session: Session, account_id: int, now: datetime, limit: int = 5) -> Shifts:
    """Two statements: the number of teams beside the next shift the person signed
    up for (one row whatever: the shift's columns are empty when there is none),
    and the coming shifts of their teams with their own sign-up (only for a
    member of a team)."""
    first, coming_shifts = _shift_statements(limit)
    params = {"account_id": account_id, "now": now}
    teams, *found = session.execute(first, params).one()
    nxt = found if found[0] is not None else None
    coming: list[TeamShift] = []
    if teams:
        coming = [TeamShift(*row) for row in session.execute(coming_shifts, params)]
    return Shifts(teams, TeamShift(*nxt) if nxt is not None else None, coming)


@dataclass(frozen=True)
class TeamWaiting:
    team_id: int
    team_name: str
    count: int


def attendance_to_record(session: Session, account_id: int, now: datetime) -> list[TeamWaiting]:
    """Per team the person leads: ended shifts with a confirmed place whose
    attendance nobody recorded yet (not checked out, not credited). One statement,
    reading the sign-ups through the partial index of unrecorded places
    (``ix_vol_signups_unrecorded``), so its cost follows the team's shifts, not
    the years of sign-ups already recorded. The status is a literal, as in the
    index's condition, so that every engine's planner can match the two."""
    rows = session.execute(
        select(Team.id, Team.name, func.count(func.distinct(Shift.id)))
        .select_from(Team)
        .join(
            Membership,
            and_(
                Membership.team_id == Team.id,
                Membership.account_id == account_id,
                Membership.role == "leader",
                Membership.status == "active",
            ),
        )
        .join(Activity, Activity.team_id == Team.id)
        .join(Shift, Shift.activity_id == Activity.id)
        .join(SignUp, SignUp.shift_id == Shift.id)
        .where(
            Shift.ends_at <= now,
            Shift.cancelled_at.is_(None),
            SignUp.status == literal_column("'confirmed'"),
            SignUp.checked_out_at.is_(None),
            SignUp.credited.is_(False),
        )
        .group_by(Team.id, Team.name)
        .order_by(Team.name)
    ).all()
    return [TeamWaiting(*row) for row in rows]


def join_requests(session: Session, account_id: int) -> list[TeamWaiting]:
    """Per team the person leads: people asking to join. One statement."""
    leader = (
        select(Membership.team_id)
        .where(
            Membership.account_id == account_id,
            Membership.role == "leader",
            Membership.status == "active",
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(Team.id, Team.name, func.count(Membership.id))
        .join(Membership, Membership.team_id == Team.id)
        .where(Team.id.in_(leader), Membership.status == "pending")
        .group_by(Team.id, Team.name)
        .order_by(Team.name)
    ).all()
    return [TeamWaiting(*row) for row in rows]


@dataclass(frozen=True)
class MySignUp:
    shift_id: int
    team_name: str
    activity_title: str
    starts_at: datetime
    status: str


def my_signups(
    session: Session, account_id: int, offset: int, limit: int
) -> tuple[list[MySignUp], int, int]:
    """The person's sign-ups, latest shift first, how many, and their credited
    minutes in all (a fold of the ledger). Three statements."""
    where = SignUp.account_id == account_id
    total = session.scalar(select(func.count()).select_from(SignUp).where(where)) or 0
    minutes = (
        session.scalar(
            select(func.coalesce(func.sum(HoursEntry.minutes), 0)).where(
                HoursEntry.account_id == account_id
            )
        )
        or 0
    )
    rows = session.execute(
        select(Shift.id, Team.name, Activity.title, Shift.starts_at, SignUp.status)
        .select_from(SignUp)
        .join(Shift, Shift.id == SignUp.shift_id)
        .join(Activity, Activity.id == Shift.activity_id)
        .join(Team, Team.id == Activity.team_id)
        .where(where)
        .order_by(Shift.starts_at.desc(), SignUp.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return [MySignUp(*row) for row in rows], total, int(minutes)
