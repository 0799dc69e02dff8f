"""Panel review (大众评审) pages: set-up by the organization, scoring by members, and a
public live tally that htmx refreshes (the page works, unrefreshed, without it)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations.evaluations import panels
from consultations.evaluations.models import Panel
from participation.areas import get_area
from participation.errors import N_, DomainError
from participation.organizations.registry import get_org, require_member
from participation.rules.permissions import Permission
from web.evaluations.office import manage_page
from web.kit import htmx
from web.kit.auth import current_user_or_none, requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import form_fields, record_id, whole_number
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render

TRACKS = {"expert": N_("Expert track"), "public": N_("Public track")}
PANEL_STATUSES = {
    "draft": N_("Being prepared"),
    "scoring": N_("Scoring open"),
    "closed": N_("Scoring closed"),
}


def _labels() -> dict[str, Any]:
    return {"tracks": TRACKS, "statuses": PANEL_STATUSES}


@requires(Permission.MANAGE_EVALUATIONS)
async def create(request: Request) -> Response:
    session = db(request)
    fields = await form_fields(request)

    def act() -> Response:
        org = get_org(session, record_id(fields.get("org_id")))
        panel = panels.create_panel(
            session,
            org,
            title=fields.get("panel_title", ""),
            area_id=record_id(fields.get("panel_area_id")),
            expert_weight=fields.get("expert_weight", ""),
            description=fields.get("panel_description", ""),
            actor_id=user(request).id,
        )
        return htmx.redirect(request, f"/panels/{panel.id}/manage")

    async def page(error: DomainError) -> Response:
        return await manage_page(
            request, status=error.status, form=fields, errors=error.fields, error=error.message
        )

    return await act_or_rerender(request, act, page)


def _managed_panel(request: Request) -> Panel:
    session = db(request)
    panel = panels.get_panel(session, request.path_params["panel_id"])
    require_member(session, get_org(session, panel.org_id), user(request).id)
    return panel


async def _manage_page(request: Request, panel: Panel, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    context = {
        "panel": panel,
        "projects": panels.projects_of(session, panel.id),
        "members": panels.member_names(session, panel.id),
        "L": _labels(),
    } | extra
    return render(request, "evaluations/office/panel.html", context, status=status)


@requires(Permission.MANAGE_EVALUATIONS)
async def manage(request: Request) -> Response:
    return await _manage_page(request, _managed_panel(request))


@requires(Permission.MANAGE_EVALUATIONS)
async def manage_action(request: Request) -> Response:
    session = db(request)
    panel = _managed_panel(request)
    fields = await form_fields(request)
    action = fields.get("action", "")
    actor = user(request).id

    def act() -> Response:
        if action == "project":
            raw_item = fields.get("plan_item_id", "").strip().lstrip("#")
            if raw_item and not record_id(raw_item):
                message = N_("Give the plan item's number, or leave it empty.")
                raise DomainError("panel.plan_item", message, fields={"plan_item_id": message})
            panels.add_project(
                session,
                panel,
                fields.get("project_title", ""),
                fields.get("owner", ""),
                actor,
                plan_item_id=record_id(raw_item) or None,
            )
        elif action == "member":
            panels.add_panel_member(
                session, panel, fields.get("login", ""), fields.get("track", ""), actor
            )
        elif action == "draw":
            panels.draw(session, panel, actor, now(request))
        elif action == "open":
            panels.open_scoring(session, panel, actor)
        elif action == "close":
            panels.close_scoring(session, panel, actor, now(request))
        else:
            raise DomainError("panel.action", N_("Unknown action."), status=400)
        return htmx.redirect(request, f"/panels/{panel.id}/manage")

    async def page(error: DomainError) -> Response:
        return await _manage_page(
            request,
            _managed_panel(request),
            status=error.status,
            form=fields,
            errors=error.fields,
            error=error.message,
        )

    return await act_or_rerender(request, act, page)


async def public_page(request: Request) -> Response:
    session = db(request)
    panel = panels.get_panel(session, request.path_params["panel_id"])
    if panel.draw_seed is None:
        raise DomainError("panel.not_found", N_("No such panel review."), status=404)
    me = current_user_or_none(request)
    is_member = me is not None and panels.is_member(session, panel.id, me.id)
    context = {
        "panel": panel,
        "org": get_org(session, panel.org_id),
        "area": get_area(session, panel.area_id),
        "tally": panels.panel_tally(session, panel),
        "projects": panels.projects_of(session, panel.id),
        "is_member": is_member,
        "L": _labels(),
    }
    return render(request, "evaluations/panel.html", context)


async def _score_page(request: Request, panel: Panel, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    member = panels.member_of(session, panel, user(request).id)
    scores, recused = panels.my_marks(session, member)
    context = {
        "panel": panel,
        "member": member,
        "projects": panels.projects_of(session, panel.id),
        "scores": scores,
        "recused": recused,
        "L": _labels(),
    } | extra
    return render(request, "evaluations/panel_score.html", context, status=status)


@requires(Permission.USE_ACCOUNT)
async def score_page(request: Request) -> Response:
    return await _score_page(
        request, panels.get_panel(db(request), request.path_params["panel_id"])
    )


@requires(Permission.USE_ACCOUNT)
async def score(request: Request) -> Response:
    session = db(request)
    panel = panels.get_panel(session, request.path_params["panel_id"])
    member = panels.member_of(session, panel, user(request).id)
    fields = await form_fields(request)
    project_id = record_id(fields.get("project"))

    def act() -> Response:
        if fields.get("action") == "recuse":
            panels.recuse(session, panel, member, project_id, fields.get("reason", ""))
        else:
            score = whole_number(fields.get(f"score_{project_id}"), high=100)
            panels.score_project(session, panel, member, project_id, score)
        flash(request, N_("Recorded."), "success")
        return htmx.redirect(request, f"/panels/{panel.id}/score")

    async def page(error: DomainError) -> Response:
        return await _score_page(
            request,
            panels.get_panel(session, panel.id),
            status=error.status,
            form=fields,
            errors=error.fields,
            error=error.message,
        )

    return await act_or_rerender(request, act, page)


routes = [
    Route("/panels", create, methods=["POST"]),
    Route("/panels/{panel_id:int}", public_page),
    Route("/panels/{panel_id:int}/manage", manage),
    Route("/panels/{panel_id:int}/manage", manage_action, methods=["POST"]),
    Route("/panels/{panel_id:int}/score", score_page),
    Route("/panels/{panel_id:int}/score", score, methods=["POST"]),
]
