"""Back office: star-level schemes per area (a district's or city's volunteer
federation sets the hours for each level and the public-notice period)."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import Area, area_tree
from participation.errors import N_, DomainError
from participation.rules.permissions import Permission
from volunteers import stars
from volunteers.rules.stars import DEFAULT_SCHEME
from web.kit import htmx
from web.kit.auth import requires, user
from web.kit.client_ip import client_ip
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import form_fields, record_id
from web.kit.templating import flash, render
from web.volunteers.shared import STAR_LEVEL_NAMES


def _page(request: Request, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    me = user(request)
    context = {
        # Only the areas this person manages volunteers in.
        "areas": [
            n for n in area_tree(session) if me.can(Permission.MANAGE_VOLUNTEERS, n.area.path)
        ],
        "in_force": stars.areas_with_schemes(session, now(request)),
        "history": stars.history(session),
        "default": DEFAULT_SCHEME,
        "level_names": STAR_LEVEL_NAMES,
        "error": None,
    } | extra
    return render(request, "volunteers/office/stars.html", context, status=status)


@requires(Permission.MANAGE_VOLUNTEERS)
async def stars_page(request: Request) -> Response:
    return _page(request)


@requires(Permission.MANAGE_VOLUNTEERS)
async def set_scheme(request: Request) -> Response:
    session = db(request)
    fields = await form_fields(request)
    area = session.get(Area, record_id(fields.get("area_id")))
    if area is None:
        return _page(
            request,
            422,
            error=N_("Please correct the marked fields."),
            errors={"area_id": N_("Choose an area.")},
            form=fields,
        )
    if not user(request).can(Permission.MANAGE_VOLUNTEERS, area.path):
        raise HTTPException(403)
    try:
        stars.set_scheme(
            session,
            area,
            fields.get("hours", ""),
            fields.get("notice_days", ""),
            user(request).id,
            now(request),
            client_ip(request),
        )
    except DomainError as error:
        session.rollback()
        return _page(request, error.status, error=error.message, errors=error.fields, form=fields)
    flash(request, N_("The star levels are saved."), "success")
    return htmx.redirect(request, "/admin/volunteers/stars")


routes = [
    Route("/admin/volunteers/stars", stars_page),
    Route("/admin/volunteers/stars", set_scheme, methods=["POST"]),
]
