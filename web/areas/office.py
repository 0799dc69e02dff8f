"""The back office of the area tree: /admin/areas (list, add, rename, import)."""

from __future__ import annotations

from dataclasses import replace

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.area_import import import_areas_csv
from participation.areas import add_area, get_area, rename_area
from participation.errors import N_, DomainError
from participation.rules.areas import AreaKind
from participation.rules.permissions import Permission
from web.kit import htmx
from web.kit.area_choice import area_choice
from web.kit.auth import requires, user
from web.kit.client_ip import client_ip
from web.kit.dbsession import db
from web.kit.forms import FormReader, form_fields, upload
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render


async def _areas_page(request: Request, status: int = 200, **extra: object) -> Response:
    # A city's tree (~5,500 areas) is shown and chosen from a level at a time
    # (web.kit.area_choice): the chain reached and the next level, never every area.
    step = area_choice(db(request), request, extra.get("form"), field="parent_id")
    parents = replace(step, options=[n for n in step.options if n.area.kind != AreaKind.GRID.value])
    return render(
        request,
        "areas/office/list.html",
        {"nodes": step.options, "parent_step": parents, "kinds": list(AreaKind)} | extra,
        status=status,
    )


@requires(Permission.MANAGE_AREAS)
async def areas(request: Request) -> Response:
    if request.method == "GET":
        return await _areas_page(request)
    fields = await form_fields(request)
    session = db(request)

    def act() -> Response:
        reader = FormReader(fields)
        parent_id = reader.record("parent_id")
        kind = reader.choice("kind", [k.value for k in AreaKind])
        reader.check("area.form")
        assert kind is not None
        add_area(
            session,
            code=fields.get("code", ""),
            name=fields.get("name", ""),
            kind=AreaKind(kind),
            parent=get_area(session, parent_id) if parent_id else None,
            actor_id=user(request).id,
            ip=client_ip(request),
        )
        flash(request, "The area has been created.", "success")
        return htmx.redirect(request, "/admin/areas")

    async def again(error: DomainError) -> Response:
        return await _areas_page(request, form=fields, errors=error.fields, error=error.message)

    return await act_or_rerender(request, act, again)


@requires(Permission.MANAGE_AREAS)
async def rename(request: Request) -> Response:
    session = db(request)
    area = get_area(session, request.path_params["area_id"])
    fields = await form_fields(request)

    def act() -> Response:
        rename_area(
            session, area, fields.get("name", ""), actor_id=user(request).id, ip=client_ip(request)
        )
        flash(request, "The area has been renamed.", "success")
        return htmx.redirect(request, "/admin/areas")

    async def again(error: DomainError) -> Response:
        return await _areas_page(request, error=error.message)

    return await act_or_rerender(request, act, again)


@requires(Permission.MANAGE_AREAS)
async def import_areas(request: Request) -> Response:
    file = await upload(request, "file")
    if file is None:
        return await _areas_page(request, 422, error=N_("Choose a CSV file to import."))
    data = await file.read()

    async def act() -> Response:
        result = import_areas_csv(
            db(request),
            data,
            filename=file.filename or "",
            actor_id=user(request).id,
            ip=client_ip(request),
        )
        if result.errors:
            return await _areas_page(
                request,
                422,
                import_errors=result.errors,
                error=N_("Nothing was imported: correct these rows and try again."),
            )
        flash(request, "The areas have been imported.", "success")
        return htmx.redirect(request, "/admin/areas")

    async def again(error: DomainError) -> Response:
        return await _areas_page(request, error=error.message)

    return await act_or_rerender(request, act, again)


routes = [
    Route("/admin/areas", areas, methods=["GET", "POST"]),
    Route("/admin/areas/import", import_areas, methods=["POST"]),
    Route("/admin/areas/{area_id:int}/rename", rename, methods=["POST"]),
]
