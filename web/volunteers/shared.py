"""What the volunteer pages share: labels, the check-in secret and the one check
that someone may lead a given team. (Form fields are read by web.kit.forms.)"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request

from participation.errors import N_
from participation.rules.permissions import Permission
from volunteers.certificates import service_area_paths
from volunteers.models import Certificate, Team
from volunteers.teams import area_of, is_leader
from web.kit.auth import user
from web.kit.dbsession import db
from web.kit.forms import whole_number
from web.kit.i18n import gettext
from web.kit.pagination import MAX_PAGE
from web.kit.wording import duration_text

TEAM_KIND_LABELS = {"featured": N_("Featured team"), "professional": N_("Professional team")}
JOIN_MODE_LABELS = {
    "open": N_("Anyone can join"),
    "approval": N_("Join on approval"),
    "invitation": N_("By invitation only"),
}
MEMBER_ROLE_LABELS = {"leader": N_("Leader"), "core": N_("Core member"), "member": N_("Member")}
MEMBER_STATUS_LABELS = {
    "active": N_("Member"),
    "pending": N_("Asked to join"),
    "invited": N_("Invited"),
    "left": N_("Left"),
    "refused": N_("Refused"),
}
SIGNUP_STATUS_LABELS = {
    "confirmed": N_("Confirmed"),
    "waitlisted": N_("On the waitlist"),
    "offered": N_("A place is offered to you"),
    "cancelled": N_("Cancelled"),
    "no_show": N_("Did not come"),
}
QUALIFICATION_LABELS = {
    "first_aid": N_("First-aid certificate"),
    "driver": N_("Driving licence"),
    "lawyer": N_("Lawyer's licence"),
    "counsellor": N_("Psychological counsellor"),
    "sign_language": N_("Sign language"),
}
HOURS_KIND_LABELS = {
    "system": N_("Attendance"),
    "backfill": N_("Back-filled"),
    "correction": N_("Correction"),
}

# The sign-up rules on the team's and the activity's forms, in RULE_NAMES order.
RULE_LABELS = {
    "opens_hours_before": N_("Sign-up opens (hours before the start)"),
    "cancel_closes_hours_before": N_("Cancelling oneself closes (hours before the start)"),
    "overlap_grace_minutes": N_("Overlap allowed between one person's shifts (minutes)"),
    "promotion_cutoff_hours": N_(
        "Waitlist promotion stops, places are offered instead (hours before the start)"
    ),
    "offer_minutes": N_("An offered place waits for an answer (minutes)"),
    "coverage_percent": N_("Hours count when attendance covers at least (per cent of the shift)"),
    "no_show_lock": N_("Missed shifts after which a person is locked"),
    "consent_age": N_("Guardian's consent needed under the age of"),
    "self_signup_age": N_("No signing up by oneself under the age of"),
}
# Star levels by number, as the scheme shows them (一星, 二星, ...).
STAR_LEVEL_NAMES = [
    N_("1 star"),
    N_("2 stars"),
    N_("3 stars"),
    N_("4 stars"),
    N_("5 stars"),
    N_("6 stars"),
    N_("7 stars"),
    N_("8 stars"),
    N_("9 stars"),
    N_("10 stars"),
]


def labels() -> dict[str, Any]:
    return {
        "team_kinds": TEAM_KIND_LABELS,
        "join_modes": JOIN_MODE_LABELS,
        "member_roles": MEMBER_ROLE_LABELS,
        "member_status": MEMBER_STATUS_LABELS,
        "membership": membership_label,
        "signup_status": SIGNUP_STATUS_LABELS,
        "qualifications": QUALIFICATION_LABELS,
        "hours_kinds": HOURS_KIND_LABELS,
    }


def page_of(request: Request, name: str) -> int:
    """The page number in the query parameter ``name`` (a page with two paged lists
    names the second one's: ``shifts``), 1 when absent or unreadable."""
    return whole_number(request.query_params.get(name), low=1, high=MAX_PAGE) or 1


def translated(names: dict[str, str]) -> dict[str, str]:
    """``names`` (msgids) in the reader's language: for a page that shows one of a
    few labels on every row of a long list, translated once instead of once a row."""
    return {key: gettext(msgid) for key, msgid in names.items()}


def checkin_secret(request: Request) -> bytes:
    """A key for check-in codes derived from the session secret (never shown)."""
    key = request.app.state.settings.secret_key.encode()
    return hmac.new(key, b"volunteer-checkin", hashlib.sha256).digest()


def id_key(request: Request) -> bytes:
    return str(request.app.state.settings.id_hash_key).encode()


def hours_text(minutes: int) -> str:
    """Service hours as a duration (``12 小时 35 分``), in the reader's language."""
    return duration_text(minutes)


def membership_label(status: str, role: str) -> str:
    """One label for a membership: an active member's role (队员, 骨干, 队长), else
    the status (申请中, 已退出…), so that "队员 · 队员" never shows."""
    if status == "active":
        return MEMBER_ROLE_LABELS.get(role, MEMBER_STATUS_LABELS["active"])
    return MEMBER_STATUS_LABELS.get(status, status)


def require_lead(request: Request, team: Team, leads: bool | None = None) -> None:
    """Leaders of this team, or people who manage volunteers in its area
    (``leads``: whether the signed-in person leads the team, when the caller has
    read it already with :func:`volunteers.teams.team_and_leads`)."""
    me = user(request)
    session = db(request)
    if leads if leads is not None else is_leader(session, team.id, me.id):
        return
    if me.can(Permission.MANAGE_VOLUNTEERS, area_of(session, team).path):
        return
    raise HTTPException(403)


def may_certify(request: Request, account_id: int, until: datetime | None = None) -> bool:
    """Whether the signed-in person manages volunteers in every area whose teams'
    hours a certificate for ``account_id`` covers (as recorded up to ``until``)."""
    return _manages_all(request, service_area_paths(db(request), account_id, until))


def _manages_all(request: Request, paths: set[str]) -> bool:
    me = user(request)
    return me.can(Permission.MANAGE_VOLUNTEERS) and all(
        me.can(Permission.MANAGE_VOLUNTEERS, path) for path in paths
    )


def may_manage_certificate(request: Request, cert: Certificate) -> bool:
    """Revoke, download or list a certificate: the same rule as issuing it, over
    the hours it certified."""
    return may_certify(request, cert.account_id, cert.issued_at)
