"""Back office for ballot boxes: create, enter paper ballots, publish results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import area_tree, get_area
from participation.ballots.boxes import NewBox, NewItem, create_box, get_box, items_of
from participation.ballots.closing import publish
from participation.ballots.models import BallotBox
from participation.ballots.paper import batch_states, enter_batch, recount_batch
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from participation.ballots.rules.paper_counts import COUNTABLE, counts_problem, expand
from participation.ballots.rules.paper_lines import LineError, read_counts, read_lines
from participation.errors import N_, DomainError
from participation.rolls import Congress
from participation.rules.permissions import Permission
from web.kit import htmx
from web.kit.audit_log import log_action
from web.kit.auth import authorize, requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import form_fields, record_id, whole_number, yuan
from web.kit.i18n import LOCAL_TZ
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


async def _list_page(request: Request, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    return render(
        request,
        "ballots/office/list.html",
        {
            "boxes": session.scalars(select(BallotBox).order_by(BallotBox.id.desc())).all(),
            "areas": area_tree(session),
            "congresses": session.scalars(select(Congress).order_by(Congress.id)).all(),
            "kinds": list(FormKind),
            "rolls": list(Roll),
            "rules": RULES,
        }
        | extra,
        status=status,
    )


def _local(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=LOCAL_TZ)


def parse_new_box(session: Any, fields: dict[str, str]) -> NewBox:
    """Form fields -> NewBox; any unreadable field becomes a DomainError with field messages."""
    problems: dict[str, str] = {}

    def number(name: str, default: int | None = None) -> int | None:
        raw = fields.get(name, "")
        if not raw:
            return default
        value = whole_number(raw, high=1_000_000_000)
        if value is None:
            problems[name] = N_("Enter a whole number.")
            return default
        return value

    try:
        kind = FormKind(fields.get("kind", ""))
    except ValueError:
        problems["kind"] = N_("Choose a ballot form.")
        kind = FormKind.CHOOSE
    try:
        roll = Roll(fields.get("roll", ""))
    except ValueError:
        problems["roll"] = N_("Choose who votes.")
        roll = Roll.RESIDENTS
    rule_name = fields.get("rule", "")
    if rule_name not in RULES[kind]:
        problems["rule"] = N_("Choose a counting rule that fits the ballot form.")
    try:
        opens_at, closes_at = _local(fields["opens_at"]), _local(fields["closes_at"])
    except (KeyError, ValueError):
        problems["opens_at"] = N_("Enter the opening and closing times.")
        opens_at = closes_at = datetime.now(LOCAL_TZ)
    items = []
    for line in fields.get("items", "").splitlines():
        title, _, cost = line.partition("|")
        if title.strip():
            amount = yuan(cost, low=0) if cost.strip() else 0
            if amount is None:
                problems["items"] = N_("Write each item as: title | cost in yuan")
            items.append(NewItem(title.strip(), amount or 0))
    area = None
    try:
        area = get_area(session, record_id(fields.get("area_id")))
    except (ValueError, DomainError):
        problems["area_id"] = N_("Choose an area.")
    budget = number("budget")
    places = number("places")
    form = BallotForm(
        kind=kind,
        min_choices=number("min_choices", 0) or 0,
        max_choices=number("max_choices"),
        budget=budget,
        points=number("points"),
        max_per_item=number("max_per_item"),
    )
    rule: dict[str, Any] = {"rule": rule_name}
    if places is not None:
        rule["places"] = places
    if budget is not None:
        rule["budget"] = budget
    congress = number("congress_id")
    if problems or area is None:
        raise DomainError("box.invalid", N_("Please correct the marked fields."), fields=problems)
    return NewBox(
        title=fields.get("title", ""),
        description=fields.get("description", ""),
        area=area,
        roll=roll,
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
    try:
        new = parse_new_box(session, fields)
        authorize(request, Permission.MANAGE_BALLOTS, new.area.path)
        box = create_box(session, new, user(request).id)
    except DomainError as error:
        return await _list_page(request, 422, form=fields, errors=error.fields, error=error.message)
    log_action(request, "ballot.create", f"ballot:{box.id}", title=box.title)
    flash(request, "The ballot has been created.", "success")
    return htmx.redirect(request, f"/admin/ballots/{box.id}")


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
    try:
        enter_batch(db(request), box, fields.get("label", ""), user(request).id, ballots)
    except DomainError as error:
        return await _box_admin(request, box, 422, error=error.message)
    log_action(
        request,
        "ballot.paper_entry",
        f"ballot:{box.id}",
        batch=fields.get("label"),
        count=len(ballots),
    )
    flash(request, "The batch has been entered.", "success")
    return htmx.redirect(request, f"/admin/ballots/{box.id}")


@requires(Permission.COUNT_PAPER)
async def paper_counts(request: Request) -> Response:
    """A teller enters a batch as per-item counts (for count-based rules)."""
    box = _scoped_box(request, Permission.COUNT_PAPER)
    fields = await form_fields(request)
    keys = [item.key for item in items_of(db(request), box)]
    try:
        counts = read_counts(keys, fields.get("counts", ""))
        valid, void = int(fields.get("valid", "")), int(fields.get("void", "0") or 0)
    except LineError as bad:
        return await _box_admin(
            request,
            box,
            422,
            form=fields,
            error=N_("Line %(line)s cannot be read; see the format above."),
            error_params={"line": bad.line},
        )
    except ValueError:
        return await _box_admin(
            request, box, 422, form=fields, error=N_("Enter the numbers of valid and void ballots.")
        )
    problem = counts_problem(box.form, keys, valid, counts)
    if problem is None and void < 0:
        problem = N_("Counts cannot be negative.")
    if problem:
        return await _box_admin(request, box, 422, form=fields, error=problem)
    ballots = expand(box.form, keys, valid, void, counts)
    try:
        enter_batch(db(request), box, fields.get("label", ""), user(request).id, ballots)
    except DomainError as error:
        return await _box_admin(request, box, 422, form=fields, error=error.message)
    log_action(
        request,
        "ballot.paper_counts",
        f"ballot:{box.id}",
        batch=fields.get("label"),
        valid=valid,
        void=void,
    )
    flash(request, "The batch has been entered.", "success")
    return htmx.redirect(request, f"/admin/ballots/{box.id}")


@requires(Permission.COUNT_PAPER)
async def recount(request: Request) -> Response:
    box = _scoped_box(request, Permission.COUNT_PAPER)
    fields = await form_fields(request)
    try:
        recount_batch(db(request), box, fields.get("label", ""))
    except DomainError as error:
        return await _box_admin(request, box, error.status, error=error.message)
    log_action(request, "ballot.paper_recount", f"ballot:{box.id}", batch=fields.get("label"))
    flash(request, "Both tellers can now enter the batch again.", "success")
    return htmx.redirect(request, f"/admin/ballots/{box.id}")


@requires(Permission.MANAGE_BALLOTS)
async def publish_results(request: Request) -> Response:
    box = _scoped_box(request, Permission.MANAGE_BALLOTS)
    try:
        bulletin = publish(db(request), box, now(request))
    except DomainError as error:
        return await _box_admin(request, box, 422, error=error.message, error_params=error.params)
    log_action(request, "ballot.publish", f"ballot:{box.id}", root=bulletin["root"])
    flash(request, "The results have been published.", "success")
    return htmx.redirect(request, f"/ballots/{box.id}")


routes = [
    Route("/admin/ballots", boxes, methods=["GET", "POST"]),
    Route("/admin/ballots/{box_id:int}", box_admin),
    Route("/admin/ballots/{box_id:int}/paper", paper, methods=["POST"]),
    Route("/admin/ballots/{box_id:int}/paper-counts", paper_counts, methods=["POST"]),
    Route("/admin/ballots/{box_id:int}/recount", recount, methods=["POST"]),
    Route("/admin/ballots/{box_id:int}/publish", publish_results, methods=["POST"]),
]
