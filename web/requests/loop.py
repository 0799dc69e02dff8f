"""The loop: staff turn a hotspot into a governance plan item in one step; anyone sees
where the item came from on the hotspot's page (counts only, no personal data)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import find_area
from participation.errors import N_, DomainError
from participation.requests import loop
from participation.requests.rules.catalog import CATEGORIES
from participation.rules.permissions import Permission
from web.kit import htmx
from web.kit.auth import requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import FormReader, form_fields
from web.kit.i18n import translations
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render
from web.requests.forms import LABELS, paths_for

DESCRIPTION = N_("Residents raised this matter here again and again (a hotspot of requests).")
DONE = N_("The hotspot is on the governance plan; its requesters are told.")


@requires(Permission.ROUTE_REQUESTS)
async def to_plan(request: Request) -> Response:
    session = db(request)
    fields = await form_fields(request)

    def act() -> Response:
        form = FormReader(fields)
        area_id = form.record("area_id", required=True)
        category = form.choice("category", CATEGORIES)
        form.check()
        assert area_id is not None and category is not None
        place = find_area(session, area_id)
        zh = translations("zh_CN")
        title = f"{place.name if place else ''}：{zh.gettext(CATEGORIES[category])}"
        action = loop.hotspot_to_plan(
            session,
            area_id,
            category,
            now(request),
            actor_id=user(request).id,
            title=title,
            description=zh.gettext(DESCRIPTION),
            scope=paths_for(user(request), Permission.ROUTE_REQUESTS),
        )
        flash(request, DONE, "success")
        return htmx.redirect(request, f"/requests/hotspots/{action.id}")

    async def page(error: DomainError) -> Response:
        return render(
            request,
            "requests/board/refused.html",
            {"error": error.message, "errors": error.fields},
            status=error.status,
        )

    return await act_or_rerender(request, act, page)


async def hotspot(request: Request) -> Response:
    session = db(request)
    found = loop.get_action(session, request.path_params["action_id"])
    return render(request, "requests/board/hotspot.html", LABELS | loop.shown(session, found))


routes = [
    Route("/admin/requests/hotspots/plan", to_plan, methods=["POST"]),
    Route("/requests/hotspots/{action_id:int}", hotspot),
]
