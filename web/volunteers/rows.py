"""Single rows of the leaders' rosters, rendered alone for htmx: after marking
attendance or acting on a member, the leader's page swaps that one row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from participation.accounts import Account
from participation.errors import N_, DomainError
from volunteers import profiles, signups, teams
from volunteers.models import BackfillRequest, SignUp, VolunteerProfile
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
    row = (
        db(request)
        .execute(
            select(SignUp, Account)
            .join(Account, Account.id == SignUp.account_id)
            .where(SignUp.shift_id == ctx.shift.id, SignUp.account_id == account_id)
        )
        .first()
    )
    if row is None:
        raise DomainError("signup.none", N_("This person is not signed up."), status=404)
    context = {
        "ctx": ctx,
        "s": row[0],
        "a": row[1],
        "started": now(request) >= ctx.shift.starts_at,
        "ended": now(request) >= ctx.shift.ends_at,
        "L": labels(),
    } | extra
    return render(request, "volunteers/_attendance_row.html", context, status=status)


def member_row(
    request: Request, team: teams.Team, account_id: int, status: int = 200, **extra: Any
) -> Response:
    """One member's roster row (volunteers/_member_row.html), for htmx."""
    session = db(request)
    found = session.execute(
        select(teams.Membership, Account)
        .join(Account, Account.id == teams.Membership.account_id)
        .where(teams.Membership.team_id == team.id, teams.Membership.account_id == account_id)
    ).first()
    if found is None:
        raise DomainError("team.not_member", N_("This person is not in the team."), status=404)
    profile = session.get(VolunteerProfile, account_id)
    rules = teams.rules_of(team)  # the team's lock, as on the whole roster
    locked = profile is not None and (
        profiles.no_shows(session, account_id, profile.no_shows_cleared_at) >= rules.no_show_lock
    )
    context = {
        "team": team,
        "r": teams.RosterRow(found[0], found[1]),
        "locked": [account_id] if locked else [],
        "rules": rules,
        "qualification_codes": QUALIFICATION_LABELS,
        "L": labels(),
    } | extra
    return render(request, "volunteers/_member_row.html", context, status=status)


def backfill_row(request: Request, backfill_id: int, status: int = 200, **extra: Any) -> Response:
    """One request for hours on the leader's team page
    (volunteers/_backfill_row.html), for htmx."""
    session = db(request)
    found = session.execute(
        select(BackfillRequest, Account)
        .join(SignUp, SignUp.id == BackfillRequest.signup_id)
        .join(Account, Account.id == SignUp.account_id)
        .where(BackfillRequest.id == backfill_id)
    ).first()
    if found is None:
        raise DomainError("backfill.not_found", N_("No such request."), status=404)
    context = {"b": found[0], "requester": found[1]} | extra
    return render(request, "volunteers/_backfill_row.html", context, status=status)
