"""Single rows of the leaders' rosters, rendered alone for htmx: after marking
attendance or acting on a member, the leader's page swaps that one row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response

from volunteers import attendance, ledger, signups, team_page, teams
from volunteers.models import Team
from volunteers.rules.signup import ShiftRules
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.i18n import gettext
from web.kit.templating import render
from web.volunteers.shared import (
    MEMBER_ROLE_LABELS,
    MEMBER_STATUS_LABELS,
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
    entry = team_page.roster_entry(db(request), team.id, account_id)
    context = {"team": team} | member_rows_context(team, [entry], teams.rules_of(team)) | extra
    return render(request, "volunteers/_member_row.html", context, status=status)


def member_rows_context(
    team: Team, rows: Sequence[team_page.RosterEntry], rules: ShiftRules
) -> dict[str, Any]:
    """What volunteers/_member_row.html needs beside the team, for a page of roster
    entries: who of them is locked (by the team's rule), the team's rules, and the
    role and membership labels translated (and the role <select>'s options built)
    once for the page rather than once a row."""
    role_choices = [(k, gettext(v)) for k, v in MEMBER_ROLE_LABELS.items()]
    return {
        "rows": rows,
        "locked": {r.account_id for r in rows if r.locked(rules.no_show_lock)},
        "rules": rules,
        # The role field (its <select> with each role selected), and the labels, as
        # Markup: the roster's rows output them unescaped (volunteers/_member_row.html).
        "role_field": {role: _role_field(role, role_choices) for role in MEMBER_ROLE_LABELS},
        "member_labels": {
            (status, role): escape(gettext(membership_label(status, role)))
            for status in MEMBER_STATUS_LABELS
            for role in MEMBER_ROLE_LABELS
        },
    }


def _role_field(role: str, choices: list[tuple[str, str]]) -> Markup:
    """The role <label> and <select> with ``role`` selected (labels escaped here;
    plain string building: Markup.format cost more than the rest of this function)."""
    options = "".join(
        f'<option value="{escape(k)}"{" selected" if k == role else ""}>{escape(v)}</option>'
        for k, v in choices
    )
    label = escape(gettext("Role"))
    return Markup(
        f'<div class="field"><label>{label}<select name="role">{options}</select></label></div>'
    )


def backfill_row(request: Request, backfill_id: int, status: int = 200, **extra: Any) -> Response:
    """One request for hours on the leader's team page
    (volunteers/_backfill_row.html), for htmx."""
    row = ledger.backfill_row(db(request), backfill_id)
    context = {"b": row.request, "requester": row.requester} | extra
    return render(request, "volunteers/_backfill_row.html", context, status=status)
