"""The leader's rarer forms, each on its own page so that the roster (visited
often, 25 members a page) does not render them on every visit:

- a new shift (``/lead/teams/<id>/shifts/new``): the form with its area choice
  (a level at a time in a city's subtree) and the activity's sign-up rules. It
  posts to ``/lead/teams/<id>/shifts`` (as before); a refused form comes back here.
- one member (``/lead/teams/<id>/members/<account>``): recording a qualification
  or a guardian's consent. Its forms post to the same address (the roster row's
  actions, web.volunteers.lead.member_action), which comes back here."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.errors import N_, DomainError
from participation.rules.permissions import Permission
from volunteers import activities, team_page, team_rules, teams
from volunteers.models import Team
from volunteers.rules.settings import BOUNDS
from web.kit import htmx
from web.kit.area_choice import area_choice
from web.kit.auth import requires
from web.kit.dbsession import db
from web.kit.forms import FormReader, form_fields
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render
from web.volunteers.rows import member_rows_context
from web.volunteers.shared import QUALIFICATION_LABELS, RULE_LABELS, require_lead

#: The hidden field by which a member page's forms ask to come back to it.
BACK_TO_MEMBER = "member"


def _team(request: Request) -> Team:
    team = teams.get_team(db(request), request.path_params["team_id"])
    require_lead(request, team)
    return team


def _new_shift_page(request: Request, team: Team, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    context = {
        "team": team,
        "activities": activities.activities_of_team(session, team.id),
        # The shift's place: within the team's area, a level at a time when that
        # subtree is a city's (web.kit.area_choice).
        "area_step": area_choice(
            session, request, extra.get("form"), under=teams.area_of(session, team)
        ),
        "qualification_codes": QUALIFICATION_LABELS,
        "team_rules": asdict(teams.rules_of(team)),
        "rule_labels": RULE_LABELS,
        "bounds": BOUNDS,
        "error": None,
    } | extra
    return render(request, "volunteers/office/lead_new_shift.html", context, status=status)


@requires(Permission.LEAD_TEAMS)
async def new_shift_form(request: Request) -> Response:
    return _new_shift_page(request, _team(request))


@requires(Permission.LEAD_TEAMS)
async def new_shift(request: Request) -> Response:
    """Create an activity with its first shift, or add a shift to an activity."""
    team = _team(request)
    session = db(request)
    fields = await form_fields(request)

    def act() -> Response:
        form = FormReader(fields)
        starts = form.moment("starts_at", required=True)
        ends = form.moment("ends_at", required=True)
        capacity = form.number("capacity", high=100_000, default=0) or 0
        area = teams.chosen_area(session, form.record("area_id", required=True))
        if area is None:
            form.problems["area_id"] = N_("Choose a place.")
        activity_id = form.record("activity_id")
        form.check("shift.invalid")
        assert starts is not None and ends is not None and area is not None
        if activity_id:
            activity = activities.get_activity(session, activity_id)
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
        flash(request, N_("The shift is published."), "success")
        return htmx.redirect(request, f"/lead/teams/{team.id}")

    async def refused(error: DomainError) -> Response:
        if error.status == 404:
            raise error
        return _new_shift_page(
            request, team, error.status, error=error.message, errors=error.fields, form=fields
        )

    return await act_or_rerender(request, act, refused)


def member_page(
    request: Request, team: Team, account_id: int, status: int = 200, **extra: Any
) -> Response:
    """One member of the team with the forms for a qualification and a guardian's
    consent (404 for someone not in the team)."""
    entry = team_page.roster_entry(db(request), team.id, account_id)
    context = (
        {"team": team, "r": entry, "qualification_codes": QUALIFICATION_LABELS, "error": None}
        | member_rows_context(team, [entry], teams.rules_of(team))
        | extra
    )
    return render(request, "volunteers/office/lead_member.html", context, status=status)


@requires(Permission.LEAD_TEAMS)
async def member(request: Request) -> Response:
    return member_page(request, _team(request), request.path_params["account_id"])


routes = [
    Route("/lead/teams/{team_id:int}/shifts", new_shift, methods=["POST"]),
    Route("/lead/teams/{team_id:int}/shifts/new", new_shift_form),
    Route("/lead/teams/{team_id:int}/members/{account_id:int}", member),
]
