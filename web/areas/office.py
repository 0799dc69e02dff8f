"""The back office of the area tree: /admin/areas (list, add, rename, import)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.area_import import import_areas_csv
from participation.areas import area_tree, create_area, get_area, rename_area
from participation.errors import N_, DomainError
from participation.rules.areas import AreaKind
from participation.rules.permissions import Permission
from web.kit import htmx
from web.kit.audit_log import log_action
from web.kit.auth import requires
from web.kit.dbsession import db
from web.kit.forms import form_fields, record_id, upload
from web.kit.templating import flash, render


async def _areas_page(request: Request, status: int = 200, **extra: object) -> Response:
    return render(
        request,
        "areas/office/list.html",
        {"nodes": area_tree(db(request)), "kinds": list(AreaKind)} | extra,
        status=status,
    )


@requires(Permission.MANAGE_AREAS)
async def areas(request: Request) -> Response:
    if request.method == "GET":
        return await _areas_page(request)
    fields = await form_fields(request)
    session = db(request)
    try:
        parent_id = fields.get("parent_id")
        parent = get_area(session, record_id(parent_id)) if parent_id else None
        kind = AreaKind(fields.get("kind", ""))
        area = create_area(
            session,
            code=fields.get("code", ""),
            name=fields.get("name", ""),
            kind=kind,
            parent=parent,
        )
    except (DomainError, ValueError) as error:
        message = error.message if isinstance(error, DomainError) else N_("Choose a valid kind.")
        return await _areas_page(request, 422, form=fields, error=message)
    log_action(request, "area.create", f"area:{area.id}", code=area.code, name=area.name)
    flash(request, "The area has been created.", "success")
    return htmx.redirect(request, "/admin/areas")


@requires(Permission.MANAGE_AREAS)
async def rename(request: Request) -> Response:
    session = db(request)
    area = get_area(session, request.path_params["area_id"])
    fields = await form_fields(request)
    old = area.name
    try:
        rename_area(session, area, fields.get("name", ""))
    except DomainError as error:
        return await _areas_page(request, 422, error=error.message)
    log_action(request, "area.rename", f"area:{area.id}", old=old, new=area.name)
    flash(request, "The area has been renamed.", "success")
    return htmx.redirect(request, "/admin/areas")


@requires(Permission.MANAGE_AREAS)
async def import_areas(request: Request) -> Response:
    file = await upload(request, "file")
    if file is None:
        return await _areas_page(request, 422, error=N_("Choose a CSV file to import."))
    session = db(request)
    try:
        result = import_areas_csv(session, await file.read())
    except DomainError as error:
        return await _areas_page(request, 422, error=error.message)
    if result.errors:
        return await _areas_page(
            request,
            422,
            import_errors=result.errors,
            error=N_("Nothing was imported: correct these rows and try again."),
        )
    log_action(request, "area.import", file.filename or "", created=result.created)
    flash(request, "The areas have been imported.", "success")
    return htmx.redirect(request, "/admin/areas")


routes = [
    Route("/admin/areas", areas, methods=["GET", "POST"]),
    Route("/admin/areas/import", import_areas, methods=["POST"]),
    Route("/admin/areas/{area_id:int}/rename", rename, methods=["POST"]),
]
