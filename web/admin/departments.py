"""Back office: departments (责任单位) as records — list, create, edit (rename, place,
mailbox), merge two into one, and match names still carried as unmatched text.

Plan staff manage the departments of their area and below; departments not yet
placed in an area are managed by those whose grant covers everywhere."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation import departments
from participation.areas import areas_by_id, find_area
from participation.departments import Department, DepartmentFields
from participation.errors import N_, DomainError
from participation.rules.permissions import Permission
from web.kit import htmx
from web.kit.area_choice import area_choice
from web.kit.auth import authorize, requires, user
from web.kit.dbsession import db
from web.kit.forms import FormReader, form_fields, whole_number
from web.kit.pagination import MAX_PAGE, Page, page_number
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render

# The root of every path: only a grant that covers everywhere covers it.
EVERYWHERE = "/"


def _area_path(request: Request, area_id: int | None) -> str:
    area = find_area(db(request), area_id) if area_id is not None else None
    return area.path if area else EVERYWHERE


def _authorize_for(request: Request, area_id: int | None) -> None:
    """Plan staff of the department's area (everywhere, for an unplaced one)."""
    authorize(request, Permission.MANAGE_PLAN, _area_path(request, area_id))


def _fields(form: dict[str, str]) -> DepartmentFields:
    return DepartmentFields(
        name=form.get("name", ""),
        short_name=form.get("short_name", ""),
        area_id=FormReader(form).record("area_id"),
        email=form.get("email", ""),
    )


#: Departments and unmatched names a page (a city has thousands of each).
PER_PAGE = 50


def _kept(request: Request, drop: str) -> str:
    """This page's address with its query but ``drop``, ready for ``drop=N``."""
    kept = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != drop])
    return f"/admin/departments?{kept}&" if kept else "/admin/departments?"


async def _page(request: Request, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    me = user(request)
    search = request.query_params.get("q", "").strip()[:120]
    rows, total, number = departments.page_of_departments(
        session, search=search, page=page_number(request), per_page=PER_PAGE
    )
    names = whole_number(request.query_params.get("names"), low=1, high=MAX_PAGE) or 1
    unmatched, unmatched_total, names = departments.page_of_unmatched_names(
        session, page=names, per_page=PER_PAGE
    )
    # The departments' own areas only (a city has ~5,500), and one step of the tree
    # to choose an area from (web.kit.area_choice).
    areas = areas_by_id(session, (d.area_id for d in rows))
    step = area_choice(
        session,
        request,
        extra.get("form"),
        allowed=lambda a: me.can(Permission.MANAGE_PLAN, a.path),
    )
    may_edit = {
        d.id: me.can(
            Permission.MANAGE_PLAN,
            areas[d.area_id].path if d.area_id in areas else EVERYWHERE,
        )
        for d in rows
    }
    context = {
        "departments": rows,
        "page": Page(rows, number, PER_PAGE, total),
        "pager_base": _kept(request, "page"),
        "search": search,
        "area_names": {i: a.name for i, a in areas.items()},
        "may_edit": may_edit,
        "editable": [d for d in rows if may_edit[d.id]],
        "area_step": step,
        "areas": step.options,
        "unmatched": unmatched,
        "names_page": Page(unmatched, names, PER_PAGE, unmatched_total),
        "names_base": _kept(request, "names"),
        "form": {},
        "errors": {},
        "error": None,
    } | extra
    return render(request, "admin/office/departments.html", context, status=status)


@requires(Permission.MANAGE_PLAN)
async def department_list(request: Request) -> Response:
    return await _page(request)


@requires(Permission.MANAGE_PLAN)
async def create(request: Request) -> Response:
    form = await form_fields(request)
    new = _fields(form)
    _authorize_for(request, new.area_id)

    def act() -> Response:
        departments.create(db(request), new, actor_id=user(request).id)
        flash(request, N_("The department has been added."), "success")
        return htmx.redirect(request, "/admin/departments")

    async def again(error: DomainError) -> Response:
        return await _page(request, 422, form=form, errors=error.fields, error=error.message)

    return await act_or_rerender(request, act, again)


@requires(Permission.MANAGE_PLAN)
async def edit(request: Request) -> Response:
    session = db(request)
    department = departments.get_department(session, request.path_params["department_id"])
    _authorize_for(request, department.area_id)
    form = await form_fields(request)
    new = _fields(form)
    if new.area_id != department.area_id:
        _authorize_for(request, new.area_id)

    def act() -> Response:
        departments.rename(session, department, new, actor_id=user(request).id)
        flash(request, N_("The department has been saved."), "success")
        return htmx.redirect(request, "/admin/departments")

    async def again(error: DomainError) -> Response:
        return await _page(
            request,
            422,
            edit_form=form,
            edit_id=request.path_params["department_id"],
            errors=error.fields,
            error=error.message,
        )

    return await act_or_rerender(request, act, again)


def _chosen(request: Request, form: dict[str, str], field: str) -> Department:
    number = FormReader(form).record(field)
    found = departments.find_department(db(request), number) if number is not None else None
    if found is None:
        message = N_("Choose a department.")
        raise DomainError("department.choose", message, fields={field: message})
    return found


@requires(Permission.MANAGE_PLAN)
async def merge(request: Request) -> Response:
    """Fold one department into another (e.g. 住建局 into 东湖区住房和城乡建设局)."""
    session = db(request)
    form = await form_fields(request)

    def act() -> Response:
        source = _chosen(request, form, "source_id")
        target = _chosen(request, form, "target_id")
        _authorize_for(request, source.area_id)
        _authorize_for(request, target.area_id)
        departments.merge(session, source, target, actor_id=user(request).id)
        flash(request, N_("The records now name one department."), "success")
        return htmx.redirect(request, "/admin/departments")

    async def again(error: DomainError) -> Response:
        return await _page(request, 422, merge_form=form, errors=error.fields, error=error.message)

    return await act_or_rerender(request, act, again)


@requires(Permission.MANAGE_PLAN)
async def adopt(request: Request) -> Response:
    """Assign the rows that carry an unmatched name to a department record."""
    session = db(request)
    form = await form_fields(request)
    name = form.get("name", "")

    def act() -> Response:
        target = _chosen(request, form, "target_id")
        _authorize_for(request, target.area_id)
        if not name or not departments.carries_unmatched(session, name):
            raise DomainError("department.no_such_name", N_("No records carry this name."))
        departments.adopt(session, name, target, actor_id=user(request).id)
        flash(request, N_("The records now name one department."), "success")
        return htmx.redirect(request, "/admin/departments")

    async def again(error: DomainError) -> Response:
        return await _page(request, 422, errors=error.fields, error=error.message)

    return await act_or_rerender(request, act, again)


routes = [
    Route("/admin/departments", department_list),
    Route("/admin/departments", create, methods=["POST"]),
    Route("/admin/departments/merge", merge, methods=["POST"]),
    Route("/admin/departments/adopt", adopt, methods=["POST"]),
    Route("/admin/departments/{department_id:int}", edit, methods=["POST"]),
]
