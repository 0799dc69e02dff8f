"""Public volunteer pages: teams, shifts with availability, sign-up, cancel,
offers, and the volunteer's own page (my shifts, hours, star level)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.db import READ_ONLY
from participation.errors import N_, DomainError
from volunteers import certificates, ledger, listings, profiles, signups, stars, teams
from volunteers.models import SignUp, Team
from volunteers.rules.hours import settled_by, star_level
from web.kit import htmx
from web.kit.auth import current_user_or_none, user
from web.kit.clock import now
from web.kit.dbsession import db, write_briefly
from web.kit.follow import follow_button
from web.kit.forms import FormReader, form_fields, record_id
from web.kit.pagination import Page, page_number
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render
from web.volunteers.lines import shift_lines, star_levels, team_lines
from web.volunteers.shared import (
    JOIN_MODE_LABELS,
    STAR_LEVEL_NAMES,
    TEAM_KIND_LABELS,
    hours_text,
    labels,
    page_of,
    translated,
)

# The shift page's action panel: the block (and element id) htmx swaps after an action.
SHIFT_PANEL = "signup_panel"
# The team page's block (and element id) for joining and leaving.
MEMBERSHIP_PANEL = "membership"
# Its small block of places and waitlist, polled while sign-up can change.
AVAILABILITY = "availability"

# Teams on one page of /volunteers (a city district has hundreds), and coming shifts
# on one page of /volunteers or of a team's page: what a phone shows, then a pager.
TEAMS_PER_PAGE = 20
SHIFTS_PER_PAGE = 20
# Lines of the hours ledger on one page of /volunteers/me.
LEDGER_PER_PAGE = 50

REMINDER_CHOICES = [
    (60, N_("1 hour before")),
    (120, N_("2 hours before")),
    (24 * 60, N_("1 day before")),
]


async def index(request: Request) -> Response:
    """Coming public shifts and the teams, each paged in SQL (``shifts`` and
    ``page``; each pager keeps the other list's page), and the star levels."""
    session = db(request)
    at = now(request)
    rows, number, total = listings.teams_page(session, page_number(request), TEAMS_PER_PAGE)
    upcoming, shifts_number, shifts_total = listings.coming_shifts(
        session, page_of(request, "shifts"), SHIFTS_PER_PAGE, at, public_only=True
    )
    return render(
        request,
        "volunteers/index.html",
        {
            # The kinds and joining modes are translated once for the whole list.
            "team_lines": team_lines(
                rows, translated(TEAM_KIND_LABELS), translated(JOIN_MODE_LABELS)
            ),
            "page": Page(rows, number, TEAMS_PER_PAGE, total),
            "shift_lines": shift_lines(upcoming),
            "shifts_page": Page(upcoming, shifts_number, SHIFTS_PER_PAGE, shifts_total),
            "shifts_base": "/volunteers?" + (f"page={number}&" if number > 1 else ""),
            "star_levels": star_levels(request, listings.schemes_in_force(session, at)),
        },
    )


async def team_page(request: Request, *, status: int = 200, **extra: Any) -> Response:
    """A team's public page: its facts (members counted, leaders named, in two
    statements however large the team) and its coming shifts, paged."""
    session = db(request)
    me = current_user_or_none(request)
    view = listings.team_view(session, request.path_params["team_id"], me.id if me else None)
    team, mine = view.team, view.mine
    shifts, shifts_number, shifts_total = listings.coming_shifts(
        session, page_of(request, "shifts"), SHIFTS_PER_PAGE, now(request), team_id=team.id
    )
    context = {
        "team": team,
        "area_name": view.area_name,
        "follow": follow_button(request, "team", team.id),
        "mine": mine,
        "leaders": view.leaders,
        "member_count": view.member_count,
        "shift_lines": shift_lines(shifts),
        "shifts_page": Page(shifts, shifts_number, SHIFTS_PER_PAGE, shifts_total),
        "shifts_base": f"/volunteers/teams/{team.id}?",
        "can_lead": bool(mine and mine.status == "active" and mine.role == "leader"),
        "L": labels(),
        "error": None,
        "flash_message": "",
    } | extra
    return render(request, "volunteers/team.html", context, status=status)


async def join_team(request: Request) -> Response:
    def join(team: Team, account_id: int) -> str:
        m = teams.join(db(request), team, account_id)
        if m.status == "active":
            return N_("Welcome to the team.")
        return N_("Your request was sent to the team's leaders.")

    return await _membership_act(request, join)


async def leave_team(request: Request) -> Response:
    def leave(team: Team, account_id: int) -> str:
        teams.leave(db(request), team, account_id)
        return N_("You have left the team.")

    return await _membership_act(request, leave)


async def _membership_act(request: Request, action: Callable[[Team, int], str]) -> Response:
    """Join or leave; a refusal re-renders the team page (or, for htmx, the
    membership block) with its message and status."""
    me = user(request)
    team = teams.get_team(db(request), request.path_params["team_id"])

    async def act() -> Response:
        message = action(team, me.id)
        if htmx.target(request) == MEMBERSHIP_PANEL:
            return await team_page(request, flash_message=message)
        flash(request, message, "success")
        return htmx.redirect(request, f"/volunteers/teams/{team.id}")

    async def refused(error: DomainError) -> Response:
        return await team_page(request, status=error.status, error=error.message)

    return await act_or_rerender(request, act, refused)


async def _shift_page(
    request: Request, shift_id: int, *, status: int = 200, **extra: Any
) -> Response:
    me = current_user_or_none(request)
    view = listings.shift_view(db(request), shift_id, me.id if me else None)
    shift, mine, position = view.shift, view.mine, view.position
    context = {
        "shift": shift,
        "activity": view.activity,
        "team": view.team,
        "area_name": view.area_name,
        "mine": mine,
        "position": position,
        "free": max(0, shift.capacity - shift.confirmed),
        "waiting": view.waiting,
        "started": now(request) >= shift.starts_at,
        "rules": teams.rules_of(view.team, view.activity),
        "L": labels(),
        "error": None,
        "error_params": {},
        "flash_message": "",
        "seen": _seen(mine, position),
    } | extra
    seen = request.query_params.get("seen", context["seen"])
    if htmx.target(request) == AVAILABILITY and seen != context["seen"]:
        # The poller's own place changed meanwhile (promoted, offered, moved up the
        # waitlist): the poll brings the whole action panel, not just the counts.
        response = render(request, "volunteers/shift.html", context, block=SHIFT_PANEL)
        return htmx.retarget(response, SHIFT_PANEL)
    return render(request, "volunteers/shift.html", context, status=status)


def _seen(mine: SignUp | None, position: int | None) -> str:
    """The viewer's place as the page shows it; the availability poll sends it back."""
    return f"{mine.status}:{position or ''}" if mine else ""


async def shift_page(request: Request) -> Response:
    return await _shift_page(request, request.path_params["shift_id"])


async def _act(request: Request, action: str) -> Response:
    me = user(request)
    session = db(request)
    shift_id = request.path_params["shift_id"]
    fields = await form_fields(request)

    async def act() -> Response:
        if action == "signup":
            # Checks first without the write lock, then a short locked write.
            at = now(request)
            prepared = signups.prepare_signup(session, shift_id, me.id, at)
            row = write_briefly(request, lambda s: signups.record_signup(s, prepared, at))
            message = (
                N_("You are signed up. See you there!")
                if row.status == "confirmed"
                else N_(
                    "The shift is full: you are on the waitlist and move up when a place frees."
                )
            )
        elif action == "cancel":
            signups.cancel(session, shift_id, me.id, now(request), fields.get("reason", ""))
            message = N_("Your sign-up is cancelled.")
        else:
            signups.accept_offer(session, shift_id, me.id, now(request))
            message = N_("You have taken the place. See you there!")
        if htmx.target(request) == SHIFT_PANEL:
            # htmx swaps the action panel in place: answer with the fresh block.
            if not session.in_transaction():  # the sign-up's write is committed
                session.connection(execution_options={READ_ONLY: True})
            return await _shift_page(request, shift_id, flash_message=message)
        flash(request, message, "success")
        return htmx.redirect(request, f"/volunteers/shifts/{shift_id}")

    async def refused(error: DomainError) -> Response:
        if error.status == 404 and error.code == "shift.not_found":
            raise error
        # Re-render outside the write lock: after the rollback the next transaction
        # would otherwise begin as a write (BEGIN IMMEDIATE on SQLite).
        session.connection(execution_options={READ_ONLY: True})
        return await _shift_page(
            request,
            shift_id,
            status=error.status,
            error=error.message,
            error_params=error.params,
            errors=error.fields,
            form=fields,
        )

    return await act_or_rerender(request, act, refused)


async def sign_up(request: Request) -> Response:
    return await _act(request, "signup")


async def cancel(request: Request) -> Response:
    return await _act(request, "cancel")


async def accept(request: Request) -> Response:
    return await _act(request, "accept")


async def my_page(request: Request) -> Response:
    return await _my_page(request)


async def _my_page(request: Request, status: int = 200, **extra: Any) -> Response:
    me = user(request)
    session = db(request)
    at = now(request)
    rows = signups.shifts_of_volunteer(session, me.id, limit=100)
    upcoming = [r for r in rows if r[1].ends_at > at and r[0].status in signups.LIVE]
    positions = signups.waitlist_positions(session, [r[0] for r in upcoming])
    applied = stars.scheme_for_volunteer(session, me.id, at)
    scheme = applied.scheme
    entries, number, count = ledger.entries_page(
        session, me.id, page_number(request), LEDGER_PER_PAGE
    )
    total, settled = ledger.balances(session, me.id, settled_by(at, scheme.notice_days))
    profile = profiles.profile_of(session, me.id)
    memberships = teams.memberships_of(session, me.id)
    return render(
        request,
        "volunteers/me.html",
        {
            "upcoming": upcoming,
            "positions": positions,
            "past": [r for r in rows if r[1].ends_at <= at],
            "entries": entries,
            "ledger_page": Page(entries, number, LEDGER_PER_PAGE, count),
            "total": total,
            "total_text": hours_text(total),
            "stars": star_level(settled, scheme.hours),
            "stars_reached": star_level(total, scheme.hours),
            "scheme": scheme,
            "scheme_area": applied.area,
            "level_names": STAR_LEVEL_NAMES,
            "profile": profile,
            "memberships": memberships,
            "certificates": certificates.certificates_of(session, me.id),
            "L": labels(),
            "hours_text": hours_text,
            "reminder_choices": REMINDER_CHOICES,
            "error": None,
        }
        | extra,
        status=status,
    )


async def request_backfill(request: Request) -> Response:
    me = user(request)
    session = db(request)
    fields = await form_fields(request)
    signup = signups.own_signup_by_id(session, record_id(fields.get("signup_id")), me.id)
    form = FormReader(fields)
    minutes = form.number("minutes", high=1_000_000, required=True)
    form.check("backfill.invalid")
    assert minutes is not None
    ledger.request_backfill(session, signup, minutes, fields.get("reason", ""), me.id, now(request))
    flash(request, N_("Your request was sent to the team's leaders for approval."), "success")
    return htmx.redirect(request, "/volunteers/me")


async def save_settings(request: Request) -> Response:
    """The volunteer's email for reminders and notices, and the reminder lead time."""
    me = user(request)
    fields = await form_fields(request)

    def act() -> Response:
        form = FormReader(fields)
        email = form.text("email", max_length=255)
        if (email and "@" not in email.strip("@")) or "email" in form.problems:
            form.problems["email"] = N_(
                "Enter an email address, or leave it empty for no reminders."
            )
        reminder = form.number("reminder_minutes", low=15, high=7 * 24 * 60, required=True)
        if reminder is None:
            form.problems["reminder_minutes"] = N_("Choose when to be reminded.")
        form.check("profile.invalid")
        assert reminder is not None
        profiles.set_reminders(db(request), me.id, email or None, reminder)
        flash(request, N_("Saved."), "success")
        return htmx.redirect(request, "/volunteers/me")

    async def refused(error: DomainError) -> Response:
        return await _my_page(
            request, error.status, error=error.message, errors=error.fields, form=fields
        )

    return await act_or_rerender(request, act, refused)


routes = [
    Route("/volunteers", index),
    Route("/volunteers/me", my_page),
    Route("/volunteers/me/backfill", request_backfill, methods=["POST"]),
    Route("/volunteers/me/settings", save_settings, methods=["POST"]),
    Route("/volunteers/teams/{team_id:int}", team_page),
    Route("/volunteers/teams/{team_id:int}/join", join_team, methods=["POST"]),
    Route("/volunteers/teams/{team_id:int}/leave", leave_team, methods=["POST"]),
    Route("/volunteers/shifts/{shift_id:int}", shift_page),
    Route("/volunteers/shifts/{shift_id:int}/signup", sign_up, methods=["POST"]),
    Route("/volunteers/shifts/{shift_id:int}/cancel", cancel, methods=["POST"]),
    Route("/volunteers/shifts/{shift_id:int}/accept", accept, methods=["POST"]),
]
