"""The routing table in the back office: category × area × scale → unit, and the
mediation bodies a rule can name."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import get_area
from participation.errors import DomainError
from participation.requests import places, routing, units
from participation.requests.rules.routing import ANY_SCALE
from participation.rules.permissions import Permission
from web.kit import htmx
from web.kit.area_choice import area_choice
from web.kit.auth import authorize, requires, user
from web.kit.dbsession import db
from web.kit.forms import FormReader, form_fields
from web.kit.pagination import Page, page_number
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render
from web.requests.forms import LABELS, pager_base

#: Rules shown per page of the routing table.
RULES_PER_PAGE = 50


async def _page(request: Request, status: int = 200, **extra: object) -> Response:
    session = db(request)
    me = user(request)
    number = page_number(request)
    total = routing.rule_count(session)
    number = min(number, max(1, -(-total // RULES_PER_PAGE)))
    page = Page(
        routing.rules(session, offset=(number - 1) * RULES_PER_PAGE, limit=RULES_PER_PAGE),
        number,
        RULES_PER_PAGE,
        total,
    )
    step = area_choice(
        session,
        request,
        extra.get("form"),
        allowed=lambda a: me.can(Permission.ROUTE_REQUESTS, a.path),
    )
    near = None if step.flat else [a.id for a in [*step.chain, *step.children]]
    context = LABELS | {
        "page": page,
        "pager_base": pager_base(request),
        "rules": page.items,
        "area_step": step,
        "departments": places.fixed_unit_choices(session, near),
        "any_scale": ANY_SCALE,
    }
    return render(request, "requests/office/routing.html", context | extra, status=status)


@requires(Permission.ROUTE_REQUESTS)
async def table(request: Request) -> Response:
    return await _page(request)


@requires(Permission.ROUTE_REQUESTS)
async def add_rule(request: Request) -> Response:
    session = db(request)
    fields = await form_fields(request)

    def act() -> Response:
        form = FormReader(fields)
        area_id = form.record("area_id", required=True)
        form.check()
        area = get_area(session, area_id or 0)
        authorize(request, Permission.ROUTE_REQUESTS, area.path)
        target = fields.get("target", "")
        kind, unit_id = target, None
        if ":" in target:  # a fixed unit: a department or a mediation body
            unit = units.resolve(session, target, "target")
            kind, unit_id = unit.kind, unit.id
        routing.add_rule(
            session,
            routing.NewRule(
                category=fields.get("category", ""),
                area_id=area.id,
                scale=fields.get("scale", ""),
                target_kind=kind,
                unit_id=unit_id,
            ),
            user(request).id,
        )
        flash(request, "The routing rule is added.", "success")
        return htmx.redirect(request, "/admin/requests/routing")

    async def page(error: DomainError) -> Response:
        return await _page(
            request, error.status, form=fields, errors=error.fields, error=error.message
        )

    return await act_or_rerender(request, act, page)


@requires(Permission.ROUTE_REQUESTS)
async def remove_rule(request: Request) -> Response:
    session = db(request)
    rule_id = request.path_params["rule_id"]
    view = routing.rule_view(session, rule_id)
    if view is not None:
        authorize(request, Permission.ROUTE_REQUESTS, view.area.path)
    routing.remove_rule(session, rule_id, user(request).id)
    flash(request, "The routing rule is removed.", "success")
    return htmx.redirect(request, "/admin/requests/routing")


@requires(Permission.ROUTE_REQUESTS)
async def add_mediation_body(request: Request) -> Response:
    session = db(request)
    fields = await form_fields(request)

    def act() -> Response:
        form = FormReader(fields)
        area_id = form.record("body_area_id", required=True)
        form.check()
        area = get_area(session, area_id or 0)
        authorize(request, Permission.ROUTE_REQUESTS, area.path)
        units.add_mediation_body(session, area, fields.get("name", ""), user(request).id)
        flash(request, "The mediation body is added.", "success")
        return htmx.redirect(request, "/admin/requests/routing")

    async def page(error: DomainError) -> Response:
        return await _page(
            request, error.status, form=fields, errors=error.fields, error=error.message
        )

    return await act_or_rerender(request, act, page)


routes = [
    Route("/admin/requests/routing", table),
    Route("/admin/requests/routing", add_rule, methods=["POST"]),
    Route("/admin/requests/routing/{rule_id:int}/delete", remove_rule, methods=["POST"]),
    Route("/admin/requests/units", add_mediation_body, methods=["POST"]),
]
