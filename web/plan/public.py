"""Public plan pages: the progress board (挂图作战) and each item's page, where owners
post updates, mark milestones done, and deputies and representatives record visits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.errors import N_, DomainError
from participation.plan import board, delivery, supervision, yearend
from participation.plan.judgements import JUDGEMENT_LABELS, judgements_of
from participation.plan.models import PlanItem
from participation.plan.rules import OUTCOME_LABELS, is_overdue
from participation.plan.sources import SOURCE_LABELS, STATUS_LABELS, SourceKind
from participation.rules.permissions import Permission
from web.kit import htmx
from web.kit.auth import current_user_or_none, requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.follow import follow_button
from web.kit.forms import MAX_ID, FormReader, form_fields, record_id, whole_number
from web.kit.i18n import LOCAL_TZ, gettext
from web.kit.pagination import Page, page_number
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render
from web.plan import charts, rows
from web.plan.forms import PLAN_MAX, PLAN_MIN
from web.plan.sources import item_source_url, judgement_source_url

LABELS = {
    "sources": {k.value: v for k, v in SOURCE_LABELS.items()},
    "statuses": {k.value: v for k, v in STATUS_LABELS.items()},
    "outcomes": {k.value: v for k, v in OUTCOME_LABELS.items()},
    "judgements": {k.value: v for k, v in JUDGEMENT_LABELS.items()},
}


def today(request: Request) -> Any:
    return now(request).astimezone(LOCAL_TZ).date()


#: Rows of the board's table per page (a phone shows a card per row).
PER_PAGE = 25
#: Departments each department chart of the board shows; /plan/departments lists all.
CHART_DEPARTMENTS = 15


def board_filters(request: Request, years: list[int]) -> board.Filters:
    q = request.query_params

    def number(name: str) -> int | None:
        return whole_number(q.get(name), high=MAX_ID)

    year = number("year") if "year" in q else None
    if "year" not in q and years:
        current = today(request).year
        year = current if current in years else years[0]
    source = q.get("source", "")
    status = q.get("status", "")
    return board.Filters(
        year=year,
        area_id=number("area"),
        source=source if source in LABELS["sources"] else "",
        department_id=number("department"),
        status=status if status in board.BOARD_STATUSES else "",
    )


def options(choices: list[tuple[int, str]], chosen: int | None) -> Markup:
    """A filter's ``<option>`` elements, built in one pass (a city has hundreds of plan
    areas: a template loop escaping each was a large part of the board's rendering)."""
    return Markup(
        "".join(
            f'<option value="{i}"{" selected" if i == chosen else ""}>{escape(name)}</option>'
            for i, name in choices
        )
    )


def export_query(filters: board.Filters) -> str:
    """The board's filters, as resolved (the default year included), for its CSV and
    XLSX links: the downloads hold exactly the items the board shows. Filters left
    at "any" are left out: the API refuses an empty value where it expects one."""
    chosen = {
        "year": filters.year,
        "area": filters.area_id,
        "source": filters.source,
        "department": filters.department_id,
        "status": filters.status,
    }
    return urlencode({name: value for name, value in chosen.items() if value})


async def progress_board(request: Request) -> Response:
    session = db(request)
    years = board.years(session)
    filters = board_filters(request, years)
    # The table is paged in SQL; the charts and counts cover every matching item,
    # aggregated in SQL.
    shown = board.board_page(session, today(request), filters, page_number(request), PER_PAGE)
    kept = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page"])
    number = min(page_number(request), max(1, -(-shown.count // PER_PAGE)))
    return render(
        request,
        "plan/board.html",
        {
            "count": shown.count,
            "late": shown.late,
            "page": Page(shown.rows, number, PER_PAGE, shown.count),
            "pager_base": f"/plan?{kept}&" if kept else "/plan?",
            "figures": shown.figures,
            "as_of": shown.as_of,
            "filters": filters,
            "export_query": export_query(filters),
            "years": years,
            "area_options": options(board.plan_areas(session), filters.area_id),
            "department_options": options(board.departments(session), filters.department_id),
            "statuses": board.BOARD_STATUSES,
            "labels": LABELS,
            "chart_departments": CHART_DEPARTMENTS,
            "chart": charts.bars,
            "rows": rows.board_rows(
                shown.rows,
                {k: gettext(v) for k, v in LABELS["statuses"].items()},
                {k: gettext(v) for k, v in LABELS["sources"].items()},
            ),
        },
    )


async def department_figures(request: Request) -> Response:
    """Every department's budget, spend and milestones on time, for the board's filters:
    the board's department charts show the first ``CHART_DEPARTMENTS``."""
    session = db(request)
    filters = board_filters(request, board.years(session))
    figures, as_of = board.board_figures(session, today(request), filters)
    return render(
        request,
        "plan/departments.html",
        {"figures": figures, "as_of": as_of, "board_query": export_query(filters)},
    )


async def _item_page(request: Request, item: PlanItem, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    day = today(request)
    children = delivery.child_ids(session, item.id)
    views = board.shown_views(session, day, [item.id, *children])
    (view,) = [v for v in views if v.item.id == item.id]
    me = current_user_or_none(request)
    may_manage = bool(me and me.can(Permission.MANAGE_PLAN, view.area.path))
    milestones = delivery.milestones_of(session, item.id)
    carried_from = None
    if item.source_kind == SourceKind.CARRIED_OVER.value:
        carried_from = item.source_ref.removeprefix("plan_item:")
    history: list[Any] = []
    if carried_from and record_id(carried_from):
        history = list(delivery.updates_of(session, record_id(carried_from)))
    context = {
        "view": view,
        "item": item,
        "milestones": milestones,
        "overdue": {m.id for m in milestones if is_overdue(m.due_on, m.done_on, day)},
        "updates": delivery.updates_of(session, item.id),
        "history": history,
        "visits": supervision.visits_of(session, item.id),
        "outcome": yearend.outcome_of(session, item.id),
        "source_url": item_source_url(item),
        "judgements": [(j, judgement_source_url(j)) for j in judgements_of(session, item.id)],
        "children": [v for v in views if v.item.id != item.id],
        # From the signed-in person's grants, read once with the session (the services
        # check again, from the database, when the form is sent).
        "may_deliver": bool(me and (item.owner_account_id == me.id or may_manage)),
        "may_visit": bool(
            me and supervision.supervising_role_of(me.grants, view.area.path) is not None
        ),
        "may_manage": may_manage,
        "today": day,
        "follow": follow_button(request, "plan_item", item.id),
        "labels": LABELS,
        "error": None,
    } | extra
    return render(request, "plan/item.html", context, status=status)


async def item_page(request: Request) -> Response:
    item = delivery.get_item(db(request), request.path_params["item_id"])
    return await _item_page(request, item)


async def _act_on_item(
    request: Request,
    act: Callable[[PlanItem, FormReader], object],
    done: str,
    *,
    keep_form: bool = True,
) -> Response:
    """Read the item and the form, run ``act``; a refusal rolls back and re-renders the
    item page with its message (and, with ``keep_form``, what was typed), else flash
    ``done``."""
    session = db(request)
    item = delivery.get_item(session, request.path_params["item_id"])
    fields = await form_fields(request)

    def run() -> Response:
        act(item, FormReader(fields))
        flash(request, done, "success")
        return htmx.redirect(request, f"/plan/items/{item.id}")

    async def page(error: DomainError) -> Response:
        kept = {"form": fields, "errors": error.fields} if keep_form else {}
        return await _item_page(request, item, error.status, error=error.message, **kept)

    return await act_or_rerender(request, run, page)


@requires(Permission.USE_ACCOUNT)
async def post_update(request: Request) -> Response:
    def act(item: PlanItem, form: FormReader) -> None:
        progress = form.number("progress", low=PLAN_MIN, high=PLAN_MAX)
        spend = form.money("spend_yuan", low=PLAN_MIN, high=PLAN_MAX) or 0
        text, evidence = form.text("text"), form.text("evidence")
        if progress is None:
            form.problems["progress"] = N_("Progress is a whole percentage from 0 to 100.")
        form.check()
        assert progress is not None
        delivery.post_update(
            db(request),
            item,
            text=text,
            progress=progress,
            spend_yuan=spend,
            evidence=evidence,
            actor_id=user(request).id,
            now=now(request),
        )

    return await _act_on_item(request, act, N_("The update has been posted."))


@requires(Permission.USE_ACCOUNT)
async def milestone_done(request: Request) -> Response:
    def act(item: PlanItem, form: FormReader) -> None:
        done_on = form.day("done_on", required=True)
        evidence = form.text("evidence")
        form.check()
        assert done_on is not None
        delivery.complete_milestone(
            db(request),
            item,
            request.path_params["milestone_id"],
            done_on=done_on,
            evidence=evidence,
            today=today(request),
            actor_id=user(request).id,
        )

    return await _act_on_item(request, act, N_("The milestone is marked done."), keep_form=False)


@requires(Permission.SUPERVISE_PLAN)
async def record_visit(request: Request) -> Response:
    def act(item: PlanItem, form: FormReader) -> None:
        visited_on = form.day("visited_on", required=True)
        findings = form.text("findings")
        form.check()
        assert visited_on is not None
        supervision.record_visit(
            db(request),
            item,
            visited_on=visited_on,
            findings=findings,
            today=today(request),
            actor_id=user(request).id,
        )

    return await _act_on_item(request, act, N_("The visit has been recorded."))


routes = [
    Route("/plan", progress_board),
    Route("/plan/items/{item_id:int}", item_page),
    Route("/plan/departments", department_figures),
    Route("/plan/items/{item_id:int}/updates", post_update, methods=["POST"]),
    Route(
        "/plan/items/{item_id:int}/milestones/{milestone_id:int}/done",
        milestone_done,
        methods=["POST"],
    ),
    Route("/plan/items/{item_id:int}/visits", record_visit, methods=["POST"]),
]
