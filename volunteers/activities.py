"""Activities and their shifts: create, list, and read availability."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from participation.areas import Area
from participation.db import utcnow
from participation.errors import N_, DomainError
from participation.notifying import audiences, kinds
from participation.notifying.fanout import fan_out
from participation.rules.areas import is_within
from volunteers.models import LONGEST_SHIFT, Activity, Shift, SignUp, Team
from volunteers.rules.settings import check_rules
from volunteers.teams import rules_of


def _checked_title(title: str) -> str:
    title = title.strip()
    if not title or len(title) > 120:
        raise DomainError(
            "activity.invalid",
            N_("Please correct the marked fields."),
            fields={"title": N_("Enter a title of at most 120 characters.")},
        )
    return title


def create_activity(
    session: Session,
    team: Team,
    *,
    title: str,
    description: str = "",
    service_content: str = "",
    is_public: bool = True,
    rules: Mapping[str, int | None] | None = None,
    **overrides: int | None,
) -> Activity:
    """A new activity of the team. ``rules`` and ``overrides``: any of the team's
    sign-up rules by name (see volunteers.rules.signup.ShiftRules); None or
    absent keeps the team's setting. Overrides that make no sense with the
    team's rules are refused (DomainError with a reason per field)."""
    title = _checked_title(title)
    overrides = dict(rules or {}) | overrides
    problems = check_rules(overrides, rules_of(team))
    if problems:
        raise DomainError("rules.invalid", N_("Please correct the marked fields."), fields=problems)
    activity = Activity(
        team_id=team.id,
        title=title,
        description=description.strip(),
        service_content=(service_content.strip() or title)[:120],
        is_public=is_public,
        **overrides,
    )
    session.add(activity)
    session.flush()
    return activity


def update_details(
    session: Session,
    activity: Activity,
    *,
    title: str,
    description: str,
    service_content: str,
    is_public: bool,
) -> None:
    """Change what an activity is called and says (its rules: volunteers.team_rules)."""
    title = _checked_title(title)
    activity.title = title
    activity.description = description.strip()
    activity.service_content = (service_content.strip() or title)[:120]
    activity.is_public = is_public


def create_shift(
    session: Session,
    activity: Activity,
    *,
    area: Area,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    place: str = "",
    qualifications: str = "",
    members_only: bool = False,
) -> Shift:
    """Publish a shift of ``activity`` at a place in ``area``.

    Invariant: a shift takes place within its team's area (the team's area or an
    area below it): a community's team does not publish shifts in another
    community or district, whose workers could not oversee them."""
    fields: dict[str, str] = {}
    team = session.get(Team, activity.team_id)
    team_area = session.get(Area, team.area_id) if team is not None else None
    if team_area is None or not is_within(area.path, team_area.path):
        fields["area_id"] = N_("Choose a place within the team's area.")
    if ends_at <= starts_at:
        fields["ends_at"] = N_("The shift must end after it starts.")
    elif ends_at - starts_at > LONGEST_SHIFT:
        fields["ends_at"] = N_("A shift lasts at most 24 hours.")
    if not 1 <= capacity <= 10_000:
        fields["capacity"] = N_("Enter a number of places from 1 to 10,000.")
    if fields:
        raise DomainError("shift.invalid", N_("Please correct the marked fields."), fields=fields)
    shift = Shift(
        activity_id=activity.id,
        area_id=area.id,
        place=place.strip()[:120],
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        qualifications=" ".join(sorted(set(qualifications.split()))),
        members_only=members_only,
    )
    session.add(shift)
    session.flush()
    fan_out(
        session,
        event=f"team.shift:{shift.id}",
        kind="team.shift",
        message=kinds.TEAM_SHIFT,
        recipients=audiences.followers("team", activity.team_id),
        now=utcnow(),
        link=f"/volunteers/shifts/{shift.id}",
        params={"title": activity.title},
    )
    return shift


def get_activity(session: Session, activity_id: int) -> Activity:
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise DomainError("activity.not_found", N_("No such activity."), status=404)
    return activity


@dataclass(frozen=True)
class ShiftRow:
    shift: Shift
    activity: Activity
    team: Team
    area: Area
    waiting: int

    @property
    def free(self) -> int:
        return max(0, self.shift.capacity - self.shift.confirmed)


def _waiting_counts(session: Session, shift_ids: Sequence[int]) -> dict[int, int]:
    if not shift_ids:
        return {}
    rows = session.execute(
        select(SignUp.shift_id, func.count())
        .where(SignUp.shift_id.in_(shift_ids), SignUp.status.in_(("waitlisted", "offered")))
        .group_by(SignUp.shift_id)
    ).all()
    return {sid: int(n) for sid, n in rows}


def _shifts_query(
    since: datetime | None,
    team_id: int | None,
    activity_id: int | None,
    public_only: bool,
) -> Select[Shift, Activity, Team, Area]:
    query = (
        select(Shift, Activity, Team, Area)
        .join(Activity, Activity.id == Shift.activity_id)
        .join(Team, Team.id == Activity.team_id)
        .join(Area, Area.id == Shift.area_id)
        .where(Shift.cancelled_at.is_(None))
    )
    if since is not None:
        # The second bound is implied by the first (LONGEST_SHIFT): it lets the
        # index on starts_at find the shifts, in order, instead of reading them all.
        query = query.where(Shift.ends_at > since, Shift.starts_at > since - LONGEST_SHIFT)
    if team_id is not None:
        query = query.where(Activity.team_id == team_id)
    if activity_id is not None:
        query = query.where(Activity.id == activity_id)
    if public_only:
        query = query.where(Activity.is_public.is_(True))
    return query


def shift_rows(
    session: Session,
    *,
    since: datetime | None = None,
    team_id: int | None = None,
    activity_id: int | None = None,
    public_only: bool = False,
    limit: int = 200,
) -> list[ShiftRow]:
    query = _shifts_query(since, team_id, activity_id, public_only)
    rows = session.execute(query.order_by(Shift.starts_at, Shift.id).limit(limit)).all()
    waiting = _waiting_counts(session, [r[0].id for r in rows])
    return [ShiftRow(s, a, t, ar, waiting.get(s.id, 0)) for s, a, t, ar in rows]


def shift_rows_after(
    session: Session, *, since: datetime, after: int = 0, limit: int = 100
) -> list[ShiftRow]:
    """At most ``limit`` of the public shifts starting from ``since``, by start (then
    id), after the shift of id ``after`` (0: from the first), with how many wait for
    each: one statement (the waiting count a subquery), whatever the number of shifts."""
    query = _shifts_query(since, None, None, True)
    if after:
        last = select(Shift.starts_at).where(Shift.id == after).scalar_subquery()
        query = query.where(
            (Shift.starts_at > last) | ((Shift.starts_at == last) & (Shift.id > after))
        )
    waiting = (
        select(func.count())
        .where(SignUp.shift_id == Shift.id, SignUp.status.in_(("waitlisted", "offered")))
        .correlate(Shift)
        .scalar_subquery()
    )
    rows = session.execute(
        query.add_columns(waiting).order_by(Shift.starts_at, Shift.id).limit(limit)
    ).all()
    return [ShiftRow(s, a, t, ar, int(w or 0)) for s, a, t, ar, w in rows]


def shifts_page(
    session: Session,
    number: int,
    per_page: int,
    *,
    since: datetime | None = None,
    team_id: int | None = None,
    public_only: bool = False,
) -> tuple[list[ShiftRow], int, int]:
    """One page of the shifts ``shift_rows`` lists (by start), with how many are
    waiting for each: the rows, the page number (at most the last page) and how many
    shifts there are, in two statements (a count, then the page with its waiting
    counts as a subquery) however many shifts and sign-ups there are."""
    query = _shifts_query(since, team_id, None, public_only)
    total = int(session.scalar(query.with_only_columns(func.count(Shift.id))) or 0)
    number = max(1, min(number, -(-total // per_page)))
    waiting = (
        select(func.count())
        .where(SignUp.shift_id == Shift.id, SignUp.status.in_(("waitlisted", "offered")))
        .correlate(Shift)
        .scalar_subquery()
    )
    rows = session.execute(
        query.add_columns(waiting)
        .order_by(Shift.starts_at, Shift.id)
        .offset((number - 1) * per_page)
        .limit(per_page)
    ).all()
    return [ShiftRow(s, a, t, ar, int(w or 0)) for s, a, t, ar, w in rows], number, total


def activities_of_team(session: Session, team_id: int) -> Sequence[Activity]:
    """The team's activities, newest first."""
    return session.scalars(
        select(Activity).where(Activity.team_id == team_id).order_by(Activity.id.desc())
    ).all()
