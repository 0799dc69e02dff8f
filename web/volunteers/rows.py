"""Single rows of the leaders' rosters, rendered alone for htmx: after marking
attendance or acting on a member, the leader's page swaps that one row."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from volunteers import attendance, ledger, profiles, signups, teams
from volunteers.models import Team
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.templating import render
from web.volunteers.shared import QUALIFICATION_LABELS, labels


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
    rules = teams.rules_of(team)  # the team's lock, as on the whole roster
    context = {
        "team": team,
        "r": row,
        "locked": profiles.locked_accounts(session, [account_id], rules.no_show_lock),
        "rules": rules,
        "qualification_codes": QUALIFICATION_LABELS,
        "L": labels(),
    } | extra
    return render(request, "volunteers/_member_row.html", context, status=status)


def backfill_row(request: Request, backfill_id: int, status: int = 200, **extra: Any) -> Response:
    """One request for hours on the leader's team page
    (volunteers/_backfill_row.html), for htmx."""
    row = ledger.backfill_row(db(request), backfill_id)
    context = {"b": row.request, "requester": row.requester} | extra
    return render(request, "volunteers/_backfill_row.html", context, status=status)
