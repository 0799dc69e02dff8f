"""Team leaders' pages: roster with contacts, join requests, activities and
shifts, attendance, back-fill approvals, unlocks (the rotating check-in code is
in records.py, beside the scan it serves; the rules pages in lead_rules.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.errors import N_, DomainError
from participation.rules.permissions import Permission
from volunteers import (
    attendance,
    ledger,
    notices,
    profiles,
    signups,
    team_page,
    teams,
)
from volunteers.models import Team
from web.kit import htmx
from web.kit.auth import requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import FormReader, form_fields, record_id
from web.kit.pagination import Page, page_number
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render
from web.volunteers import lead_forms
from web.volunteers import rows as volunteer_rows
from web.volunteers.rows import member_rows_context
from web.volunteers.shared import (
    QUALIFICATION_LABELS,
    hours_text,
    labels,
    page_of,
    require_lead,
)

#: Members shown per page of the leader's roster (each row holds its own forms).
ROSTER_PAGE = 25
#: Coming shifts shown per page of the leader's team page.
SHIFTS_PAGE = 20
#: People waiting for a place listed per page of a shift's attendance list.
WAITING_PAGE = 50
#: Activities listed per page of the leader's team page (newest first).
ACTIVITIES_PAGE = 20
#: Requests for hours waiting for a decision, per page of the team page (oldest first).
BACKFILLS_PAGE = 20
#: The team page's query parameters kept by each pager and the filter form, in
#: the order they are written: the filter, then each paged list's page.
_TEAM_PAGE_PARAMS = ("status", "page", "shifts", "activities", "backfills")
#: The team page's paged lists, each by its page parameter.
_PAGED_LISTS = ("page", "shifts", "activities", "backfills")
#: The roster's filter (``?status=``): which memberships it lists.
ROSTER_FILTERS: dict[str, tuple[str, ...]] = {
    "": ("active", "pending", "invited"),
    "active": ("active",),
    "pending": ("pending",),
    "invited": ("invited",),
}


def _team(request: Request) -> Team:
    team, leads = teams.team_and_leads(
        db(request), request.path_params["team_id"], user(request).id
    )
    require_lead(request, team, leads)
    return team


async def _team_page(request: Request, team: Team, status: int = 200, **extra: Any) -> Response:
    """The leader's team page, in a fixed number of statements however many
    members, shifts and requests for hours the team has (volunteers.team_page):
    the team and whether the viewer leads it in one, the totals in one (counts, the
    hours summary, never the ledger), the roster, the coming shifts, the
    activities and the requests for hours each paged in one (the last skipped
    when none wait)."""
    session = db(request)
    shown = request.query_params.get("status", "")
    if shown not in ROSTER_FILTERS:
        shown = ""
    since = now(request) - timedelta(days=7)
    figures = team_page.team_figures(session, team.id, since)
    counts = figures.counts
    listed = sum(counts.get(s, 0) for s in ROSTER_FILTERS[shown])
    number = max(1, min(page_number(request), -(-listed // ROSTER_PAGE)))
    roster = team_page.roster_entries(
        session, team.id, ROSTER_FILTERS[shown], (number - 1) * ROSTER_PAGE, ROSTER_PAGE
    )
    shifts_total = figures.coming_shifts
    shifts_number = max(1, min(page_of(request, "shifts"), -(-shifts_total // SHIFTS_PAGE)))
    shifts = team_page.coming_shifts(
        session, team.id, since, (shifts_number - 1) * SHIFTS_PAGE, SHIFTS_PAGE
    )
    acts_total = figures.activities
    acts_number = max(1, min(page_of(request, "activities"), -(-acts_total // ACTIVITIES_PAGE)))
    activities = team_page.activity_titles(
        session, team.id, (acts_number - 1) * ACTIVITIES_PAGE, ACTIVITIES_PAGE
    )
    waiting_total = figures.backfills
    waiting_number = max(1, min(page_of(request, "backfills"), -(-waiting_total // BACKFILLS_PAGE)))
    backfills = (
        ledger.pending_backfills(
            session, team.id, (waiting_number - 1) * BACKFILLS_PAGE, BACKFILLS_PAGE
        )
        if waiting_total
        else []  # the usual case: nothing to read
    )
    kept = {
        "status": shown,
        "page": number,
        "shifts": shifts_number,
        "activities": acts_number,
        "backfills": waiting_number,
    }
    rules = teams.rules_of(team)  # the team's lock; an activity may set its own
    context = (
        {
            "team": team,
            "roster_page": Page(roster, number, ROSTER_PAGE, listed),
            "counts": counts,
            "shown": shown,
            "team_hours": hours_text(figures.minutes),
            "history": team_page.history_lines(session, team.id, 20),
            "activities": activities,
            "activities_page": Page(activities, acts_number, ACTIVITIES_PAGE, acts_total),
            "shifts": shifts,
            "shifts_page": Page(shifts, shifts_number, SHIFTS_PAGE, shifts_total),
            "pager_base": {
                own: _team_page_query(team.id, kept, leave_out=own) for own in _PAGED_LISTS
            },
            "backfills": backfills,
            "backfills_page": Page(backfills, waiting_number, BACKFILLS_PAGE, waiting_total),
            "L": labels(),
            "error": None,
        }
        | member_rows_context(team, roster, rules)
        | extra
    )
    return render(request, "volunteers/office/lead_team.html", context, status=status)


def _team_page_query(team_id: int, kept: dict[str, Any], leave_out: str) -> str:
    """The team page's URL up to the parameter ``leave_out`` (ending in "?" or
    "&"): the other lists' pages (when past the first) and the filter, so that
    paging one list keeps the rest of the page where it was."""
    parts = [
        f"{name}={kept[name]}"
        for name in _TEAM_PAGE_PARAMS
        if name != leave_out and kept[name] and kept[name] != 1
    ]
    return f"/lead/teams/{team_id}?" + "".join(f"{p}&" for p in parts)


@requires(Permission.LEAD_TEAMS)
async def team_roster(request: Request) -> Response:
    return await _team_page(request, _team(request))


@requires(Permission.LEAD_TEAMS)
async def member_action(request: Request) -> Response:
    team = _team(request)
    fields = await form_fields(request)
    account_id = request.path_params["account_id"]
    row = f"member-{account_id}"

    # The member's own page (web.volunteers.lead_forms) asks to come back to it.
    back = fields.get("back") == lead_forms.BACK_TO_MEMBER

    def act() -> Response:
        _member_action(request, team, account_id, fields)
        if htmx.target(request) == row:
            # htmx swaps this member's row alone.
            return volunteer_rows.member_row(request, team, account_id, row_message=N_("Saved."))
        flash(request, N_("Saved."), "success")
        if back:
            return htmx.redirect(request, f"/lead/teams/{team.id}/members/{account_id}")
        return htmx.redirect(request, f"/lead/teams/{team.id}")

    async def refused(error: DomainError) -> Response:
        if back and error.status != 404 and htmx.target(request) != row:
            return lead_forms.member_page(
                request,
                team,
                account_id,
                error.status,
                error=error.message,
                errors=error.fields,
                form=fields,
            )
        if htmx.target(request) != row or error.status == 404:
            raise error
        return volunteer_rows.member_row(
            request, team, account_id, status=error.status, row_error=error.message
        )

    return await act_or_rerender(request, act, refused)


def _member_action(request: Request, team: Team, account_id: int, fields: dict[str, str]) -> None:
    session = db(request)
    me = user(request)
    form = FormReader(fields)
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
        code = form.choice("code", QUALIFICATION_LABELS)
        if code is None:
            raise DomainError("qualification.unknown", N_("Choose a qualification."))
        profiles.add_qualification(session, account_id, code, me.id)
    elif action == "consent":
        guardian = form.text("guardian")
        if not guardian:
            raise DomainError("consent.guardian", N_("Enter the guardian's name."))
        profiles.record_guardian_consent(session, account_id, guardian, me.id, now(request))
    else:
        raise DomainError("lead.action", N_("Unknown action."), status=400)


@requires(Permission.LEAD_TEAMS)
async def invite(request: Request) -> Response:
    team = _team(request)
    session = db(request)
    fields = await form_fields(request)

    def act() -> Response:
        account = teams.account_named(session, fields.get("login", ""), code="team.no_person")
        teams.invite(session, team, account, user(request).id)
        flash(request, N_("Invitation sent."), "success")
        return htmx.redirect(request, f"/lead/teams/{team.id}")

    async def refused(error: DomainError) -> Response:
        return await _team_page(
            request, team, error.status, error=error.message, errors=error.fields, form=fields
        )

    return await act_or_rerender(request, act, refused)


def _shift_ctx(request: Request) -> signups.ShiftContext:
    ctx = signups.shift_context(db(request), request.path_params["shift_id"])
    require_lead(request, ctx.team)
    return ctx


async def _shift_page(
    request: Request, ctx: signups.ShiftContext, status: int = 200, **extra: Any
) -> Response:
    rows, number, waiting_total = attendance.shift_roster(
        db(request), ctx.shift.id, page_of(request, "waiting"), WAITING_PAGE
    )
    at = now(request)
    pending = [
        (s, a)
        for s, a in rows
        if s.checked_in_at and not s.checked_out_at and at > ctx.shift.ends_at
    ]
    context = {
        "ctx": ctx,
        "rows": rows,
        "waiting_page": Page([], number, WAITING_PAGE, waiting_total),
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
    fields = await form_fields(request)
    form = FormReader(fields)
    account_id = record_id(fields.get("account_id"))
    row = f"attendance-{account_id}"

    def act() -> Response:
        checked_in, checked_out = form.moment("checked_in"), form.moment("checked_out")
        form.check("attendance.invalid")
        attendance.mark(
            db(request),
            ctx.shift.id,
            account_id,
            checked_in=checked_in,
            checked_out=checked_out,
            no_show=fields.get("no_show") == "1",
            actor_id=user(request).id,
            now=now(request),
        )
        if htmx.target(request) == row:
            # htmx swaps this person's row alone.
            return volunteer_rows.attendance_row(
                request, ctx, account_id, row_message=N_("Attendance saved.")
            )
        flash(request, N_("Attendance saved."), "success")
        return htmx.redirect(request, f"/lead/shifts/{ctx.shift.id}")

    async def refused(error: DomainError) -> Response:
        if htmx.target(request) == row:
            return volunteer_rows.attendance_row(
                request,
                ctx,
                account_id,
                status=error.status,
                row_error=error.message,
                errors=error.fields,
            )
        return await _shift_page(
            request,
            ctx,
            error.status,
            error=error.message,
            errors=error.fields,
            marked=account_id,
        )

    return await act_or_rerender(request, act, refused)


@requires(Permission.LEAD_TEAMS)
async def move_shift(request: Request) -> Response:
    ctx = _shift_ctx(request)
    fields = await form_fields(request)

    def act() -> Response:
        form = FormReader(fields)
        starts = form.moment("starts_at", required=True)
        ends = form.moment("ends_at", required=True)
        form.check("shift.invalid")
        assert starts is not None and ends is not None
        notified = notices.move_shift(
            db(request), ctx.shift.id, starts, ends, user(request).id, now(request)
        )
        flash(
            request,
            N_("The shift is moved; volunteers will be told by email.")
            if notified
            else N_("The shift is moved."),
            "success",
        )
        return htmx.redirect(request, f"/lead/shifts/{ctx.shift.id}")

    async def refused(error: DomainError) -> Response:
        return await _shift_page(
            request, ctx, error.status, error=error.message, errors=error.fields, form=fields
        )

    return await act_or_rerender(request, act, refused)


@requires(Permission.LEAD_TEAMS)
async def cancel_shift(request: Request) -> Response:
    ctx = _shift_ctx(request)
    notices.cancel_shift(db(request), ctx.shift.id, user(request).id, now(request))
    flash(request, N_("The shift is cancelled; volunteers will be told by email."), "success")
    return htmx.redirect(request, f"/lead/teams/{ctx.team.id}")


@requires(Permission.LEAD_TEAMS)
async def decide_backfill(request: Request) -> Response:
    session = db(request)
    backfill_id = request.path_params["request_id"]
    team = teams.get_team(session, ledger.team_of_backfill(session, backfill_id))
    require_lead(request, team)
    fields = await form_fields(request)
    approve, row = fields.get("decision") == "approve", f"backfill-{backfill_id}"

    def act() -> Response:
        ledger.decide_backfill(session, backfill_id, approve, user(request).id, now(request))
        if htmx.target(request) == row:  # htmx swaps this request's row alone
            return volunteer_rows.backfill_row(request, backfill_id, row_message=N_("Saved."))
        flash(request, N_("Saved."), "success")
        return htmx.redirect(request, f"/lead/teams/{team.id}")

    async def refused(error: DomainError) -> Response:
        if htmx.target(request) != row:
            raise error
        return volunteer_rows.backfill_row(
            request, backfill_id, error.status, row_error=error.message
        )

    return await act_or_rerender(request, act, refused)


routes = [
    Route("/lead/teams/{team_id:int}", team_roster),
    Route("/lead/teams/{team_id:int}/members/{account_id:int}", member_action, methods=["POST"]),
    Route("/lead/teams/{team_id:int}/invite", invite, methods=["POST"]),
    Route("/lead/shifts/{shift_id:int}", shift_roster),
    Route("/lead/shifts/{shift_id:int}/attendance", mark_attendance, methods=["POST"]),
    Route("/lead/shifts/{shift_id:int}/move", move_shift, methods=["POST"]),
    Route("/lead/shifts/{shift_id:int}/cancel", cancel_shift, methods=["POST"]),
    Route("/lead/backfills/{request_id:int}", decide_backfill, methods=["POST"]),
]
