"""What the personal home (我的社区) shows: the blocks of a community, the
person's own parts, and the to-do list of those who run things.

Each block is read through its area's service (``participation.ballots.home``,
``consultations.home``, ...), each a bounded number of statements, so the page
runs the same number of statements whatever the size of the city. This module
only chooses which services to ask, with the person's grants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from consultations import home as consultation_home
from consultations.evaluations import home as evaluation_home
from participation import counting
from participation.areas import Area
from participation.ballots import home as ballot_home
from participation.budgets import home as budget_home
from participation.errors import N_
from participation.organizations import home as organization_home
from participation.plan import home as plan_home
from participation.requests import home as request_home
from participation.rolls import RollEntry, entry_and_community, entry_of_account
from participation.rules.permissions import Grant, Permission
from participation.rules.reach import reach
from volunteers import home as volunteer_home
from web.kit.auth import CurrentUser

if TYPE_CHECKING:  # the web layer runs no query of its own: sessions pass through
    from sqlalchemy import ScalarSelect
    from sqlalchemy.orm import Session

#: A resident verified this recently is shown what verification opened for them.
FRESH = timedelta(days=14)
#: The to-do list's own requests rows count up to this (the queue pages on).
CAP = request_home.COUNT_CAP


@dataclass(frozen=True)
class Waiting:
    """One line of the to-do list: a msgid with ``%(num)s`` (and maybe ``%(name)s``)."""

    label: str
    count: int
    href: str
    name: str = ""

    @property
    def shown(self) -> str:
        return f"{CAP}+" if self.count > CAP else str(self.count)


@dataclass(frozen=True)
class Residency:
    entry: RollEntry | None
    community: Area | None

    def fresh(self, now: datetime) -> bool:
        verified_at = self.entry.verified_at if self.entry else None
        return verified_at is not None and now - verified_at <= FRESH


def residency(session: Session, account_id: int) -> Residency:
    """The person's roll entry and community (one statement), or nothing."""
    found = entry_and_community(session, account_id)
    return Residency(*found) if found is not None else Residency(None, None)


def community_blocks(
    session: Session,
    community: Area,
    *,
    account_id: int | None,
    roll_entry_id: int | None,
    now: datetime,
    today: date,
) -> dict[str, Any]:
    """The blocks every visitor of the community sees; with ``account_id`` the
    ballots are the person's own (with "voted"), with ``roll_entry_id`` the
    evaluations say whether they responded."""
    return {
        "ballots": ballot_home.open_ballots(
            session, community_path=community.path, account_id=account_id, now=now
        ),
        "consultations": consultation_home.community_consultations(session, community.path, now),
        "rounds": budget_home.active_rounds(session, community.path),
        "evaluations": evaluation_home.inviting(session, community.path, roll_entry_id),
        "plan_items": plan_home.community_items(session, community.path, today),
    }


def todo(session: Session, me: CurrentUser, now: datetime, today: date) -> list[Waiting]:
    """What waits for the person, only where their grants let them act; lines
    with nothing waiting are left out. Every count runs in one statement
    (``counting.count_all``); the leader's lines per team take two more."""
    grants: tuple[Grant, ...] = me.grants
    # In page order: a line counted in the one statement, or lines already known.
    pending: list[tuple[str, ScalarSelect[int], str] | list[Waiting]] = []

    def add(label: str, count: ScalarSelect[int], href: str) -> None:
        pending.append((label, count, href))

    def where(permission: Permission) -> list[str] | None:
        return reach(grants, permission)

    def holds(permission: Permission) -> bool:
        paths = where(permission)
        return paths is None or bool(paths)

    if holds(Permission.MANAGE_BUDGETS):
        add(
            N_("Budget proposals to screen: %(num)s"),
            budget_home.proposals_to_screen_count(where(Permission.MANAGE_BUDGETS)),
            "/admin/budgets",
        )
    if holds(Permission.MANAGE_CONSULTATIONS):
        paths = where(Permission.MANAGE_CONSULTATIONS)
        add(
            N_("Topics awaiting triage: %(num)s"),
            consultation_home.topics_to_triage_count(paths),
            "/admin/consultations",
        )
        add(
            N_("Objections to answer: %(num)s"),
            consultation_home.objections_to_answer_count(paths),
            "/admin/consultations",
        )
    if holds(Permission.VERIFY_ORGANIZATIONS):
        add(
            N_("Organizations awaiting verification: %(num)s"),
            organization_home.to_verify_count(where(Permission.VERIFY_ORGANIZATIONS)),
            "/admin/organizations",
        )
    if holds(Permission.LEAD_TEAMS):
        pending.append(
            [
                Waiting(
                    N_("%(name)s: shifts with attendance to record: %(num)s"),
                    team.count,
                    f"/lead/teams/{team.team_id}",
                    team.team_name,
                )
                for team in volunteer_home.attendance_to_record(session, me.id, now)
            ]
            + [
                Waiting(
                    N_("%(name)s: people asking to join: %(num)s"),
                    team.count,
                    f"/lead/teams/{team.team_id}",
                    team.team_name,
                )
                for team in volunteer_home.join_requests(session, me.id)
            ]
        )
    if holds(Permission.ROUTE_REQUESTS) or holds(Permission.HANDLE_REQUESTS):
        unrouted, overdue = request_home.waiting_counts(
            account_id=me.id,
            handle_paths=where(Permission.HANDLE_REQUESTS),
            route_paths=where(Permission.ROUTE_REQUESTS),
            today=today,
        )
        add(
            N_("Resident requests waiting to be routed: %(num)s"),
            unrouted,
            "/admin/requests?status=unrouted",
        )
        add(N_("Overdue resident requests: %(num)s"), overdue, "/admin/requests?due=overdue")
    if holds(Permission.MANAGE_PLAN):
        add(
            N_("Overdue plan items: %(num)s"),
            plan_home.overdue_items_count(where(Permission.MANAGE_PLAN), today, cap=CAP + 1),
            "/admin/plan",
        )
    elif holds(Permission.SUPERVISE_PLAN):
        add(
            N_("Overdue plan items to supervise: %(num)s"),
            plan_home.overdue_items_count(where(Permission.SUPERVISE_PLAN), today, cap=CAP + 1),
            "/plan",
        )
    if holds(Permission.MANAGE_EVALUATIONS):
        add(
            N_("Evaluation reports to publish: %(num)s"),
            evaluation_home.reports_to_publish_count(me.id),
            "/evaluations/manage",
        )
    if holds(Permission.RESPOND_EVALUATIONS):
        add(
            N_("Evaluation reports awaiting the department's response: %(num)s"),
            evaluation_home.responses_owed_count(where(Permission.RESPOND_EVALUATIONS)),
            "/evaluations",
        )
    counts = iter(counting.count_all(session, [p[1] for p in pending if isinstance(p, tuple)]))
    lines: list[Waiting] = []
    for part in pending:
        if isinstance(part, tuple):
            label, _, href = part
            count = next(counts)
            if count:
                lines.append(Waiting(label, count, href))
        else:
            lines.extend(w for w in part if w.count)
    return lines


#: Roles whose holders get a to-do list (even an empty one says so).
def runs_things(me: CurrentUser) -> bool:
    return any(
        holds
        for holds in (
            me.can(Permission.BACKOFFICE),
            me.can(Permission.LEAD_TEAMS),
            me.can(Permission.MANAGE_EVALUATIONS),
            me.can(Permission.SUPERVISE_PLAN),
            me.can(Permission.HANDLE_REQUESTS),
            me.can(Permission.FILE_REQUESTS),
        )
    )


@dataclass
class PersonalHome:
    residency: Residency
    fresh: bool
    community: Area | None
    blocks: dict[str, Any] | None
    shifts: volunteer_home.Shifts
    requests: list[request_home.MyRequest]
    #: Whether the person raised more requests than are shown.
    more_requests: bool
    todo: list[Waiting] | None
    extra: dict[str, Any] = field(default_factory=dict)


def personal_home(
    session: Session, me: CurrentUser, chosen: Area | None, now: datetime, today: date
) -> PersonalHome:
    """Everything the signed-in person's home shows. An unverified person sees the
    community they picked (``chosen``) without personal parts of its blocks."""
    home = residency(session, me.id)
    community = home.community or chosen
    blocks = None
    if community is not None:
        blocks = community_blocks(
            session,
            community,
            account_id=me.id,
            roll_entry_id=home.entry.id if home.entry else None,
            now=now,
            today=today,
        )
    requests, more = request_home.latest_requests(session, me.id, 5)
    return PersonalHome(
        residency=home,
        fresh=home.fresh(now),
        community=community,
        blocks=blocks,
        shifts=volunteer_home.my_shifts(session, me.id, now),
        requests=requests,
        more_requests=more,
        todo=todo(session, me, now, today) if runs_things(me) else None,
    )


def activity(
    session: Session, account_id: int, kind: str, offset: int, limit: int
) -> tuple[list[Any], int, int | None]:
    """One kind of "my activity" (see ``web.home.activity.KINDS``): one page of
    rows, how many in all, and for sign-ups the credited minutes (else None)."""
    if kind == "signups":
        signups, total, minutes = volunteer_home.my_signups(session, account_id, offset, limit)
        return list(signups), total, minutes
    rows: list[Any]
    if kind == "topics":
        rows, total = consultation_home.my_topics(session, account_id, offset, limit)
    elif kind == "proposals":
        rows, total = budget_home.my_proposals(session, account_id, offset, limit)
    elif kind == "cosignatures":
        rows, total = consultation_home.my_cosignatures(session, account_id, offset, limit)
    elif kind == "posts":
        rows, total = consultation_home.my_posts(session, account_id, offset, limit)
    elif kind == "comments":
        rows, total = budget_home.my_comments(session, account_id, offset, limit)
    elif kind == "ballots":
        rows, total = ballot_home.voted_boxes(session, account_id, offset, limit)
    elif kind == "surveys":
        entry = entry_of_account(session, account_id)
        rows, total = (
            evaluation_home.answered_surveys(session, entry.id, offset, limit) if entry else ([], 0)
        )
    elif kind == "requests":
        rows, total = request_home.my_requests(session, account_id, offset, limit)
    else:
        raise ValueError(kind)
    return list(rows), total, None
