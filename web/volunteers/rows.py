"""Single rows of the leaders' rosters, rendered alone for htmx: after marking
attendance or acting on a member, the leader's page swaps that one row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from volunteers import attendance, ledger, profiles, signups, teams
from volunteers.models import Team
from volunteers.rules.signup import ShiftRules
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.i18n import gettext
from web.kit.templating import render
from web.volunteers.shared import (
    MEMBER_ROLE_LABELS,
    MEMBER_STATUS_LABELS,
    QUALIFICATION_LABELS,
    labels,
    membership_label,
)


def attendance_row(
    request: Request,
    ctx: signups.ShiftContext,
    account_id: int,
    status: int = 200,
    **extra: Any,
) -> Response:
    """One person's roster row (volunteers/_attendance_row.html), for htmx."""
    signup, account = attendance.roster_entry(db(request), ctx.shift.id, account_id)
    context = {
        "ctx": ctx,
        "s": signup,
        "a": account,
        "started": now(request) >= ctx.shift.starts_at,
        "ended": now(request) >= ctx.shift.ends_at,
        "L": labels(),
    } | extra
    return render(request, "volunteers/_attendance_row.html", context, status=status)


def member_row(
    request: Request, team: Team, account_id: int, status: int = 200, **extra: Any
) -> Response:
    """One member's roster row (volunteers/_member_row.html), for htmx."""
    session = db(request)
    row = teams.roster_row(session, team.id, account_id)
    context = {"team": team, "qualification_codes": QUALIFICATION_LABELS}
    context |= member_rows_context(request, team, [row], teams.rules_of(team)) | extra
    return render(request, "volunteers/_member_row.html", context, status=status)


def member_rows_context(
    request: Request, team: Team, rows: Sequence[teams.RosterRow], rules: ShiftRules
) -> dict[str, Any]:
    """What volunteers/_member_row.html needs beside the team, for a page of roster
    rows: who of them is locked (one statement), the team's rules, and the role
    and membership labels translated once for the page rather than once a row."""
    return {
        "rows": rows,
        "locked": profiles.locked_accounts(
            db(request), [r.account.id for r in rows], rules.no_show_lock
        ),
        "rules": rules,
        "role_choices": [(k, gettext(v)) for k, v in MEMBER_ROLE_LABELS.items()],
        "member_labels": {
            (status, role): gettext(membership_label(status, role))
            for status in MEMBER_STATUS_LABELS
            for role in MEMBER_ROLE_LABELS
        },
    }


def backfill_row(request: Request, backfill_id: int, status: int = 200, **extra: Any) -> Response:
    """One request for hours on the leader's team page
    (volunteers/_backfill_row.html), for htmx."""
    row = ledger.backfill_row(db(request), backfill_id)
    context = {"b": row.request, "requester": row.requester} | extra
    return render(request, "volunteers/_backfill_row.html", context, status=status)
