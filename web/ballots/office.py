"""Back office for ballot boxes: create, enter paper ballots, publish results."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import find_area, get_area
from participation.ballots import closing
from participation.ballots.boxes import (
    NewBox,
    NewItem,
    add_box,
    get_box,
    items_of,
    page_of_boxes,
)
from participation.ballots.models import BallotBox
from participation.ballots.paper import batch_states, enter_batch, recount_batch
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from participation.ballots.rules.paper_counts import COUNTABLE, counts_problem, expand
from participation.ballots.rules.paper_lines import LineError, read_counts, read_lines
from participation.deputies import all_congresses
from participation.errors import N_, DomainError
from participation.rules.permissions import Permission
from web.kit import htmx
from web.kit.area_choice import area_choice
from web.kit.auth import authorize, requires, user
from web.kit.client_ip import client_ip
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import FormReader, form_fields, yuan
from web.kit.pagination import Page, page_number
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render

RULES = {
    FormKind.YES_NO: ["threshold"],
    FormKind.CHOOSE: ["threshold", "approval"],
    FormKind.BUDGET: [
        "greedy",
        "greedy-no-skip",
        "greedy-threshold",
        "mes",
        "mes-add1",
        "mes-add1-greedy",
    ],
    FormKind.RANKED: ["borda", "irv", "points"],
    FormKind.CUMULATIVE: ["points"],
    FormKind.SATISFACTION: ["satisfaction"],
}


#: Ballot boxes a page of the back office's list.
BOXES_PER_PAGE = 50


async def _list_page(request: Request, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    boxes, total, number = page_of_boxes(
        session, page=page_number(request), per_page=BOXES_PER_PAGE
    )
    kept = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page"])
    return render(
        request,
        "ballots/office/list.html",
        {
            "boxes": boxes,
            "page": Page(boxes, number, BOXES_PER_PAGE, total),
            "pager_base": f"/admin/ballots?{kept}&" if kept else "/admin/ballots?",
            "area_step": area_choice(session, request, extra.get("form")),
            "congresses": all_congresses(session),
            "kinds": list(FormKind),
            "rolls": list(Roll),
            "rules": RULES,
        }
        | extra,
        status=status,
    )


#: The largest count, budget or number of places a ballot form takes.
MAX_NUMBER = 1_000_000_000


def parse_new_box(request: Request, fields: dict[str, str]) -> NewBox:
    """Form fields -> NewBox; any unreadable field becomes a DomainError with field messages."""
    reader = FormReader(fields)
    kind_name = reader.choice("kind", [k.value for k in FormKind])
    if kind_name is None:
        reader.problems["kind"] = N_("Choose a ballot form.")
    kind = FormKind(kind_name or FormKind.CHOOSE.value)
    roll_name = reader.choice("roll", [r.value for r in Roll])
    if roll_name is None:
        reader.problems["roll"] = N_("Choose who votes.")
    rule_name = fields.get("rule", "")
    if rule_name not in RULES[kind]:
        reader.problems["rule"] = N_("Choose a counting rule that fits the ballot form.")
    opens_at = reader.moment("opens_at", required=True)
    closes_at = reader.moment("closes_at", required=True)
    items = []
    for line in fields.get("items", "").splitlines():
        title, _, cost = line.partition("|")
        if title.strip():
            amount = yuan(cost, low=0) if cost.strip() else 0
            if amount is None:
                reader.problems["items"] = N_("Write each item as: title | cost in yuan")
            items.append(NewItem(title.strip(), amount or 0))
    area = find_area(db(request), reader.record("area_id") or 0)
    if area is None:
        reader.problems["area_id"] = N_("Choose an area.")
    budget = reader.number("budget", high=MAX_NUMBER)
    places = reader.number("places", high=MAX_NUMBER)
    form = BallotForm(
        kind=kind,
        min_choices=reader.number("min_choices", high=MAX_NUMBER, default=0) or 0,
        max_choices=reader.number("max_choices", high=MAX_NUMBER),
        budget=budget,
        points=reader.number("points", high=MAX_NUMBER),
        max_per_item=reader.number("max_per_item", high=MAX_NUMBER),
    )
    rule: dict[str, Any] = {"rule": rule_name}
    if places is not None:
        rule["places"] = places
    if budget is not None:
        rule["budget"] = budget
    congress = reader.number("congress_id", high=MAX_NUMBER)
    reader.check("box.invalid")
    assert area is not None and roll_name is not None
    assert opens_at is not None and closes_at is not None
    return NewBox(
        title=fields.get("title", ""),
        description=fields.get("description", ""),
        area=area,
        roll=Roll(roll_name),
        opens_at=opens_at,
        closes_at=closes_at,
        form=form,
        rule=rule,
        items=items,
        secrecy=fields.get("secrecy", "secret"),
        congress_id=congress,
    )


@requires(Permission.MANAGE_BALLOTS)
async def boxes(request: Request) -> Response:
    if request.method == "GET":
        return await _list_page(request)
    fields = await form_fields(request)
    session = db(request)

    def act() -> Response:
        new = parse_new_box(request, fields)
        authorize(request, Permission.MANAGE_BALLOTS, new.area.path)
        box = add_box(session, new, actor_id=user(request).id, ip=client_ip(request))
        flash(request, "The ballot has been created.", "success")
        return htmx.redirect(request, f"/admin/ballots/{box.id}")

    async def again(error: DomainError) -> Response:
        return await _list_page(request, 422, form=fields, errors=error.fields, error=error.message)

    return await act_or_rerender(request, act, again)


async def _box_admin(request: Request, box: BallotBox, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    context = {
        "box": box,
        "batches": batch_states(session, box),
        "now": now(request),
        "items": items_of(session, box),
        "countable": box.form.kind in COUNTABLE,
        "error_params": {},
        "form": {},
    }
    return render(request, "ballots/office/box.html", context | extra, status=status)


def _scoped_box(request: Request, permission: Permission) -> BallotBox:
    session = db(request)
    box = get_box(session, request.path_params["box_id"])
    authorize(request, permission, get_area(session, box.area_id).path)
    return box


@requires(Permission.COUNT_PAPER)
async def box_admin(request: Request) -> Response:
    return await _box_admin(request, _scoped_box(request, Permission.COUNT_PAPER))


@requires(Permission.COUNT_PAPER)
async def paper(request: Request) -> Response:
    box = _scoped_box(request, Permission.COUNT_PAPER)
    fields = await form_fields(request)
    keys = [item.key for item in items_of(db(request), box)]
    try:
        ballots = read_lines(box.form.kind, keys, fields.get("ballots", ""))
    except LineError as bad:
        return await _box_admin(
            request,
            box,
            422,
            form=fields,
            error=N_("Line %(line)s cannot be read; see the format above."),
            error_params={"line": bad.line},
        )

    def act() -> Response:
        enter_batch(
            db(request),
            box,
            fields.get("label", ""),
            user(request).id,
            ballots,
            ip=client_ip(request),
        )
        flash(request, "The batch has been entered.", "success")
        return htmx.redirect(request, f"/admin/ballots/{box.id}")

    async def again(error: DomainError) -> Response:
        return await _box_admin(request, box, 422, error=error.message)

    return await act_or_rerender(request, act, again)


@requires(Permission.COUNT_PAPER)
async def paper_counts(request: Request) -> Response:
    """A teller enters a batch as per-item counts (for count-based rules)."""
    box = _scoped_box(request, Permission.COUNT_PAPER)
    fields = await form_fields(request)
    keys = [item.key for item in items_of(db(request), box)]
    reader = FormReader(fields)
    valid = reader.number("valid", high=MAX_NUMBER, required=True)
    void = reader.number("void", high=MAX_NUMBER, default=0)
    if valid is None or void is None or reader.problems:
        return await _box_admin(
            request,
            box,
            422,
            form=fields,
            errors=reader.problems,
            error=N_("Enter the numbers of valid and void ballots."),
        )
    try:
        counts = read_counts(keys, fields.get("counts", ""))
    except LineError as bad:
        return await _box_admin(
            request,
            box,
            422,
            form=fields,
            error=N_("Line %(line)s cannot be read; see the format above."),
            error_params={"line": bad.line},
        )
    problem = counts_problem(box.form, keys, valid, counts)
    if problem:
        return await _box_admin(request, box, 422, form=fields, error=problem)
    ballots = expand(box.form, keys, valid, void, counts)

    def act() -> Response:
        enter_batch(
            db(request),
            box,
            fields.get("label", ""),
            user(request).id,
            ballots,
            counts=(valid, void),
            ip=client_ip(request),
        )
        flash(request, "The batch has been entered.", "success")
        return htmx.redirect(request, f"/admin/ballots/{box.id}")

    async def again(error: DomainError) -> Response:
        return await _box_admin(request, box, 422, form=fields, error=error.message)

    return await act_or_rerender(request, act, again)


@requires(Permission.COUNT_PAPER)
async def recount(request: Request) -> Response:
    box = _scoped_box(request, Permission.COUNT_PAPER)
    fields = await form_fields(request)

    def act() -> Response:
        recount_batch(
            db(request),
            box,
            fields.get("label", ""),
            actor_id=user(request).id,
            ip=client_ip(request),
        )
        flash(request, "Both tellers can now enter the batch again.", "success")
        return htmx.redirect(request, f"/admin/ballots/{box.id}")

    async def again(error: DomainError) -> Response:
        return await _box_admin(request, box, error.status, error=error.message)

    return await act_or_rerender(request, act, again)


@requires(Permission.MANAGE_BALLOTS)
async def publish_results(request: Request) -> Response:
    box = _scoped_box(request, Permission.MANAGE_BALLOTS)

    def act() -> Response:
        closing.publish_results(
            db(request), box, now(request), actor_id=user(request).id, ip=client_ip(request)
        )
        flash(request, "The results have been published.", "success")
        return htmx.redirect(request, f"/ballots/{box.id}")

    async def again(error: DomainError) -> Response:
        return await _box_admin(request, box, 422, error=error.message, error_params=error.params)

    return await act_or_rerender(request, act, again)


routes = [
    Route("/admin/ballots", boxes, methods=["GET", "POST"]),
    Route("/admin/ballots/{box_id:int}", box_admin),
    Route("/admin/ballots/{box_id:int}/paper", paper, methods=["POST"]),
    Route("/admin/ballots/{box_id:int}/paper-counts", paper_counts, methods=["POST"]),
    Route("/admin/ballots/{box_id:int}/recount", recount, methods=["POST"]),
    Route("/admin/ballots/{box_id:int}/publish", publish_results, methods=["POST"]),
]
