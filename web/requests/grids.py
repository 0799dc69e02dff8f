"""Grid work: the grid worker's own page, grid assignments and cadres' grid visits
(逢五进格) in the back office, a visit's findings filed as a request in one step."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import Area, AreaStep
from participation.errors import DomainError
from participation.requests import grids
from participation.requests.deadlines import local_day
from participation.rules.areas import AreaKind
from participation.rules.permissions import ROLE_PERMISSIONS, Permission, Role
from web.kit import htmx
from web.kit.area_choice import area_choice
from web.kit.auth import CurrentUser, requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import FormReader, form_fields
from web.kit.pagination import OpenPage, Page, page_number
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render
from web.requests.forms import LABELS, pager_base, paths_for

#: Assignments shown per page.
ASSIGNMENTS_PER_PAGE = 50
#: Grid workers offered per page in the assignment form's <select>.
WORKERS_PER_PAGE = 50
#: Visits, and visit rules, shown per page.
VISITS_PER_PAGE = 50
RULES_PER_PAGE = 50
#: The grid-worker name filter is cut to a display name's length.
WORKER_NAME_LENGTH = 60


def filing_scope(session: Session, me: CurrentUser, today: date) -> list[str] | None:
    """Where ``me`` may file for residents (None: anywhere). Grants of desk roles
    (staff, community workers) count as before; a grid worker's grant counts only
    until someone assigns them a grid: from then on their running assignments decide."""
    paths: list[str] = []
    grid_role_paths: list[str | None] = []
    for grant in me.grants:
        if Permission.FILE_REQUESTS not in ROLE_PERMISSIONS[grant.role]:
            continue
        if grant.role == Role.GRID_WORKER:
            grid_role_paths.append(grant.area_path)
            continue
        if grant.area_path is None:
            return None
        paths.append(grant.area_path)
    if grid_role_paths:
        assigned = grids.assigned_paths(session, me.id, today)
        if assigned is not None:
            paths.extend(assigned)
        elif None in grid_role_paths:
            return None
        else:
            paths.extend(p for p in grid_role_paths if p is not None)
    return paths


def _today(request: Request) -> date:
    return local_day(now(request))


@requires(Permission.FILE_REQUESTS)
async def worker_page(request: Request) -> Response:
    """A grid worker's own page: their grids' open requests with due dates, their own
    discoveries, what waits for them."""
    me = user(request)
    today = _today(request)
    page = grids.worker_page(db(request), me.id, today)
    return render(request, "requests/grids/worker.html", LABELS | {"p": page, "today": today})


# --- assignments ------------------------------------------------------------------


def _grid_step(request: Request, form: object) -> tuple[AreaStep, Area | None]:
    """The grid field a level at a time (web.kit.area_choice: only grids in one's
    areas to pick), and the area reached, which narrows the lists."""
    me = user(request)
    step = area_choice(
        db(request),
        request,
        form,
        field="grid_id",
        allowed=lambda a: (
            a.kind == AreaKind.GRID.value and me.can(Permission.ROUTE_REQUESTS, a.path)
        ),
    )
    return step, step.chain[-1] if step.chain else None


def _base(request: Request, param: str) -> str:
    """The page's own address with its query but ``param``, ready for the pager
    macro's ``page=N``: a list paged by ``workers_page`` gets a base ending in
    "workers_" (as /admin/plan's lists), so paging one list keeps the filters and
    the other lists where they were."""
    kept = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != param])
    prefix = param.removesuffix("page")
    return f"{request.url.path}?{kept}&{prefix}" if kept else f"{request.url.path}?{prefix}"


def _worker_name(request: Request) -> str:
    """The name filter of the grid-worker list (``?worker=``), as long as a name."""
    return request.query_params.get("worker", "").strip()[:WORKER_NAME_LENGTH]


async def _assignments_page(request: Request, status: int = 200, **extra: object) -> Response:
    session = db(request)
    scope = paths_for(user(request), Permission.ROUTE_REQUESTS)
    step, reached = _grid_step(request, extra.get("form"))
    total = grids.assignment_count(session, scope, reached)
    number = min(page_number(request), max(1, -(-total // ASSIGNMENTS_PER_PAGE)))
    rows = grids.assignments(
        session,
        scope,
        under=reached,
        offset=(number - 1) * ASSIGNMENTS_PER_PAGE,
        limit=ASSIGNMENTS_PER_PAGE,
    )
    name = _worker_name(request)
    workers, listed, workers_number = grids.grid_workers(
        session,
        scope,
        reached,
        name=name,
        page=page_number(request, "workers_page"),
        per_page=WORKERS_PER_PAGE,
    )
    context = LABELS | {
        "rows": rows,
        "page": Page(rows, number, ASSIGNMENTS_PER_PAGE, total),
        "pager_base": pager_base(request),
        "grid_step": step,
        "reached": reached,
        "workers": workers,
        "workers_page": Page(workers, workers_number, WORKERS_PER_PAGE, listed),
        "workers_base": _base(request, "workers_page"),
        "worker_name": name,
        # The query kept when the worker list is searched (the others' pages, the
        # grid reached) and when the form is posted (a refusal shows the same page
        # of workers, the one chosen among them).
        "kept": [
            (k, v)
            for k, v in request.query_params.multi_items()
            if k not in ("worker", "workers_page")
        ],
        "query": request.url.query,
        "today": _today(request),
        "form": {},
        "errors": {},
    }
    return render(request, "requests/grids/assignments.html", context | extra, status=status)


@requires(Permission.ROUTE_REQUESTS)
async def assignments(request: Request) -> Response:
    return await _assignments_page(request)


@requires(Permission.ROUTE_REQUESTS)
async def assign(request: Request) -> Response:
    session = db(request)
    me = user(request)
    fields = await form_fields(request)

    def act() -> Response:
        form = FormReader(fields)
        grid_id = form.record("grid_id", required=True)
        worker_id = form.record("worker_id", required=True)
        starts_on = form.day("starts_on", required=True)
        ends_on = form.day("ends_on")
        form.check()
        grids.assign(
            session,
            grid_id,
            worker_id,
            starts_on,
            ends_on,
            me.id,
            paths_for(me, Permission.ROUTE_REQUESTS),
        )
        flash(request, "The grid worker is assigned.", "success")
        return htmx.redirect(request, "/admin/requests/grids")

    async def page(error: DomainError) -> Response:
        return await _assignments_page(
            request, error.status, form=fields, errors=error.fields or {}, error=error.message
        )

    return await act_or_rerender(request, act, page)


@requires(Permission.ROUTE_REQUESTS)
async def end(request: Request) -> Response:
    session = db(request)
    me = user(request)
    fields = await form_fields(request)

    def act() -> Response:
        form = FormReader(fields)
        ends_on = form.day("ends_on", required=True)
        form.check()
        grids.end_assignment(
            session,
            request.path_params["assignment_id"],
            ends_on,
            me.id,
            paths_for(me, Permission.ROUTE_REQUESTS),
        )
        flash(request, "The assignment is ended.", "success")
        return htmx.redirect(request, "/admin/requests/grids")

    async def page(error: DomainError) -> Response:
        return await _assignments_page(
            request, error.status, errors=error.fields or {}, error=error.message
        )

    return await act_or_rerender(request, act, page)


# --- visits -------------------------------------------------------------------------


async def _visits_page(request: Request, status: int = 200, **extra: object) -> Response:
    session = db(request)
    scope = paths_for(user(request), Permission.ROUTE_REQUESTS)
    me = user(request)
    grid_step, reached = _grid_step(request, extra.get("form"))
    shown = grids.visits(
        session, scope, reached, page=page_number(request), per_page=VISITS_PER_PAGE
    )
    rules, ruled, rules_number = grids.visit_rules(
        session,
        scope,
        reached,
        page=page_number(request, "rules_page"),
        per_page=RULES_PER_PAGE,
    )
    context = LABELS | {
        "rows": shown.rows,
        "page": OpenPage(shown.rows, shown.number, VISITS_PER_PAGE, shown.has_next),
        "pager_base": pager_base(request),
        "rules": rules,
        "rules_page": Page(rules, rules_number, RULES_PER_PAGE, ruled),
        "rules_base": _base(request, "rules_page"),
        "grid_step": grid_step,
        "reached": reached,
        "area_step": area_choice(
            session,
            request,
            extra.get("form"),
            field="rule_area_id",
            allowed=lambda a: me.can(Permission.ROUTE_REQUESTS, a.path),
        ),
        "today": _today(request),
        "form": {},
        "errors": {},
    }
    return render(request, "requests/grids/visits.html", context | extra, status=status)


@requires(Permission.ROUTE_REQUESTS)
async def visits(request: Request) -> Response:
    return await _visits_page(request)


@requires(Permission.ROUTE_REQUESTS)
async def record_visit(request: Request) -> Response:
    session = db(request)
    me = user(request)
    fields = await form_fields(request)

    def act() -> Response:
        form = FormReader(fields)
        grid_id = form.record("grid_id", required=True)
        visited_on = form.day("visited_on", required=True)
        cadre = form.text("cadre", max_length=10_000)
        findings = form.text("findings", max_length=100_000)
        form.check()
        grids.record_visit(
            session,
            grid_id,
            cadre,
            visited_on,
            findings,
            me.id,
            _today(request),
            paths_for(me, Permission.ROUTE_REQUESTS),
        )
        flash(request, "The visit is recorded.", "success")
        return htmx.redirect(request, "/admin/requests/visits")

    async def page(error: DomainError) -> Response:
        return await _visits_page(
            request, error.status, form=fields, errors=error.fields or {}, error=error.message
        )

    return await act_or_rerender(request, act, page)


@requires(Permission.ROUTE_REQUESTS)
async def visit_rule(request: Request) -> Response:
    session = db(request)
    me = user(request)
    fields = await form_fields(request)

    def act() -> Response:
        form = FormReader(fields)
        area_id = form.record("rule_area_id", required=True)
        form.check()
        grids.set_visit_rule(
            session,
            area_id,
            fields.get("digits", "")[:20],
            me.id,
            paths_for(me, Permission.ROUTE_REQUESTS),
        )
        flash(request, "The visit days are set.", "success")
        return htmx.redirect(request, "/admin/requests/visits")

    async def page(error: DomainError) -> Response:
        return await _visits_page(
            request, error.status, form=fields, errors=error.fields or {}, error=error.message
        )

    return await act_or_rerender(request, act, page)


@requires(Permission.ROUTE_REQUESTS)
async def file_finding(request: Request) -> Response:
    session = db(request)
    me = user(request)
    fields = await form_fields(request)

    def act() -> Response:
        filed = grids.file_finding(
            session,
            request.path_params["visit_id"],
            fields.get("category", ""),
            fields.get("urgency", "normal"),
            me.id,
            now(request),
            paths_for(me, Permission.ROUTE_REQUESTS),
        )
        flash(request, "The findings are filed as a request.", "success")
        return htmx.redirect(request, f"/admin/requests/{filed.request.id}")

    async def page(error: DomainError) -> Response:
        return await _visits_page(
            request, error.status, errors=error.fields or {}, error=error.message
        )

    return await act_or_rerender(request, act, page)


routes = [
    Route("/requests/grid", worker_page),
    Route("/admin/requests/grids", assignments),
    Route("/admin/requests/grids", assign, methods=["POST"]),
    Route("/admin/requests/grids/{assignment_id:int}/end", end, methods=["POST"]),
    Route("/admin/requests/visits", visits),
    Route("/admin/requests/visits", record_visit, methods=["POST"]),
    Route("/admin/requests/visits/rules", visit_rule, methods=["POST"]),
    Route("/admin/requests/visits/{visit_id:int}/file", file_finding, methods=["POST"]),
]
