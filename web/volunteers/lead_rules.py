"""Team leaders' settings pages: the team's sign-up rules, and an activity's
details with its overrides of those rules (empty: the team's setting)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.errors import N_, DomainError
from participation.rules.permissions import Permission
from volunteers import activities, team_rules, teams
from volunteers.models import Activity, Team
from volunteers.rules.settings import BOUNDS
from web.kit import htmx
from web.kit.auth import requires, user
from web.kit.client_ip import client_ip
from web.kit.dbsession import db
from web.kit.forms import form_fields
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render
from web.volunteers.shared import RULE_LABELS, require_lead


def _team(request: Request) -> Team:
    team = teams.get_team(db(request), request.path_params["team_id"])
    require_lead(request, team)
    return team


def _activity(request: Request) -> tuple[Activity, Team]:
    session = db(request)
    activity = activities.get_activity(session, request.path_params["activity_id"])
    team = teams.get_team(session, activity.team_id)
    require_lead(request, team)
    return activity, team


def _rules_page(request: Request, team: Team, status: int = 200, **extra: Any) -> Response:
    context = {
        "team": team,
        "values": asdict(teams.rules_of(team)),
        "rule_labels": RULE_LABELS,
        "bounds": BOUNDS,
        "error": None,
        "error_params": {},
    } | extra
    return render(request, "volunteers/office/lead_rules.html", context, status=status)


@requires(Permission.LEAD_TEAMS)
async def team_rules_page(request: Request) -> Response:
    return _rules_page(request, _team(request))


@requires(Permission.LEAD_TEAMS)
async def save_team_rules(request: Request) -> Response:
    team = _team(request)
    fields = await form_fields(request)

    def act() -> Response:
        team_rules.set_team_rules(db(request), team, fields, user(request).id, client_ip(request))
        flash(request, N_("The team's rules are saved."), "success")
        return htmx.redirect(request, f"/lead/teams/{team.id}/rules")

    async def refused(error: DomainError) -> Response:
        return _rules_page(
            request,
            team,
            error.status,
            error=error.message,
            error_params=error.params,
            errors=error.fields,
            form=fields,
        )

    return await act_or_rerender(request, act, refused)


def _activity_page(
    request: Request, activity: Activity, team: Team, status: int = 200, **extra: Any
) -> Response:
    context = {
        "activity": activity,
        "team": team,
        "values": team_rules.overrides_of(activity),
        "team_rules": asdict(teams.rules_of(team)),
        "rule_labels": RULE_LABELS,
        "bounds": BOUNDS,
        "error": None,
    } | extra
    return render(request, "volunteers/office/lead_activity.html", context, status=status)


@requires(Permission.LEAD_TEAMS)
async def activity_page(request: Request) -> Response:
    activity, team = _activity(request)
    return _activity_page(request, activity, team)


@requires(Permission.LEAD_TEAMS)
async def save_activity(request: Request) -> Response:
    activity, team = _activity(request)
    fields = await form_fields(request)

    def act() -> Response:
        team_rules.save_activity(
            db(request),
            activity,
            team,
            title=fields.get("title", ""),
            description=fields.get("description", ""),
            service_content=fields.get("service_content", ""),
            is_public=bool(fields.get("is_public")),
            raw=fields,
            actor_id=user(request).id,
            ip=client_ip(request),
        )
        flash(request, N_("The activity is saved."), "success")
        return htmx.redirect(request, f"/lead/activities/{activity.id}")

    async def refused(error: DomainError) -> Response:
        return _activity_page(
            request,
            activity,
            team,
            error.status,
            error=error.message,
            errors=error.fields,
            form=fields,
        )

    return await act_or_rerender(request, act, refused)


routes = [
    Route("/lead/teams/{team_id:int}/rules", team_rules_page),
    Route("/lead/teams/{team_id:int}/rules", save_team_rules, methods=["POST"]),
    Route("/lead/activities/{activity_id:int}", activity_page),
    Route("/lead/activities/{activity_id:int}", save_activity, methods=["POST"]),
]
