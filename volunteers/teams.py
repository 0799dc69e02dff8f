"""Teams and rosters: create teams, join by the team's mode, approve, invite,
change roles, leave. Every change adds a membership history row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, case, func, select
from sqlalchemy.orm import Session

from participation.accounts import Account, find_by_login, grant_role
from participation.areas import Area
from participation.errors import N_, DomainError
from participation.rules.permissions import Role
from participation.scopes import under_any
from volunteers.models import Activity, Membership, MembershipEvent, Team
from volunteers.rules.settings import RULE_NAMES
from volunteers.rules.signup import ShiftRules

TEAM_KINDS = ("featured", "professional")
JOIN_MODES = ("open", "approval", "invitation")
MEMBER_ROLES = ("leader", "core", "member")
LIVE = ("active",)


def create_team(
    session: Session, *, area: Area, name: str, kind: str, join_mode: str, description: str = ""
) -> Team:
    name = name.strip()
    fields: dict[str, str] = {}
    if not name:
        fields["name"] = N_("Enter the team's name.")
    elif len(name) > 100:
        fields["name"] = N_("Enter a name of at most 100 characters.")
    if kind not in TEAM_KINDS:
        fields["kind"] = N_("Choose a kind of team.")
    if join_mode not in JOIN_MODES:
        fields["join_mode"] = N_("Choose how people join.")
    if fields:
        raise DomainError("team.invalid", N_("Please correct the marked fields."), fields=fields)
    if session.scalar(select(Team.id).where(Team.name == name)) is not None:
        raise DomainError(
            "team.taken",
            N_("A team with this name already exists."),
            fields={"name": N_("A team with this name already exists.")},
        )
    team = Team(area_id=area.id, name=name, kind=kind, join_mode=join_mode, description=description)
    session.add(team)
    session.flush()
    return team


def get_team(session: Session, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise DomainError("team.not_found", N_("No such team."), status=404)
    return team


def rules_of(team: Team, activity: Activity | None = None) -> ShiftRules:
    """The team's rules, with the activity's overrides where it has them (None:
    the team's setting). The one place that combines them; it reads only the two
    rows given, so the sign-up path gains no query."""
    values = {}
    for name in RULE_NAMES:
        override = getattr(activity, name) if activity is not None else None
        values[name] = getattr(team, name) if override is None else override
    return ShiftRules(**values)


def membership(session: Session, team_id: int, account_id: int) -> Membership | None:
    return session.scalar(
        select(Membership).where(Membership.team_id == team_id, Membership.account_id == account_id)
    )


# Built once (every leader's page asks it): a column, not the membership object.
_LEADS = select(Membership.id).where(
    Membership.team_id == bindparam("team_id"),
    Membership.account_id == bindparam("account_id"),
    Membership.status == "active",
    Membership.role == "leader",
)


def is_leader(session: Session, team_id: int, account_id: int) -> bool:
    found = session.execute(_LEADS, {"team_id": team_id, "account_id": account_id}).first()
    return found is not None


_TEAM_AND_LEADS = select(Team, _LEADS.exists()).where(Team.id == bindparam("team_id"))


def team_and_leads(session: Session, team_id: int, account_id: int) -> tuple[Team, bool]:
    """The team and whether ``account_id`` leads it (:func:`is_leader`), in one
    statement: every leader's page asks both (404 when there is no such team)."""
    row = session.execute(_TEAM_AND_LEADS, {"team_id": team_id, "account_id": account_id}).first()
    if row is None:
        raise DomainError("team.not_found", N_("No such team."), status=404)
    return row[0], bool(row[1])


def _log(session: Session, m: Membership, event: str, actor_id: int | None) -> None:
    session.add(
        MembershipEvent(
            membership_id=m.id, actor_id=actor_id, event=event, role=m.role, status=m.status
        )
    )


def _set(
    session: Session, team: Team, account_id: int, status: str, role: str, event: str, actor: int
) -> Membership:
    m = membership(session, team.id, account_id)
    if m is None:
        m = Membership(team_id=team.id, account_id=account_id, role=role, status=status)
        session.add(m)
        session.flush()
    else:
        m.status, m.role = status, role
    _log(session, m, event, actor)
    return m


def join(session: Session, team: Team, account_id: int) -> Membership:
    """Join an open team at once, ask to join an approval team, accept an invitation.

    Invariant: nobody joins an invitation-only team without an invitation.
    """
    m = membership(session, team.id, account_id)
    if m is not None and m.status in ("active", "pending"):
        raise DomainError("team.already", N_("You are already in this team or have asked to join."))
    if m is not None and m.status == "invited":
        return _set(session, team, account_id, "active", m.role, "accepted", account_id)
    if team.join_mode == "invitation":
        raise DomainError(
            "team.invitation_only",
            N_("This team takes new members by invitation only."),
            status=403,
        )
    status = "active" if team.join_mode == "open" else "pending"
    return _set(
        session,
        team,
        account_id,
        status,
        "member",
        "joined" if status == "active" else "asked",
        account_id,
    )


def require_member(session: Session, team: Team, account_id: int) -> Membership:
    """The person's membership of this team, active or asking to join.

    Invariant: a team's leaders record qualifications, guardian consent, unlocks
    and roles only for people in their own team (those change the person's
    sign-ups in every team)."""
    m = membership(session, team.id, account_id)
    if m is None or m.status not in ("active", "pending"):
        raise DomainError(
            "team.not_member", N_("This person is not a member of this team."), status=403
        )
    return m


def _keep_a_leader(session: Session, team: Team, m: Membership) -> None:
    """Invariant: a team with a leader keeps at least one; the last leader names
    another before leaving or stepping down."""
    if m.status != "active" or m.role != "leader":
        return
    leaders = session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(
            Membership.team_id == team.id,
            Membership.status == "active",
            Membership.role == "leader",
        )
    )
    if (leaders or 0) <= 1:
        raise DomainError(
            "team.last_leader",
            N_("This is the team's only leader: name another leader first."),
            status=409,
        )


def leave(session: Session, team: Team, account_id: int) -> Membership:
    m = membership(session, team.id, account_id)
    if m is None or m.status not in ("active", "pending", "invited"):
        raise DomainError("team.not_member", N_("You are not in this team."))
    _keep_a_leader(session, team, m)
    return _set(session, team, account_id, "left", m.role, "left", account_id)


def decide(
    session: Session, team: Team, account_id: int, approve: bool, actor_id: int
) -> Membership:
    m = membership(session, team.id, account_id)
    if m is None or m.status != "pending":
        raise DomainError("team.no_request", N_("There is no request to join from this person."))
    status = "active" if approve else "refused"
    return _set(
        session, team, account_id, status, m.role, "approved" if approve else "refused", actor_id
    )


def account_named(session: Session, login: str, *, code: str, field: str = "login") -> Account:
    """The account whose login (username or phone) was typed in ``field``; a
    DomainError ``code`` marking that field when there is none."""
    account = find_by_login(session, login)
    if account is None:
        raise DomainError(
            code,
            N_("Please correct the marked fields."),
            fields={field: N_("No account has this login.")},
        )
    return account


def invite(session: Session, team: Team, account: Account, actor_id: int) -> Membership:
    m = membership(session, team.id, account.id)
    if m is not None and m.status == "active":
        raise DomainError("team.already_member", N_("This person is already a member."))
    return _set(session, team, account.id, "invited", "member", "invited", actor_id)


def set_role(session: Session, team: Team, account_id: int, role: str, actor_id: int) -> Membership:
    """Change a member's role. A new leader also gets the team-leader role on the
    team's area, which the leaders' pages require."""
    if role not in MEMBER_ROLES:
        raise DomainError("team.role", N_("Choose a role in the team."))
    m = membership(session, team.id, account_id)
    if m is None or m.status != "active":
        raise DomainError("team.not_member", N_("This person is not an active member."))
    if role != "leader":
        _keep_a_leader(session, team, m)
    if role == "leader":
        account, area = session.get(Account, account_id), session.get(Area, team.area_id)
        actor = session.get(Account, actor_id)
        if account is not None and area is not None:
            grant_role(session, account, Role.TEAM_LEADER, area, actor)
    return _set(session, team, account_id, "active", role, "role", actor_id)


@dataclass(frozen=True)
class RosterRow:
    membership: Membership
    account: Account


def roster(
    session: Session, team_id: int, statuses: Sequence[str] = ("active", "pending", "invited")
) -> list[RosterRow]:
    rows = session.execute(
        select(Membership, Account)
        .join(Account, Account.id == Membership.account_id)
        .where(Membership.team_id == team_id, Membership.status.in_(statuses))
        .order_by(Membership.role, Membership.id)
    ).all()
    order = {r: i for i, r in enumerate(MEMBER_ROLES)}
    return sorted((RosterRow(m, a) for m, a in rows), key=lambda r: order.get(r.membership.role, 9))


def roster_counts(session: Session, team_id: int) -> dict[str, int]:
    """How many of the team's memberships are in each status (active, pending,
    invited, left, refused), in one statement however large the team."""
    rows = session.execute(
        select(Membership.status, func.count())
        .where(Membership.team_id == team_id)
        .group_by(Membership.status)
    ).all()
    return {status: int(n) for status, n in rows}


def roster_rows(
    session: Session,
    team_id: int,
    offset: int,
    limit: int,
    statuses: Sequence[str] = ("active", "pending", "invited"),
) -> list[RosterRow]:
    """One page of ``roster`` (same order: leaders, core, members, then by joining)
    in one statement; :func:`roster_counts` says how many rows there are."""
    rank = case({r: i for i, r in enumerate(MEMBER_ROLES)}, value=Membership.role, else_=9)
    rows = session.execute(
        select(Membership, Account)
        .join(Account, Account.id == Membership.account_id)
        .where(Membership.team_id == team_id, Membership.status.in_(statuses))
        .order_by(rank, Membership.role, Membership.id)
        .offset(offset)
        .limit(limit)
    ).all()
    return [RosterRow(m, a) for m, a in rows]


def leaders_of(session: Session, team_id: int) -> list[Account]:
    """The team's active leaders, in the order they became members."""
    return list(session.scalars(leaders_select(team_id, Account)).all())


def leaders_select(team_id: Any, *columns: Any) -> Select[Any]:
    """``columns`` of the team's active leaders' accounts, in the order they became
    members (``team_id`` a value or a bound parameter)."""
    return (
        select(*columns)
        .join(Membership, Membership.account_id == Account.id)
        .where(
            Membership.team_id == team_id,
            Membership.status == "active",
            Membership.role == "leader",
        )
        .order_by(Membership.id)
    )


def history(
    session: Session, team_id: int, limit: int = 50
) -> list[tuple[MembershipEvent, Account]]:
    rows = session.execute(
        select(MembershipEvent, Account)
        .join(Membership, Membership.id == MembershipEvent.membership_id)
        .join(Account, Account.id == Membership.account_id)
        .where(Membership.team_id == team_id)
        .order_by(MembershipEvent.id.desc())
        .limit(limit)
    ).all()
    return [(e, a) for e, a in rows]


def teams_led_by(session: Session, account_id: int) -> Sequence[Team]:
    return session.scalars(
        select(Team)
        .join(Membership, Membership.team_id == Team.id)
        .where(
            Membership.account_id == account_id,
            Membership.status == "active",
            Membership.role == "leader",
        )
        .order_by(Team.name)
    ).all()


def roster_row(session: Session, team_id: int, account_id: int) -> RosterRow:
    """One person's membership of the team with their account (404 when none)."""
    found = session.execute(
        select(Membership, Account)
        .join(Account, Account.id == Membership.account_id)
        .where(Membership.team_id == team_id, Membership.account_id == account_id)
    ).first()
    if found is None:
        raise DomainError("team.not_member", N_("This person is not in the team."), status=404)
    return RosterRow(found[0], found[1])


def teams_with_areas(session: Session, *, by_kind: bool = True) -> list[tuple[Team, Area]]:
    """Every team with the area it serves, by kind then id (or by id alone)."""
    order = (Team.kind, Team.id) if by_kind else (Team.id,)
    rows = session.execute(
        select(Team, Area).join(Area, Area.id == Team.area_id).order_by(*order)
    ).all()
    return [(t, a) for t, a in rows]


def public_teams_page(
    session: Session, *, after: int = 0, limit: int = 100
) -> list[tuple[Team, Area, int]]:
    """At most ``limit`` teams by id after the team of id ``after``, each with its
    area and its number of active members: one statement (the count a subquery)."""
    members = (
        select(func.count())
        .where(Membership.team_id == Team.id, Membership.status == "active")
        .correlate(Team)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Team, Area, members)
        .join(Area, Area.id == Team.area_id)
        .where(Team.id > after)
        .order_by(Team.id)
        .limit(limit)
    ).all()
    return [(t, a, int(n or 0)) for t, a, n in rows]


def teams_page(
    session: Session, number: int, per_page: int, within: Sequence[str] | None = None
) -> tuple[list[tuple[Team, Area]], int, int]:
    """One page of the teams with their areas, by kind then id, paged in SQL: the
    rows, the page number (at most the last page) and how many teams there are.
    ``within``: only the teams whose area lies at or below one of these paths (an
    officer's reach, ``participation.rules.reach``; None: every team)."""
    counted = select(func.count()).select_from(Team)
    if within is not None:
        counted = counted.join(Area, Area.id == Team.area_id).where(under_any(Area.path, within))
    total = int(session.scalar(counted) or 0)
    number = max(1, min(number, -(-total // per_page)))
    rows = session.execute(
        select(Team, Area)
        .join(Area, Area.id == Team.area_id)
        .where(under_any(Area.path, within))
        .order_by(Team.kind, Team.id)
        .offset((number - 1) * per_page)
        .limit(per_page)
    ).all()
    return [(t, a) for t, a in rows], number, total


def active_member_counts(session: Session) -> dict[int, int]:
    """Active members per team id (teams without any are left out)."""
    rows = session.execute(
        select(Membership.team_id, func.count())
        .where(Membership.status == "active")
        .group_by(Membership.team_id)
    ).all()
    return {team_id: int(count) for team_id, count in rows}


def memberships_of(session: Session, account_id: int) -> list[tuple[Team, Membership]]:
    """The person's live memberships (active, asked to join, invited) with their teams."""
    rows = session.execute(
        select(Team, Membership)
        .join(Membership, Membership.team_id == Team.id)
        .where(
            Membership.account_id == account_id,
            Membership.status.in_(("active", "pending", "invited")),
        )
    ).all()
    return [(t, m) for t, m in rows]


def area_of(session: Session, team: Team) -> Area:
    """The area the team serves."""
    area = session.get(Area, team.area_id)
    assert area is not None  # a foreign key, never null
    return area


def chosen_area(session: Session, area_id: int | None) -> Area | None:
    """The area picked in a form (a team's area, a shift's place); None when
    nothing or no existing area was picked."""
    return session.get(Area, area_id) if area_id else None
