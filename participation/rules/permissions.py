"""Roles, permissions and the one check every route uses.

A role is granted to an account on an area (or globally, ``area_path=None``). A
grant covers that area and everything below it. :func:`allows` is the only
place that decides; routes name a :class:`Permission`, never a role.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from participation.rules.areas import is_within


class Role(StrEnum):
    RESIDENT = "resident"
    HOUSEHOLD_REP = "household_rep"
    DEPUTY = "deputy"
    REPRESENTATIVE = "representative"
    VOLUNTEER = "volunteer"
    TEAM_LEADER = "team_leader"
    ORG_MEMBER = "org_member"
    STAFF = "staff"
    COMMUNITY_WORKER = "community_worker"
    ADMIN = "admin"
    GRID_WORKER = "grid_worker"  # 网格员: files what they find on patrol, or for a resident
    UNIT_STAFF = "unit_staff"  # 承办单位工作人员: handles the requests routed to a unit


class Permission(StrEnum):
    VIEW_PUBLIC = "view_public"
    USE_ACCOUNT = "use_account"
    VERIFY_SELF = "verify_self"
    BACKOFFICE = "backoffice"
    MANAGE_AREAS = "manage_areas"
    MANAGE_ROLLS = "manage_rolls"
    ASSIST_VERIFY = "assist_verify"
    MANAGE_ACCOUNTS = "manage_accounts"
    READ_AUDIT = "read_audit"
    MANAGE_BALLOTS = "manage_ballots"
    COUNT_PAPER = "count_paper"
    # Triage topics, announce and record consultations, moderate, run the decision.
    MANAGE_CONSULTATIONS = "manage_consultations"
    MANAGE_EVALUATIONS = "manage_evaluations"  # build and run an organization's evaluations
    VERIFY_ORGANIZATIONS = "verify_organizations"
    RESPOND_EVALUATIONS = "respond_evaluations"  # the responsible department's answer
    MANAGE_PLAN = "manage_plan"  # enter plan items, milestones, roll up the year
    SUPERVISE_PLAN = "supervise_plan"  # record supervision visits on plan items
    MANAGE_BUDGETS = "manage_budgets"  # community budget rounds: screening, phases
    MANAGE_LIVELIHOOD = "manage_livelihood"  # congress cycles on livelihood projects
    LEAD_TEAMS = "lead_teams"  # rosters, attendance, hours of teams one leads
    MANAGE_VOLUNTEERS = "manage_volunteers"  # teams, certificates, reports of an area
    # Resident requests (群众诉求): file on a resident's behalf or at the desk (with the
    # channel), edit the routing table and redirect, handle what is routed to a unit.
    FILE_REQUESTS = "file_requests"
    ROUTE_REQUESTS = "route_requests"
    HANDLE_REQUESTS = "handle_requests"


# Who holds what. Signed-in accounts get USE_ACCOUNT and VERIFY_SELF without
# any grant; everyone (even anonymous) gets VIEW_PUBLIC.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.RESIDENT: frozenset(),
    Role.HOUSEHOLD_REP: frozenset(),
    Role.DEPUTY: frozenset({Permission.SUPERVISE_PLAN}),
    Role.REPRESENTATIVE: frozenset({Permission.SUPERVISE_PLAN}),
    Role.VOLUNTEER: frozenset(),
    Role.TEAM_LEADER: frozenset({Permission.LEAD_TEAMS}),
    Role.ORG_MEMBER: frozenset({Permission.MANAGE_EVALUATIONS}),
    Role.STAFF: frozenset(
        {
            Permission.BACKOFFICE,
            Permission.MANAGE_BALLOTS,
            Permission.COUNT_PAPER,
            Permission.MANAGE_CONSULTATIONS,
            Permission.VERIFY_ORGANIZATIONS,
            Permission.RESPOND_EVALUATIONS,
            Permission.MANAGE_PLAN,
            Permission.MANAGE_BUDGETS,
            Permission.MANAGE_LIVELIHOOD,
            Permission.FILE_REQUESTS,
            Permission.ROUTE_REQUESTS,
            Permission.HANDLE_REQUESTS,
        }
    ),
    Role.COMMUNITY_WORKER: frozenset(
        {
            Permission.BACKOFFICE,
            Permission.MANAGE_ROLLS,
            Permission.ASSIST_VERIFY,
            Permission.MANAGE_BALLOTS,
            Permission.COUNT_PAPER,
            Permission.MANAGE_CONSULTATIONS,
            Permission.MANAGE_PLAN,
            Permission.MANAGE_BUDGETS,
            Permission.LEAD_TEAMS,
            Permission.MANAGE_VOLUNTEERS,
            Permission.FILE_REQUESTS,
            Permission.ROUTE_REQUESTS,
            Permission.HANDLE_REQUESTS,
        }
    ),
    Role.ADMIN: frozenset(Permission),
    Role.GRID_WORKER: frozenset({Permission.FILE_REQUESTS}),
    Role.UNIT_STAFF: frozenset({Permission.HANDLE_REQUESTS}),
}

ANONYMOUS_PERMISSIONS = frozenset({Permission.VIEW_PUBLIC})
SIGNED_IN_PERMISSIONS = frozenset(
    {Permission.VIEW_PUBLIC, Permission.USE_ACCOUNT, Permission.VERIFY_SELF}
)


@dataclass(frozen=True)
class Grant:
    role: Role
    area_path: str | None  # None: everywhere


class Decision(StrEnum):
    ALLOW = "allow"
    SIGN_IN = "sign_in"  # anonymous: send to the sign-in page
    FORBID = "forbid"  # signed in but not allowed: 403


def allows(
    signed_in: bool,
    grants: Iterable[Grant],
    permission: Permission,
    area_path: str | None = None,
) -> Decision:
    """Decide whether a person may exercise ``permission`` on an area.

    ``area_path=None`` asks "anywhere at all" (e.g. to show the back-office
    entry); a concrete path asks about that area, which a grant covers when the
    grant is global or on that area or an ancestor.

    Invariants: anonymous people only ever get VIEW_PUBLIC; a grant never covers
    an area outside its subtree; more grants never take a permission away.
    """
    if permission in ANONYMOUS_PERMISSIONS:
        return Decision.ALLOW
    if not signed_in:
        return Decision.SIGN_IN
    if permission in SIGNED_IN_PERMISSIONS:
        return Decision.ALLOW
    for grant in grants:
        if permission not in ROLE_PERMISSIONS[grant.role]:
            continue
        if grant.area_path is None or area_path is None or is_within(area_path, grant.area_path):
            return Decision.ALLOW
    return Decision.FORBID
