"""Public ballot pages: the box, casting, receipts, results and the bulletin."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from participation import sealing
from participation.ballots import casting, closing
from participation.ballots.boxes import boxes_by_closing, get_box, items_of
from participation.ballots.models import BallotBox
from participation.ballots.rules.ballot_forms import budget_use
from participation.errors import N_, DomainError
from web.ballots.forms import raw_ballot
from web.kit import htmx
from web.kit.auth import current_user_or_none, refuse_assisted, signed_in_id
from web.kit.clock import now
from web.kit.dbsession import db, write_briefly
from web.kit.forms import parsed_form
from web.kit.pagination import page_number
from web.kit.templating import render

STATUS_LABELS = {
    "upcoming": N_("Not yet open"),
    "open": N_("Open for voting"),
    "counting": N_("Closed, awaiting results"),
    "published": N_("Results published"),
}


def box_status(box: BallotBox, at: Any) -> str:
    if box.published_at is not None:
        return "published"
    if at < box.opens_at:
        return "upcoming"
    return "open" if at < box.closes_at else "counting"


#: Ballot boxes a page of the public list.
BOXES_PER_PAGE = 50


async def ballot_list(request: Request) -> Response:
    """The ballot boxes, a page at a time, the latest to close first."""
    at = now(request)
    found = boxes_by_closing(db(request), page=page_number(request), per_page=BOXES_PER_PAGE)
    rows = [(box, box_status(box, at)) for box in found.items]
    return render(
        request, "ballots/list.html", {"rows": rows, "labels": STATUS_LABELS, "found": found}
    )


async def _box_page(request: Request, box: BallotBox, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    at = now(request)
    me = current_user_or_none(request)
    verdict = casting.eligibility(session, box, me.id, at) if me else None
    voted = bool(
        verdict
        and verdict.ok
        and verdict.voter_key
        and casting.has_voted(session, box, verdict.voter_key)
    )
    items = items_of(session, box)
    # A refused ballot comes back as it was filled in (no JavaScript needed).
    submitted: dict[str, Any] = extra.pop("submitted", {})
    chosen = {str(key) for key in submitted.get("approved", [])}
    context = {
        "box": box,
        "submitted": submitted,
        "chosen": chosen,
        "budget_use": budget_use(box.form, {i.key: i.cost or 0 for i in items}, chosen),
        "form_spec": box.form,
        "items": items,
        "state": box_status(box, at),
        "labels": STATUS_LABELS,
        "verdict": verdict,
        "ineligible_message": casting.INELIGIBLE.get(verdict.reason or "") if verdict else None,
        "voted": voted,
        "tally": box.tally,
        "receipt_query": request.query_params.get("receipt", ""),
        "receipt_found": None,
    } | extra
    query = context["receipt_query"]
    if query and box.bulletin_root:
        context["receipt_found"] = closing.in_bulletin(session, box, str(query))
    return render(request, "ballots/box.html", context, status=status)


async def box_page(request: Request) -> Response:
    return await _box_page(request, get_box(db(request), request.path_params["box_id"]))


def cast_target(request: Request, box_id: int) -> casting.CastTarget:
    """What casting needs of a box, kept per app (per worker process): a box never
    changes it once created, and reading it costs three queries per ballot."""
    targets: dict[int, casting.CastTarget] = request.app.state.cast_targets
    target = targets.get(box_id)
    if target is None:
        target = casting.cast_target(db(request), get_box(db(request), box_id))
        if len(targets) > 1000:
            targets.clear()
        targets[box_id] = target
    return target


async def cast(request: Request) -> Response:
    refuse_assisted(request)  # a vote is cast in person, never at the desk
    account_id = signed_in_id(request)
    session = db(request)
    target = cast_target(request, request.path_params["box_id"])
    form = await parsed_form(request)
    raw = raw_ballot(target.form.kind, list(target.costs), form)
    # Not act_or_rerender: casting is a short write (see write_briefly), which rolls
    # back its own transaction when refused; a rollback here would make the page's
    # reads begin a write transaction, holding SQLite's write lock to show a refusal.
    try:
        prepared = casting.prepare_cast(session, target, account_id, raw, now(request))
        receipt = write_briefly(request, lambda s: casting.record_cast(s, target, prepared))
    except DomainError as error:
        box = get_box(session, target.box_id)
        return await _box_page(
            request,
            box,
            status=error.status,
            error=error.message,
            error_params=error.params,
            submitted=raw,
        )
    request.session[f"receipt:{target.box_id}"] = _sealed_receipt(target.box_id, receipt.code)
    return htmx.redirect(request, f"/ballots/{target.box_id}/receipt")


# The receipt code rides in the session (signed, readable by whoever holds the
# cookie or, were sessions stored server-side, the store) only sealed under the
# portal's key, until the receipt page shows it once.
PLAIN_CODE = re.compile(r"[0-9A-F]{4}(-[0-9A-F]{4}){3}")


def _receipt_purpose(box_id: int) -> str:
    return f"receipt-code:{box_id}"


def _sealed_receipt(box_id: int, code: str) -> str:
    sealed = sealing.seal(_receipt_purpose(box_id), code.encode(), 32)
    return base64.urlsafe_b64encode(sealed).decode()


def _opened_receipt(box_id: int, value: object) -> str | None:
    if not isinstance(value, str):
        return None
    if PLAIN_CODE.fullmatch(value):  # put there before receipts were sealed
        return value
    try:
        return sealing.unseal(_receipt_purpose(box_id), base64.urlsafe_b64decode(value)).decode()
    except (ValueError, sealing.SealingError):
        return None


async def receipt_page(request: Request) -> Response:
    box = get_box(db(request), request.path_params["box_id"])
    code = _opened_receipt(box.id, request.session.pop(f"receipt:{box.id}", None))
    response = render(request, "ballots/receipt.html", {"box": box, "code": code})
    response.headers["Cache-Control"] = "no-store"
    return response


async def bulletin(request: Request) -> Response:
    box = get_box(db(request), request.path_params["box_id"])
    if not box.bulletin_json:
        raise DomainError("box.unpublished", N_("The results are not published yet."), status=404)
    return JSONResponse(
        json.loads(box.bulletin_json),
        headers={"Content-Disposition": f'attachment; filename="bulletin-{box.id}.json"'},
    )


routes = [
    Route("/ballots", ballot_list),
    Route("/ballots/{box_id:int}", box_page),
    Route("/ballots/{box_id:int}/cast", cast, methods=["POST"]),
    Route("/ballots/{box_id:int}/receipt", receipt_page),
    Route("/ballots/{box_id:int}/bulletin.json", bulletin),
]
