"""What a leader's team page reads, in few statements built once at import (with
their parameters bound per request: building a statement cost more CPU than
running it) and selecting plain columns rather than whole rows (loading ORM
objects cost more than the query):

- :func:`team_figures`: the members in each status, the team's service minutes
  (from the summary ``HoursTotal``), how many shifts are coming, how many
  activities and how many requests for hours wait, in one row;
- :func:`roster_entries` / :func:`roster_entry`: a page of the roster, each
  member with their missed shifts since their last unlock (what locks them);
- :func:`coming_shifts`: a page of the team's coming shifts with how many wait;
- :func:`history_lines`: the latest changes of membership;
- :func:`activity_titles`: a page of the team's activities, newest first.

Each is one statement whatever the number of members, shifts and hours."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from participation.accounts import Account
from participation.errors import N_, DomainError
from volunteers.models import (
    LONGEST_SHIFT,
    Activity,
    BackfillRequest,
    HoursTotal,
    Membership,
    MembershipEvent,
    Shift,
    SignUp,
    VolunteerProfile,
)
from volunteers.teams import MEMBER_ROLES


@dataclass(frozen=True)
class TeamFigures:
    counts: dict[str, int]  # memberships by status: active, pending, invited
    minutes: int  # service minutes over all time
    coming_shifts: int  # shifts not cancelled that end after ``since``
    activities: int  # the team's activities, over all time
    backfills: int  # requests for hours waiting for the leader's decision


@dataclass(frozen=True)
class RosterEntry:
    """One member as the roster shows them."""

    account_id: int
    name: str
    contact: str  # the mobile number, else the username, else ""
    status: str
    role: str
    no_shows: int  # missed shifts since the last unlock

    def locked(self, lock: int) -> bool:
        """Locked by the rule "``lock`` missed shifts" (the count of
        ``profiles.locked_accounts``: only people with a volunteer profile)."""
        return self.no_shows > 0 and self.no_shows >= lock


@dataclass(frozen=True)
class ShiftLine:
    """One coming shift as the team page lists it."""

    id: int
    title: str
    starts_at: datetime
    confirmed: int
    capacity: int
    waiting: int


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    name: str
    status: str
    role: str


_TEAM: BindParameter[int] = bindparam("team_id")
_SINCE: BindParameter[datetime] = bindparam("since")
_EARLIEST: BindParameter[datetime] = bindparam("earliest")  # since - LONGEST_SHIFT


def _count(status: str):  # type: ignore[no-untyped-def]
    return (
        select(func.count())
        .where(Membership.team_id == _TEAM, Membership.status == status)
        .scalar_subquery()
    )


_coming = (Shift.cancelled_at.is_(None), Shift.ends_at > _SINCE, Shift.starts_at > _EARLIEST)

_FIGURES = select(
    _count("active"),
    _count("pending"),
    _count("invited"),
    select(func.coalesce(func.sum(HoursTotal.minutes), 0))
    .where(HoursTotal.team_id == _TEAM)
    .scalar_subquery(),
    # The second bound on starts_at is implied by the first (LONGEST_SHIFT): it
    # lets the index on starts_at find the shifts.
    select(func.count(Shift.id))
    .join(Activity, Activity.id == Shift.activity_id)
    .where(Activity.team_id == _TEAM, *_coming)
    .scalar_subquery(),
    select(func.count(Activity.id)).where(Activity.team_id == _TEAM).scalar_subquery(),
    # Pending requests are few at any time (each waits for one decision): found by
    # the index on status, then joined to their team.
    select(func.count(BackfillRequest.id))
    .join(SignUp, SignUp.id == BackfillRequest.signup_id)
    .join(Shift, Shift.id == SignUp.shift_id)
    .join(Activity, Activity.id == Shift.activity_id)
    .where(Activity.team_id == _TEAM, BackfillRequest.status == "pending")
    .scalar_subquery(),
)


def team_figures(session: Session, team_id: int, since: datetime) -> TeamFigures:
    active, pending, invited, minutes, coming, activities, backfills = _read(session)(
        _FIGURES, {"team_id": team_id, "since": since, "earliest": since - LONGEST_SHIFT}
    ).one()
    return TeamFigures(
        {"active": int(active), "pending": int(pending), "invited": int(invited)},
        int(minutes or 0),
        int(coming or 0),
        int(activities or 0),
        int(backfills or 0),
    )


def _no_shows(account_id: Any) -> Any:
    """Missed shifts since the last unlock of the member whose account id is the
    column ``account_id`` of the enclosing statement: the same count as
    profiles.locked_accounts (people without a profile have none)."""
    return (
        select(func.count())
        .select_from(SignUp)
        .join(Shift, Shift.id == SignUp.shift_id)
        .join(VolunteerProfile, VolunteerProfile.account_id == SignUp.account_id)
        .where(
            SignUp.account_id == account_id,
            SignUp.status == "no_show",
            or_(
                VolunteerProfile.no_shows_cleared_at.is_(None),
                Shift.starts_at > VolunteerProfile.no_shows_cleared_at,
            ),
        )
        .scalar_subquery()
    )


# The page of memberships first (leaders, core members, members, then by joining:
# teams.roster's order), then the accounts and missed shifts of those rows alone:
# a count in the same select as the sort would run for every member of the team.
_PAGE = (
    select(
        Membership.account_id,
        Membership.status,
        Membership.role,
        Membership.id,
        case({r: i for i, r in enumerate(MEMBER_ROLES)}, value=Membership.role, else_=9).label(
            "rank"
        ),
    )
    .where(
        Membership.team_id == _TEAM,
        Membership.status.in_(bindparam("statuses", expanding=True)),
    )
    .order_by("rank", Membership.role, Membership.id)
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
    .subquery()
)
_ROSTER = (
    select(
        Account.id,
        Account.display_name,
        Account.phone,
        Account.username,
        _PAGE.c.status,
        _PAGE.c.role,
        _no_shows(_PAGE.c.account_id),
    )
    .join_from(_PAGE, Account, Account.id == _PAGE.c.account_id)
    .order_by(_PAGE.c.rank, _PAGE.c.role, _PAGE.c.id)
)
_ONE_ENTRY = (
    select(
        Account.id,
        Account.display_name,
        Account.phone,
        Account.username,
        Membership.status,
        Membership.role,
        _no_shows(Membership.account_id),
    )
    .join(Account, Account.id == Membership.account_id)
    .where(Membership.team_id == _TEAM, Membership.account_id == bindparam("account_id"))
)


def _entry(row: Sequence[object]) -> RosterEntry:
    account_id, name, phone, username, status, role, no_shows = row
    return RosterEntry(
        int(account_id),  # type: ignore[call-overload]
        str(name),
        str(phone or username or ""),
        str(status),
        str(role),
        int(no_shows or 0),  # type: ignore[call-overload]
    )


def roster_entries(
    session: Session, team_id: int, statuses: Sequence[str], offset: int, limit: int
) -> list[RosterEntry]:
    """One page of the roster (the order of ``teams.roster``)."""
    rows = _read(session)(
        _ROSTER,
        {"team_id": team_id, "statuses": list(statuses), "offset": offset, "limit": limit},
    )
    return [_entry(r) for r in rows]


def roster_entry(session: Session, team_id: int, account_id: int) -> RosterEntry:
    """One person's entry, whatever their status (404 when not in the team)."""
    row = _read(session)(_ONE_ENTRY, {"team_id": team_id, "account_id": account_id}).first()
    if row is None:
        raise DomainError("team.not_member", N_("This person is not in the team."), status=404)
    return _entry(row)


_WAITING = (
    select(func.count())
    .where(SignUp.shift_id == Shift.id, SignUp.status.in_(("waitlisted", "offered")))
    .correlate(Shift)
    .scalar_subquery()
)
_SHIFTS = (
    select(Shift.id, Activity.title, Shift.starts_at, Shift.confirmed, Shift.capacity, _WAITING)
    .join(Activity, Activity.id == Shift.activity_id)
    .where(Activity.team_id == _TEAM, *_coming)
    .order_by(Shift.starts_at, Shift.id)
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
)


def coming_shifts(
    session: Session, team_id: int, since: datetime, offset: int, limit: int
) -> list[ShiftLine]:
    """A page of the team's shifts not cancelled that end after ``since``, by start
    (:func:`team_figures` counts them)."""
    rows = _read(session)(
        _SHIFTS,
        {
            "team_id": team_id,
            "since": since,
            "earliest": since - LONGEST_SHIFT,
            "offset": offset,
            "limit": limit,
        },
    )
    return [
        ShiftLine(i, t, s, int(c or 0), int(cap or 0), int(w or 0)) for i, t, s, c, cap, w in rows
    ]


_HISTORY = (
    select(MembershipEvent.at, Account.display_name, MembershipEvent.status, MembershipEvent.role)
    .join(Membership, Membership.id == MembershipEvent.membership_id)
    .join(Account, Account.id == Membership.account_id)
    .where(Membership.team_id == _TEAM)
    .order_by(MembershipEvent.id.desc())
    .limit(bindparam("limit"))
)


def history_lines(session: Session, team_id: int, limit: int) -> list[HistoryLine]:
    """The team's latest changes of membership, newest first."""
    rows = _read(session)(_HISTORY, {"team_id": team_id, "limit": limit})
    return [HistoryLine(at, name, status, role) for at, name, status, role in rows]


_ACTIVITIES = (
    select(Activity.id, Activity.title)
    .where(Activity.team_id == _TEAM)
    .order_by(Activity.id.desc())
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
)


def activity_titles(
    session: Session, team_id: int, offset: int, limit: int
) -> list[tuple[int, str]]:
    """A page of the team's activities (id, title), newest first
    (:func:`team_figures` counts them): a team adds activities year after year."""
    rows = _read(session)(_ACTIVITIES, {"team_id": team_id, "offset": offset, "limit": limit})
    return [(i, t) for i, t in rows]


def _read(session: Session):  # type: ignore[no-untyped-def]
    """The session's connection (flushed first when there are changes): these
    statements select columns, not objects, and skip the ORM's execution path."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    return session.connection().execute
