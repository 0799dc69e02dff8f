"""Team leaders' pages: roster with contacts, join requests, activities and
shifts, attendance, back-fill approvals, unlocks (the rotating check-in code is
in volunteer_records, beside the scan it serves)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.accounts import Account, find_by_login
from participation.areas import Area, area_tree
from participation.errors import N_, DomainError
from participation.rules.areas import is_within
from participation.rules.permissions import Permission
from volunteers import (
    activities,
    attendance,
    ledger,
    notices,
    profiles,
    signups,
    team_rules,
    teams,
)
from volunteers.models import Activity, BackfillRequest, Shift, SignUp, VolunteerProfile
from volunteers.rules.settings import BOUNDS
from web.kit import htmx
from web.kit.auth import requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import form_fields, record_id, whole_number
from web.kit.templating import flash, render
from web.volunteers import rows as volunteer_rows
from web.volunteers.shared import (
    QUALIFICATION_LABELS,
    RULE_LABELS,
    labels,
    local_datetime,
    require_lead,
)


def _team(request: Request) -> teams.Team:
    team = teams.get_team(db(request), request.path_params["team_id"])
    require_lead(request, team)
    return team


async def _team_page(
    request: Request, team: teams.Team, status: int = 200, **extra: Any
) -> Response:
    session = db(request)
    roster = teams.roster(session, team.id)
    ids = [r.account.id for r in roster]
    rules = teams.rules_of(team)  # the team's lock; an activity may set its own
    locked = []
    for pid in ids:
        profile = session.get(VolunteerProfile, pid)
        if profile is not None and (
            profiles.no_shows(session, pid, profile.no_shows_cleared_at) >= rules.no_show_lock
        ):
            locked.append(pid)
    backfills = ledger.pending_backfills(session, team.id)
    team_area = session.get(Area, team.area_id)
    assert team_area is not None
    requesters = {
        a.id: a
        for a in session.scalars(
            select(Account).where(
                Account.id.in_([session.get(SignUp, b.signup_id).account_id for b in backfills])  # type: ignore[union-attr]
            )
        )
    }
    context = {
        "team": team,
        "roster": roster,
        "locked": locked,
        "history": teams.history(session, team.id, 20),
        "activities": session.scalars(
            select(Activity).where(Activity.team_id == team.id).order_by(Activity.id.desc())
        ).all(),
        "shifts": activities.shift_rows(
            session, since=now(request) - timedelta(days=7), team_id=team.id
        ),
        "backfills": [(b, session.get(SignUp, b.signup_id)) for b in backfills],
        "requesters": requesters,
        "areas": [n for n in area_tree(session) if is_within(n.area.path, team_area.path)],
        "qualification_codes": QUALIFICATION_LABELS,
        "rules": rules,
        "team_rules": asdict(rules),
        "rule_labels": RULE_LABELS,
        "bounds": BOUNDS,
        "L": labels(),
        "error": None,
    } | extra
    return render(request, "volunteers/office/lead_team.html", context, status=status)


@requires(Permission.LEAD_TEAMS)
async def team_roster(request: Request) -> Response:
    return await _team_page(request, _team(request))


@requires(Permission.LEAD_TEAMS)
async def member_action(request: Request) -> Response:
    team = _team(request)
    session = db(request)
    fields = await form_fields(request)
    account_id = request.path_params["account_id"]
    row = f"member-{account_id}"
    try:
        _member_action(request, team, account_id, fields)
    except DomainError as error:
        if htmx.target(request) != row or error.status == 404:
            raise
        session.rollback()
        return volunteer_rows.member_row(
            request, team, account_id, status=error.status, row_error=error.message
        )
    if htmx.target(request) == row:
        # htmx swaps this member's row alone.
        return volunteer_rows.member_row(request, team, account_id, row_message=N_("Saved."))
    flash(request, N_("Saved."), "success")
    return htmx.redirect(request, f"/lead/teams/{team.id}")


def _member_action(
    request: Request, team: teams.Team, account_id: int, fields: dict[str, str]
) -> None:
    session = db(request)
    me = user(request)
    action = fields.get("action", "")
    if action in ("role", "unlock", "qualify", "consent"):
        teams.require_member(session, team, account_id)
    if action in ("approve", "refuse"):
        teams.decide(session, team, account_id, action == "approve", me.id)
    elif action == "role":
        teams.set_role(session, team, account_id, fields.get("role", ""), me.id)
    elif action == "unlock":
        profiles.unlock(session, account_id, me.id, now(request))
    elif action == "qualify":
        code = fields.get("code", "")
        if code not in QUALIFICATION_LABELS:
            raise DomainError("qualification.unknown", N_("Choose a qualification."))
        profiles.add_qualification(session, account_id, code, me.id)
    elif action == "consent":
        if not fields.get("guardian", ""):
            raise DomainError("consent.guardian", N_("Enter the guardian's name."))
        profiles.record_guardian_consent(
            session, account_id, fields["guardian"], me.id, now(request)
        )
    else:
        raise DomainError("lead.action", N_("Unknown action."), status=400)


@requires(Permission.LEAD_TEAMS)
async def invite(request: Request) -> Response:
    team = _team(request)
    session = db(request)
    fields = await form_fields(request)
    account = find_by_login(session, fields.get("login", ""))
    if account is None:
        return await _team_page(
            request,
            team,
            status=422,
            error=N_("Please correct the marked fields."),
            errors={"login": N_("No account has this login.")},
            form=fields,
        )
    teams.invite(session, team, account, user(request).id)
    flash(request, N_("Invitation sent."), "success")
    return htmx.redirect(request, f"/lead/teams/{team.id}")


@requires(Permission.LEAD_TEAMS)
async def new_shift(request: Request) -> Response:
    """Create an activity with its first shift, or add a shift to an activity."""
    team = _team(request)
    session = db(request)
    fields = await form_fields(request)
    starts, ends = (
        local_datetime(fields.get("starts_at", "")),
        local_datetime(fields.get("ends_at", "")),
    )
    capacity = whole_number(fields.get("capacity"), high=100_000) or 0
    area = session.get(Area, record_id(fields.get("area_id")))
    problems: dict[str, str] = {}
    if starts is None or ends is None:
        problems["starts_at"] = N_("Enter the start and end times.")
    if area is None:
        problems["area_id"] = N_("Choose a place.")
    try:
        if problems:
            raise DomainError(
                "shift.invalid", N_("Please correct the marked fields."), fields=problems
            )
        if record_id(fields.get("activity_id")):
            activity = activities.get_activity(session, record_id(fields.get("activity_id")))
            if activity.team_id != team.id:
                raise DomainError("activity.not_found", N_("No such activity."), status=404)
        else:
            activity = activities.create_activity(
                session,
                team,
                title=fields.get("title", ""),
                description=fields.get("description", ""),
                service_content=fields.get("service_content", ""),
                rules=team_rules.read_overrides(fields),
            )
        assert starts is not None and ends is not None and area is not None
        activities.create_shift(
            session,
            activity,
            area=area,
            starts_at=starts,
            ends_at=ends,
            capacity=capacity,
            place=fields.get("place", ""),
            qualifications=" ".join(q for q in QUALIFICATION_LABELS if fields.get(f"q_{q}")),
            members_only=bool(fields.get("members_only")),
        )
    except DomainError as error:
        if error.status == 404:
            raise
        session.rollback()
        return await _team_page(
            request,
            team,
            status=error.status,
            error=error.message,
            errors=error.fields,
            form=fields,
        )
    flash(request, N_("The shift is published."), "success")
    return htmx.redirect(request, f"/lead/teams/{team.id}")


def _shift_ctx(request: Request) -> signups.ShiftContext:
    ctx = signups.shift_context(db(request), request.path_params["shift_id"])
    require_lead(request, ctx.team)
    return ctx


async def _shift_page(
    request: Request, ctx: signups.ShiftContext, status: int = 200, **extra: Any
) -> Response:
    session = db(request)
    rows = session.execute(
        select(SignUp, Account)
        .join(Account, Account.id == SignUp.account_id)
        .where(SignUp.shift_id == ctx.shift.id, SignUp.status != "cancelled")
        .order_by(SignUp.arrival)
    ).all()
    at = now(request)
    pending = [
        (s, a)
        for s, a in rows
        if s.checked_in_at and not s.checked_out_at and at > ctx.shift.ends_at
    ]
    context = {
        "ctx": ctx,
        "rows": rows,
        "pending": pending,
        "started": at >= ctx.shift.starts_at,
        "ended": at >= ctx.shift.ends_at,
        "L": labels(),
        "error": None,
    } | extra
    return render(request, "volunteers/office/lead_shift.html", context, status=status)


@requires(Permission.LEAD_TEAMS)
async def shift_roster(request: Request) -> Response:
    return await _shift_page(request, _shift_ctx(request))


@requires(Permission.LEAD_TEAMS)
async def mark_attendance(request: Request) -> Response:
    ctx = _shift_ctx(request)
    session = db(request)
    fields = await form_fields(request)
    account_id = record_id(fields.get("account_id"))
    try:
        attendance.mark(
            session,
            ctx.shift.id,
            account_id,
            checked_in=local_datetime(fields.get("checked_in", "")),
            checked_out=local_datetime(fields.get("checked_out", "")),
            no_show=fields.get("no_show") == "1",
            actor_id=user(request).id,
            now=now(request),
        )
    except DomainError as error:
        session.rollback()
        if htmx.target(request) == f"attendance-{account_id}":
            return volunteer_rows.attendance_row(
                request,
                ctx,
                account_id,
                status=error.status,
                row_error=error.message,
                errors=error.fields,
            )
        return await _shift_page(
            request, ctx, status=error.status, error=error.message, errors=error.fields
        )
    if htmx.target(request) == f"attendance-{account_id}":
        # htmx swaps this person's row alone.
        return volunteer_rows.attendance_row(
            request, ctx, account_id, row_message=N_("Attendance saved.")
        )
    flash(request, N_("Attendance saved."), "success")
    return htmx.redirect(request, f"/lead/shifts/{ctx.shift.id}")


@requires(Permission.LEAD_TEAMS)
async def move_shift(request: Request) -> Response:
    ctx = _shift_ctx(request)
    session = db(request)
    fields = await form_fields(request)
    starts = local_datetime(fields.get("starts_at", ""))
    ends = local_datetime(fields.get("ends_at", ""))
    try:
        if starts is None or ends is None:
            raise DomainError(
                "shift.invalid",
                N_("Please correct the marked fields."),
                fields={"starts_at": N_("Enter the start and end times.")},
            )
        notified = notices.move_shift(session, ctx.shift.id, starts, ends, user(request).id)
    except DomainError as error:
        session.rollback()
        return await _shift_page(
            request, ctx, status=error.status, error=error.message, errors=error.fields
        )
    flash(
        request,
        N_("The shift is moved; volunteers will be told by email.")
        if notified
        else N_("The shift is moved."),
        "success",
    )
    return htmx.redirect(request, f"/lead/shifts/{ctx.shift.id}")


@requires(Permission.LEAD_TEAMS)
async def cancel_shift(request: Request) -> Response:
    ctx = _shift_ctx(request)
    notices.cancel_shift(db(request), ctx.shift.id, user(request).id, now(request))
    flash(request, N_("The shift is cancelled; volunteers will be told by email."), "success")
    return htmx.redirect(request, f"/lead/teams/{ctx.team.id}")


@requires(Permission.LEAD_TEAMS)
async def decide_backfill(request: Request) -> Response:
    session = db(request)
    backfill = session.get(BackfillRequest, request.path_params["request_id"])
    if backfill is None:
        raise DomainError("backfill.not_found", N_("No such request."), status=404)
    signup = session.get(SignUp, backfill.signup_id)
    assert signup is not None
    shift = session.get(Shift, signup.shift_id)
    assert shift is not None
    activity = session.get(Activity, shift.activity_id)
    assert activity is not None
    team = teams.get_team(session, activity.team_id)
    require_lead(request, team)
    fields = await form_fields(request)
    approve, row = fields.get("decision") == "approve", f"backfill-{backfill.id}"
    try:
        ledger.decide_backfill(session, backfill.id, approve, user(request).id, now(request))
    except DomainError as error:
        if htmx.target(request) != row:
            raise
        session.rollback()
        return volunteer_rows.backfill_row(
            request, backfill.id, error.status, row_error=error.message
        )
    if htmx.target(request) == row:  # htmx swaps this request's row alone
        return volunteer_rows.backfill_row(request, backfill.id, row_message=N_("Saved."))
    flash(request, N_("Saved."), "success")
    return htmx.redirect(request, f"/lead/teams/{team.id}")


routes = [
    Route("/lead/teams/{team_id:int}", team_roster),
    Route("/lead/teams/{team_id:int}/members/{account_id:int}", member_action, methods=["POST"]),
    Route("/lead/teams/{team_id:int}/invite", invite, methods=["POST"]),
    Route("/lead/teams/{team_id:int}/shifts", new_shift, methods=["POST"]),
    Route("/lead/shifts/{shift_id:int}", shift_roster),
    Route("/lead/shifts/{shift_id:int}/attendance", mark_attendance, methods=["POST"]),
    Route("/lead/shifts/{shift_id:int}/move", move_shift, methods=["POST"]),
    Route("/lead/shifts/{shift_id:int}/cancel", cancel_shift, methods=["POST"]),
    Route("/lead/backfills/{request_id:int}", decide_backfill, methods=["POST"]),
]
