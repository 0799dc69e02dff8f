"""What the public volunteer pages read: the coming shifts and the teams, a page at
a time, the star schemes in force, and a shift with everything its page shows.

Each is one statement on its common path whatever the number of rows, built once
at first use with bind parameters (building a statement costs more CPU than
running it here), and reads plain columns rather than whole rows where a list
shows a few of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, Select, and_, bindparam, case, func, select
from sqlalchemy.orm import Session, aliased

from participation.accounts import Account
from participation.areas import Area
from participation.errors import N_, DomainError
from volunteers.models import (
    LONGEST_SHIFT,
    Activity,
    Membership,
    Shift,
    SignUp,
    StarSchemeRecord,
    Team,
)
from volunteers.rules.stars import StarScheme
from volunteers.teams import leaders_select

#: Sign-up statuses that wait for a place.
WAITING = ("waitlisted", "offered")


@dataclass(frozen=True, slots=True)
class ComingShift:
    """One line of a list of coming shifts."""

    id: int
    starts_at: datetime
    place: str
    capacity: int
    confirmed: int
    title: str
    team_name: str
    area_name: str
    waiting: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.confirmed)


@dataclass(frozen=True, slots=True)
class TeamLine:
    """One line of the list of teams."""

    id: int
    name: str
    kind: str
    join_mode: str
    area_name: str


def _waiting_of(shift_id: Any) -> Any:
    return (
        select(func.count())
        .select_from(SignUp)
        .where(SignUp.shift_id == shift_id, SignUp.status.in_(WAITING))
        .scalar_subquery()
    )


def _coming_filter(by_team: bool, public_only: bool) -> list[Any]:
    since: BindParameter[datetime] = bindparam("since", type_=Shift.ends_at.type)
    # The second bound is implied by the first (LONGEST_SHIFT): it lets the index on
    # starts_at find the shifts, in order, instead of reading them all.
    after: BindParameter[datetime] = bindparam("starts_after", type_=Shift.starts_at.type)
    where = [Shift.cancelled_at.is_(None), Shift.ends_at > since, Shift.starts_at > after]
    if by_team:
        where.append(Activity.team_id == bindparam("team_id"))
    if public_only:
        where.append(Activity.is_public.is_(True))
    return where


@cache
def _coming_statements(by_team: bool, public_only: bool) -> tuple[Select[Any], Select[Any]]:
    """The page of coming shifts with how many there are in all (an uncorrelated
    subquery, run once), and the count alone (for a page past the last)."""
    where = _coming_filter(by_team, public_only)
    # The count of all coming shifts reads them by start: "+ 0" keeps SQLite from
    # starting at the activities instead and reading every shift of each (ten
    # times the rows in a city). A team's few shifts are found from its activities.
    activity = Shift.activity_id if by_team else Shift.activity_id + 0
    count = (
        select(func.count(Shift.id))
        .select_from(Shift)
        .join(Activity, Activity.id == activity)
        .where(*where)
    )
    page = (
        select(
            Shift.id,
            Shift.starts_at,
            Shift.place,
            Shift.capacity,
            Shift.confirmed,
            Activity.title,
            Team.name,
            Area.name,
            _waiting_of(Shift.id),
            count.scalar_subquery(),
        )
        .select_from(Shift)
        .join(Activity, Activity.id == Shift.activity_id)
        .join(Team, Team.id == Activity.team_id)
        .join(Area, Area.id == Shift.area_id)
        .where(*where)
        .order_by(Shift.starts_at, Shift.id)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )
    return page, count


def coming_shifts(
    session: Session,
    number: int,
    per_page: int,
    now: datetime,
    *,
    team_id: int | None = None,
    public_only: bool = False,
) -> tuple[list[ComingShift], int, int]:
    """Page ``number`` of the shifts not cancelled and not over at ``now``, by start
    (of one team, or of public activities only), with how many wait on each: the
    rows, the page number (at most the last page) and how many shifts there are.
    One statement; two more only when ``number`` is past the last page."""
    page, count = _coming_statements(team_id is not None, public_only)
    params: dict[str, Any] = {"since": now, "starts_after": now - LONGEST_SHIFT}
    if team_id is not None:
        params["team_id"] = team_id
    number = max(1, number)
    session.flush()  # as the ORM's autoflush would: what this session changed is read
    run = session.connection().execute  # plain columns: no ORM loading to set up
    rows = run(page, params | {"offset": (number - 1) * per_page, "limit": per_page}).all()
    if rows:
        total = int(rows[0][-1])
    else:
        total = int(run(count, params).scalar() or 0) if number > 1 else 0
        last = max(1, -(-total // per_page))
        if number > last:
            number = last
            if total:
                rows = run(
                    page, params | {"offset": (number - 1) * per_page, "limit": per_page}
                ).all()
    return [ComingShift(*row[:-1]) for row in rows], number, total


@cache
def _teams_statements() -> tuple[Select[Any], Select[Any]]:
    count = select(func.count()).select_from(Team)
    page = (
        select(Team.id, Team.name, Team.kind, Team.join_mode, Area.name, count.scalar_subquery())
        .join(Area, Area.id == Team.area_id)
        .order_by(Team.kind, Team.id)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )
    return page, count


def teams_page(session: Session, number: int, per_page: int) -> tuple[list[TeamLine], int, int]:
    """Page ``number`` of the teams with their area's name, by kind then id: the
    rows, the page number (at most the last page) and how many teams there are.
    One statement; two more only when ``number`` is past the last page."""
    page, count = _teams_statements()
    number = max(1, number)
    session.flush()  # as the ORM's autoflush would: what this session changed is read
    run = session.connection().execute  # plain columns: no ORM loading to set up
    rows = run(page, {"offset": (number - 1) * per_page, "limit": per_page}).all()
    if rows:
        total = int(rows[0][-1])
    else:
        total = int(run(count).scalar() or 0) if number > 1 else 0
        last = max(1, -(-total // per_page))
        if number > last:
            number = last
            if total:
                rows = run(page, {"offset": (number - 1) * per_page, "limit": per_page}).all()
    return [TeamLine(*row[:-1]) for row in rows], number, total


@cache
def _schemes_statement() -> Select[int, str, int, str, str]:
    return (
        select(
            StarSchemeRecord.area_id,
            StarSchemeRecord.hours,
            StarSchemeRecord.notice_days,
            Area.name,
            Area.path,
        )
        .join(Area, Area.id == StarSchemeRecord.area_id)
        .where(StarSchemeRecord.effective_at <= bindparam("now"))
        .order_by(StarSchemeRecord.area_id, StarSchemeRecord.effective_at, StarSchemeRecord.id)
    )


def schemes_in_force(session: Session, now: datetime) -> list[tuple[str, StarScheme]]:
    """The areas' names with the scheme each has in force at ``now`` (areas without
    one are left out), in tree order: one statement."""
    newest: dict[int, tuple[str, str, StarScheme]] = {}
    session.flush()  # as the ORM's autoflush would: what this session changed is read
    for area_id, hours, notice_days, name, path in session.connection().execute(
        _schemes_statement(), {"now": now}
    ):
        scheme = StarScheme(tuple(int(h) for h in hours.split()), notice_days)
        newest[area_id] = (path, name, scheme)  # the newest per area wins

    def tree_order(item: tuple[str, str, StarScheme]) -> list[int]:
        return [int(p) for p in item[0].strip("/").split("/") if p]

    return [(name, scheme) for _, name, scheme in sorted(newest.values(), key=tree_order)]


@dataclass(frozen=True, slots=True)
class ShiftView:
    """A shift with what its page shows: its activity and team, its area's name, how
    many wait for a place, and the viewer's sign-up with their waitlist position."""

    shift: Shift
    activity: Activity
    team: Team
    area_name: str
    waiting: int
    mine: SignUp | None
    position: int | None


@cache
def _shift_statement() -> Select[Any]:
    shift_id: BindParameter[int] = bindparam("shift_id")
    mine = aliased(SignUp, name="mine")
    ahead = aliased(SignUp, name="ahead")
    position = case(
        (
            mine.status == "waitlisted",
            select(func.count() + 1)
            .select_from(ahead)
            .where(
                ahead.shift_id == mine.shift_id,
                ahead.status == "waitlisted",
                ahead.arrival < mine.arrival,
            )
            .scalar_subquery(),
        ),
        else_=None,
    )
    return (
        select(Shift, Activity, Team, Area.name, _waiting_of(Shift.id), mine, position)
        .join(Activity, Activity.id == Shift.activity_id)
        .join(Team, Team.id == Activity.team_id)
        .join(Area, Area.id == Shift.area_id)
        .outerjoin(
            mine, and_(mine.shift_id == Shift.id, mine.account_id == bindparam("account_id"))
        )
        .where(Shift.id == shift_id)
    )


def shift_view(session: Session, shift_id: int, account_id: int | None) -> ShiftView:
    """The shift's page in one statement (the viewer's sign-up too, when signed in);
    404 when there is no such shift."""
    row = session.execute(
        _shift_statement(), {"shift_id": shift_id, "account_id": account_id or 0}
    ).first()
    if row is None:
        raise DomainError("shift.not_found", N_("No such shift."), status=404)
    shift, activity, team, area_name, waiting, mine, position = row
    return ShiftView(
        shift,
        activity,
        team,
        area_name,
        int(waiting or 0),
        mine,
        int(position) if position else None,
    )


@dataclass(frozen=True, slots=True)
class TeamFacts:
    """What a team's public page shows of the team."""

    id: int
    name: str
    kind: str
    join_mode: str
    description: str


@dataclass(frozen=True, slots=True)
class MembershipFacts:
    """The viewer's membership of a team, as its page shows it."""

    status: str
    role: str


@dataclass(frozen=True, slots=True)
class TeamView:
    """A team with what its public page shows: its area's name, how many active
    members it has, its leaders' names and the viewer's membership."""

    team: TeamFacts
    area_name: str
    member_count: int
    leaders: list[str]
    mine: MembershipFacts | None


@cache
def _team_statements() -> tuple[Select[Any], Select[str]]:
    team_id: BindParameter[int] = bindparam("team_id")
    mine = aliased(Membership, name="mine")
    active = (
        select(func.count())
        .select_from(Membership)
        .where(Membership.team_id == Team.id, Membership.status == "active")
        .scalar_subquery()
    )
    team = (
        select(
            Team.id,
            Team.name,
            Team.kind,
            Team.join_mode,
            Team.description,
            Area.name,
            active,
            mine.status,
            mine.role,
        )
        .join(Area, Area.id == Team.area_id)
        .outerjoin(mine, and_(mine.team_id == Team.id, mine.account_id == bindparam("account_id")))
        .where(Team.id == team_id)
    )
    return team, leaders_select(team_id, Account.display_name)


def team_view(session: Session, team_id: int, account_id: int | None) -> TeamView:
    """The team's public page in two statements however large the team (the team
    with its area, member count and the viewer's membership; the leaders' names, in
    the order they became members); 404 when there is no such team."""
    team, leaders = _team_statements()
    session.flush()  # as the ORM's autoflush would: what this session changed is read
    run = session.connection().execute  # plain columns: no ORM loading to set up
    row = run(team, {"team_id": team_id, "account_id": account_id or 0}).first()
    if row is None:
        raise DomainError("team.not_found", N_("No such team."), status=404)
    names = list(run(leaders, {"team_id": team_id}).scalars())
    mine = MembershipFacts(row[7], row[8]) if row[7] is not None else None
    return TeamView(TeamFacts(*row[:5]), row[5], int(row[6] or 0), names, mine)
