"""The planner's back office: where this year's items came from, what is late, what needs
a decision; direct entry, editing an item, milestones, reminders and the year-end roll-up."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation import departments
from participation.areas import get_area
from participation.errors import N_, DomainError
from participation.plan import board, delivery, yearend, yearend_drafts
from participation.plan import planner as desks
from participation.plan.models import Plan, PlanItem
from participation.plan.reminders import remind_overdue
from participation.plan.rules import MILESTONE_WEIGHT_TOTAL
from participation.rules.permissions import ROLE_PERMISSIONS, Permission
from web.kit import htmx
from web.kit.area_choice import area_choice
from web.kit.auth import CurrentUser, authorize, requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import MAX_ID, FormReader, form_fields, record_id, whole_number
from web.kit.pagination import page_number
from web.kit.refusals import Page, act_or_rerender
from web.kit.templating import flash, render
from web.plan.forms import PLAN_MAX, PLAN_MIN, read_steps
from web.plan.public import LABELS, today


def decisions(view: board.ItemView) -> list[str]:
    """What a planner must decide about an item before it can be delivered well."""
    needs: list[str] = []
    if view.outcome:
        return needs
    if not view.item.owner_department and view.item.owner_account_id is None:
        needs.append(N_("No owner"))
    if view.item.due_on is None:
        needs.append(N_("No end date"))
    if view.milestone_weight == 0:
        needs.append(N_("No milestones"))
    elif view.milestone_weight != MILESTONE_WEIGHT_TOTAL:
        needs.append(N_("Milestone weights do not add up to 100"))
    if view.spend_yuan > view.item.budget_yuan:
        needs.append(N_("Spending is over budget"))
    return needs


def _plan_scope(me: CurrentUser) -> list[str] | None:
    """The subtrees where ``me`` may plan (None: everywhere), as ``me.can`` decides."""
    paths = []
    for grant in me.grants:
        if Permission.MANAGE_PLAN in ROLE_PERMISSIONS[grant.role]:
            if grant.area_path is None:
                return None
            paths.append(grant.area_path)
    return paths


def _pager(year: int | None, *, late: int, decide: int, plans: int) -> dict[str, str]:
    """Each list's page links (the pager macro adds ``page=N``): the year and the other
    lists' pages kept (the plans' only past its first page, the default)."""
    base = f"/admin/plan?year={year}&" if year else "/admin/plan?"
    kept = f"{base}plans_page={plans}&" if plans > 1 else base
    return {
        "late": f"{kept}decide_page={decide}&late_",
        "decide": f"{kept}late_page={late}&decide_",
        "plans": f"{base}late_page={late}&decide_page={decide}&plans_",
    }


async def _planner(request: Request, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    years = board.years(session)
    q = request.query_params
    year = whole_number(q.get("year"), high=9999) or (years[0] if years else None)
    me = user(request)
    # Counted and paged in SQL over the planner's areas: never every item of the year.
    found = desks.desk(
        session,
        today(request),
        year,
        _plan_scope(me),
        late_page=whole_number(q.get("late_page"), high=MAX_ID) or 1,
        decide_page=whole_number(q.get("decide_page"), high=MAX_ID) or 1,
    )
    plans = desks.plans_page(
        session, year, _plan_scope(me), whole_number(q.get("plans_page"), high=MAX_ID) or 1
    )
    done = yearend.rolled_up_plans(session, (p.id for p, _ in plans.rows))
    context = {
        "year": year or today(request).year,
        "years": years,
        "sources": found.sources,
        "late": found.late,
        "decide": found.decide,
        "decisions": decisions,
        "pager": _pager(year, late=found.late.page, decide=found.decide.page, plans=plans.page),
        "plans": [(p, p.id in done) for p, _ in plans.rows],
        "plans_page": plans,
        "area_step": area_choice(
            session,
            request,
            extra.get("form"),
            allowed=lambda a: me.can(Permission.MANAGE_PLAN, a.path),
        ),
        "departments": departments.all_departments(session),
        "labels": LABELS,
        "error": None,
    } | extra
    return render(request, "plan/office/planner.html", context, status=status)


@requires(Permission.MANAGE_PLAN)
async def planner(request: Request) -> Response:
    return await _planner(request)


@requires(Permission.MANAGE_PLAN)
async def enter_item(request: Request) -> Response:
    session = db(request)
    fields = await form_fields(request)

    def act() -> Response:
        form = FormReader(fields)
        area_id = form.record("area_id", required=True)
        year = form.number("year", high=9999, default=today(request).year)
        owner_account_id = form.number("owner_account_id", low=1, high=MAX_ID)
        budget = form.money("budget_yuan", low=PLAN_MIN, high=PLAN_MAX)
        starts_on, due_on = form.day("starts_on"), form.day("due_on")
        parent_id = form.number("parent_id", low=1, high=MAX_ID)
        weight = form.number("weight", low=PLAN_MIN, high=PLAN_MAX, default=1)
        form.check()
        area = get_area(session, area_id or 0)
        authorize(request, Permission.MANAGE_PLAN, area.path)
        new = delivery.DirectItem(
            area_id=area.id,
            year=year or 0,
            title=fields.get("title", ""),
            description=fields.get("description", ""),
            owner_department=fields.get("owner_department", ""),
            owner_account_id=owner_account_id,
            budget_yuan=budget or 0,
            starts_on=starts_on,
            due_on=due_on,
            parent_id=parent_id,
            weight=weight or 0,
        )
        item = delivery.enter_item(session, new, actor_id=user(request).id)
        flash(request, "The item is on the plan.", "success")
        return htmx.redirect(request, f"/admin/plan/items/{item.id}")

    async def page(error: DomainError) -> Response:
        return await _planner(request, 422, form=fields, errors=error.fields, error=error.message)

    return await act_or_rerender(request, act, page)


def _scoped_item(request: Request) -> PlanItem:
    session = db(request)
    item = delivery.get_item(session, request.path_params["item_id"])
    authorize(request, Permission.MANAGE_PLAN, delivery.area_of(session, item).path)
    return item


async def _item_admin(
    request: Request, item: PlanItem, status: int = 200, **extra: Any
) -> Response:
    session = db(request)
    form = {
        "owner_department": item.owner_department,
        "owner_account_id": item.owner_account_id or "",
        "budget_yuan": item.budget_yuan,
        "starts_on": item.starts_on or "",
        "due_on": item.due_on or "",
    }
    context = {
        "item": item,
        "milestones": delivery.milestones_of(session, item.id),
        "form": form,
        "milestone_form": {},
        "milestone_errors": {},
        "departments": departments.all_departments(session),
        "labels": LABELS,
        "error": None,
    } | extra
    return render(request, "plan/office/item.html", context, status=status)


@requires(Permission.MANAGE_PLAN)
async def item_admin(request: Request) -> Response:
    item = _scoped_item(request)
    if request.method == "GET":
        return await _item_admin(request, item)
    fields = await form_fields(request)

    def act() -> Response:
        form = FormReader(fields)
        owner_account_id = form.number("owner_account_id", low=1, high=MAX_ID)
        budget = form.money("budget_yuan", low=PLAN_MIN, high=PLAN_MAX)
        starts_on, due_on = form.day("starts_on"), form.day("due_on")
        form.check()
        delivery.edit_item(
            db(request),
            item,
            owner_department=fields.get("owner_department", ""),
            owner_account_id=owner_account_id,
            budget_yuan=budget or 0,
            starts_on=starts_on,
            due_on=due_on,
            actor_id=user(request).id,
        )
        flash(request, "The item has been saved.", "success")
        return htmx.redirect(request, f"/admin/plan/items/{item.id}")

    async def page(error: DomainError) -> Response:
        return await _item_admin(
            request, item, 422, form=fields, errors=error.fields, error=error.message
        )

    return await act_or_rerender(request, act, page)


def _milestone_refused(request: Request, item: PlanItem, fields: dict[str, str]) -> Page:
    """The item's page again, with the milestone form as typed and its messages."""

    async def page(error: DomainError) -> Response:
        return await _item_admin(
            request,
            item,
            422,
            milestone_form=fields,
            milestone_errors=error.fields,
            error=error.message,
        )

    return page


@requires(Permission.MANAGE_PLAN)
async def add_milestone(request: Request) -> Response:
    item = _scoped_item(request)
    fields = await form_fields(request)

    def act() -> Response:
        form = FormReader(fields)
        due_on = form.day("due_on", required=True)
        weight = form.number("weight", low=PLAN_MIN, high=PLAN_MAX)
        if weight is None:
            form.problems["weight"] = N_("A weight must be a positive whole number.")
        form.check()
        assert due_on is not None and weight is not None
        delivery.add_milestone(
            db(request),
            item,
            title=fields.get("title", ""),
            due_on=due_on,
            weight=weight,
            actor_id=user(request).id,
        )
        flash(request, "The milestone has been added.", "success")
        return htmx.redirect(request, f"/admin/plan/items/{item.id}")

    return await act_or_rerender(request, act, _milestone_refused(request, item, fields))


@requires(Permission.MANAGE_PLAN)
async def schedule(request: Request) -> Response:
    item = _scoped_item(request)
    fields = await form_fields(request)

    def act() -> Response:
        steps = read_steps(fields.get("steps", ""))
        delivery.schedule_backward(db(request), item, steps, actor_id=user(request).id)
        flash(request, "The milestones have been scheduled.", "success")
        return htmx.redirect(request, f"/admin/plan/items/{item.id}")

    return await act_or_rerender(request, act, _milestone_refused(request, item, fields))


@requires(Permission.MANAGE_PLAN)
async def remind(request: Request) -> Response:
    result = remind_overdue(
        db(request),
        today=today(request),
        now=now(request),
        base_url=request.app.state.settings.base_url,
    )
    flash(request, "Reminders for overdue milestones have been queued.", "success")
    if result.no_address:
        flash(request, "Some owners have no e-mail address; remind them another way.", "error")
    return htmx.redirect(request, "/admin/plan")


def _plan(request: Request) -> Plan:
    session = db(request)
    plan = yearend.get_plan(session, record_id(request.query_params.get("plan", "")))
    authorize(request, Permission.MANAGE_PLAN, get_area(session, plan.area_id).path)
    return plan


#: The roll-up form's lists: the items still to judge (the default) or all of them.
SHOWN = ("todo", "all")


def _shown(request: Request) -> str:
    """The ``show`` query parameter, "todo" when absent or unknown."""
    show = request.query_params.get("show", "todo")
    return show if show in SHOWN else "todo"


def _rollup_url(plan: Plan, show: str, page: int | None = None) -> str:
    url = f"/admin/plan/rollup?plan={plan.id}&show={show}"
    return f"{url}&page={page}" if page else url


async def _rollup_page(request: Request, plan: Plan, status: int = 200, **extra: Any) -> Response:
    """A page of the roll-up form (``?show=todo|all``, ``?page=``): the page's items,
    read in a fixed number of statements however large the plan."""
    session = db(request)
    found = yearend_drafts.page_of(
        session, plan, today(request), todo=_shown(request) == "todo", page=page_number(request)
    )
    context = {
        "plan": plan,
        "area": get_area(session, plan.area_id),
        "found": found,
        "show": "todo" if found.todo else "all",
        "pager_base": _rollup_url(plan, "todo" if found.todo else "all") + "&",
        "max_reason": yearend_drafts.MAX_REASON,
        "labels": LABELS,
        "error": None,
        "errors": {},
        # What was typed on this page, when it is shown again after a refusal.
        "reasons": found.drafts,
    } | extra
    return render(request, "plan/office/rollup.html", context, status=status)


def _page_choices(fields: dict[str, str]) -> dict[int, str]:
    """The page's items (the hidden ``items``: their ids) and the reason typed for
    each (``drop_<id>``; none for a finished item): refused whole when unreadable."""
    raw = [part for part in fields.get("items", "").split(",") if part.strip()]
    ids = [record_id(part) for part in raw]
    if not all(ids):
        raise DomainError(
            "plan.rollup_items",
            N_("Some of these items are not on this plan. Reload the page and try again."),
        )
    form = FormReader(fields)
    reasons = {i: form.text(f"drop_{i}", max_length=yearend_drafts.MAX_REASON) for i in ids}
    form.check()
    return reasons


@requires(Permission.MANAGE_PLAN)
async def rollup(request: Request) -> Response:
    """GET: a page of the form. POST: save the page's choices (``action=save``, also
    what Enter in a field sends) or save them and roll up the year (``action=rollup``)."""
    plan = _plan(request)
    if request.method == "GET":
        return await _rollup_page(request, plan)
    fields = await form_fields(request)
    typed = {
        record_id(k.removeprefix("drop_")): v
        for k, v in fields.items()
        if k.startswith("drop_") and record_id(k.removeprefix("drop_"))
    }

    def act() -> Response:
        session = db(request)
        reasons = _page_choices(fields)
        yearend_drafts.save_page(
            session, plan, reasons, now=now(request), actor_id=user(request).id
        )
        if fields.get("action") != "rollup":
            flash(request, "This page's choices have been saved.", "success")
            return htmx.redirect(request, _rollup_url(plan, _shown(request), page_number(request)))
        result = yearend_drafts.complete_roll_up(
            session, plan, today=today(request), now=now(request), actor_id=user(request).id
        )
        flash(request, "The year has been rolled up.", "success")
        carried = len(result.carried)
        return htmx.redirect(request, f"/admin/plan/rollup?plan={plan.id}&carried={carried}")

    async def page(error: DomainError) -> Response:
        return await _rollup_page(
            request,
            plan,
            error.status,
            error=error.message,
            errors=error.fields,
            reasons=typed,
        )

    return await act_or_rerender(request, act, page)


routes = [
    Route("/admin/plan", planner),
    Route("/admin/plan/items", enter_item, methods=["POST"]),
    Route("/admin/plan/items/{item_id:int}", item_admin, methods=["GET", "POST"]),
    Route("/admin/plan/items/{item_id:int}/milestones", add_milestone, methods=["POST"]),
    Route("/admin/plan/items/{item_id:int}/schedule", schedule, methods=["POST"]),
    Route("/admin/plan/remind", remind, methods=["POST"]),
    Route("/admin/plan/rollup", rollup, methods=["GET", "POST"]),
]
