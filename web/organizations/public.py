"""Registering a social organization and adding its members: /organizations."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.errors import N_, DomainError
from participation.organizations.registry import (
    add_member,
    get_org,
    register_organization,
)
from participation.rules.permissions import Permission
from web.evaluations.labels import labels
from web.evaluations.office import manage_page
from web.kit import htmx
from web.kit.area_choice import area_choice
from web.kit.auth import requires, user
from web.kit.dbsession import db
from web.kit.forms import form_fields, record_id
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render


async def _register_form(request: Request, status: int = 200, **extra: Any) -> Response:
    step = area_choice(db(request), request, extra.get("form"))
    context = {"area_step": step, "L": labels()} | extra
    return render(request, "organizations/register.html", context, status=status)


@requires(Permission.USE_ACCOUNT)
async def register_page(request: Request) -> Response:
    return await _register_form(request)


@requires(Permission.USE_ACCOUNT)
async def register(request: Request) -> Response:
    fields = await form_fields(request)

    def act() -> Response:
        org = register_organization(
            db(request),
            name=fields.get("name", ""),
            credit_code=fields.get("credit_code", ""),
            area_id=record_id(fields.get("area_id", "")),
            description=fields.get("description", ""),
            account_id=user(request).id,
        )
        flash(
            request,
            N_("Registered. Staff will verify the organization; you can then build evaluations."),
            "success",
        )
        return htmx.redirect(request, f"/evaluations/manage?registered={org.id}")

    async def again(error: DomainError) -> Response:
        return await _register_form(
            request, status=error.status, form=fields, errors=error.fields, error=error.message
        )

    return await act_or_rerender(request, act, again)


@requires(Permission.MANAGE_EVALUATIONS)
async def add_org_member(request: Request) -> Response:
    session = db(request)
    fields = await form_fields(request)
    org = get_org(session, request.path_params["org_id"])

    def act() -> Response:
        add_member(
            session,
            org,
            login=fields.get("login", ""),
            role=fields.get("role", ""),
            actor_id=user(request).id,
        )
        flash(request, N_("Member added."), "success")
        return htmx.redirect(request, "/evaluations/manage")

    async def again(error: DomainError) -> Response:
        return await manage_page(
            request, status=error.status, member_errors={org.id: error.message}
        )

    return await act_or_rerender(request, act, again)


routes = [
    Route("/organizations/new", register_page),
    Route("/organizations/new", register, methods=["POST"]),
    Route("/organizations/{org_id:int}/members", add_org_member, methods=["POST"]),
]
