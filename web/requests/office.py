"""The back office of requests: the queue, one request with what each person may do
to it (accept, return, transfer, joint handling, records and reply, propose closure;
routing staff redirect; staff record a return visit by phone)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import Area
from participation.errors import N_, DomainError
from participation.requests import (
    closing,
    handling,
    merging,
    places,
    queues,
    routing,
    units,
)
from participation.requests.deadlines import lateness_of, local_day
from participation.requests.models import ResidentRequest
from participation.requests.records import get_request
from participation.requests.rules.catalog import CATEGORIES, CHANNELS, STATUSES
from participation.requests.rules.lateness import Due, Lateness
from participation.rules.permissions import Permission
from web.kit import htmx
from web.kit.auth import requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import FormReader, form_fields, record_id
from web.kit.i18n import format_datetime, gettext
from web.kit.refusals import act_or_rerender
from web.kit.tabular import table_response
from web.kit.templating import flash, render
from web.requests import acting, history, loop_panels, mediation
from web.requests import supervision as supervision_pages
from web.requests.forms import LABELS, images, paths_for

QUEUE_PAGE = 30


def _id_param(request: Request, name: str) -> int:
    """A keyset bound from the query (``after``/``before``); anything else is 0, none."""
    return record_id(request.query_params.get(name))


def _queue_rows(
    request: Request, *, after: int = 0, before: int = 0, limit: int = 500
) -> tuple[list[queues.QueueRow], dict[int, Lateness], str]:
    """The person's queue, filtered by the query's status and due (overdue or soon)."""
    me = user(request)
    status = request.query_params.get("status") or None
    due = request.query_params.get("due", "")
    due = due if due in (Due.OVERDUE, Due.SOON) else ""
    today = local_day(now(request))
    rows = queues.queue(
        db(request),
        handle_paths=paths_for(me, Permission.HANDLE_REQUESTS),
        route_paths=paths_for(me, Permission.ROUTE_REQUESTS),
        status=status,
        due=due,
        today=today,
        after=after,
        before=before,
        limit=limit,
        account_id=me.id,
    )
    flags = {r.request.id: lateness_of(r.request, today) for r in rows}
    return rows, flags, due


@requires(Permission.HANDLE_REQUESTS)
async def queue(request: Request) -> Response:
    """Paged in SQL by request id: ``?after=ID`` the next page, ``?before=ID`` the one
    before; one more row than shown tells whether there is a next (or previous) page."""
    after, before = _id_param(request, "after"), _id_param(request, "before")
    rows, flags, due = _queue_rows(
        request, after=after, before=0 if after else before, limit=QUEUE_PAGE + 1
    )
    if before and not after:
        has_previous, has_next = len(rows) > QUEUE_PAGE, True
        rows = rows[-QUEUE_PAGE:]
    else:
        has_previous, has_next = after > 0, len(rows) > QUEUE_PAGE
        rows = rows[:QUEUE_PAGE]
    status = request.query_params.get("status") or None
    context = (
        LABELS
        | {
            "rows": rows,
            "previous_before": rows[0].request.id if rows and has_previous else None,
            "next_after": rows[-1].request.id if rows and has_next else None,
            "status": status or "",
            "due": due,
            "flags": flags,
        }
        | loop_panels.deputy_context(request)
    )
    return render(request, "requests/office/queue.html", context)


def _detail_context(request: Request, found: ResidentRequest) -> dict[str, Any]:
    """The office page of a request in a fixed number of statements, however long its
    history and however many units help: where the person stands with it is asked
    once (acting.standing) and every panel reads that answer."""
    session = db(request)
    me = user(request)
    # Held for the whole page: the session keeps it (its identity map holds objects
    # weakly), and where the person stands, the steps and the mediation panel read it.
    place = session.get(Area, found.area_id)
    seen = acting.require_sight(request, found)
    everything = history.wants_all(request.query_params)
    shown = history.timeline(
        request, found, page=f"/admin/requests/{found.id}", everything=everything
    )
    followed = shown["f"]
    router = seen.router
    # The unit lists serve the lead unit's and routing staff's forms only.
    unit_place = (
        places.unit_choice(session, _id_param(request, "unit_area") or None, found.area_id)
        if seen.lead is not None or router
        else places.UnitChoice(flat=True, choices=[])
    )
    return (
        LABELS
        | shown
        | {
            "lead": seen.lead,
            "acting": seen.acting,
            "router": router,
            "unit_choices": unit_place.choices,
            "unit_place": unit_place,
            "late": lateness_of(found, local_day(now(request))),
            "suggestions": merging.suggestions(session, found) if router else [],
        }
        | mediation.office_panel(request, found, seen, place)
        | supervision_pages.office_context(session, me, found, seen, everything)
        | loop_panels.office_panel(request, found, followed)
    )


@requires(Permission.HANDLE_REQUESTS)
async def detail(request: Request) -> Response:
    found = get_request(db(request), request.path_params["request_id"])
    return render(request, "requests/office/request.html", _detail_context(request, found))


Act = Callable[[ResidentRequest, dict[str, str], FormReader], str]


async def _act(request: Request, act: Act) -> Response:
    """Run one back-office action on a request, or show the page again with why not."""
    session = db(request)
    found = get_request(session, request.path_params["request_id"])
    acting.require_sight(request, found)
    fields = await form_fields(request)

    def run() -> Response:
        form = FormReader(fields)
        message = act(found, fields, form)
        flash(request, message, "success")
        return htmx.redirect(request, f"/admin/requests/{found.id}")

    async def page(error: DomainError) -> Response:
        return refused_detail(request, found.id, fields, error)

    return await act_or_rerender(request, run, page)


def refused_detail(
    request: Request, request_id: int, fields: dict[str, str], error: DomainError
) -> Response:
    """The request's office page again after a refused action (act_or_rerender has
    rolled back): read afresh, with the form as sent and the refusal's messages."""
    again = get_request(db(request), request_id)
    return render(
        request,
        "requests/office/request.html",
        _detail_context(request, again)
        | {"form": fields, "errors": error.fields, "error": error.message},
        status=error.status,
    )


#: For the other back-office modules of this area (the loop's matter actions).
act_on = _act


OTHER_UNIT = N_("This request is with another unit.")


def _lead(request: Request, found: ResidentRequest) -> int:
    unit_id = acting.standing(request, found).lead
    if unit_id is None:
        raise DomainError("request.other_unit", OTHER_UNIT, status=403)
    return unit_id


def _acting(request: Request, found: ResidentRequest) -> int:
    unit_id = acting.standing(request, found).acting
    if unit_id is None:
        raise DomainError("request.other_unit", OTHER_UNIT, status=403)
    return unit_id


def _router(request: Request, found: ResidentRequest) -> None:
    if not acting.standing(request, found).router:
        raise DomainError(
            "request.not_router", N_("Only routing staff of this place can do that."), status=403
        )


@requires(Permission.HANDLE_REQUESTS)
async def accept(request: Request) -> Response:
    def act(found: ResidentRequest, fields: dict[str, str], form: FormReader) -> str:
        handling.accept(db(request), found, _lead(request, found), now(request), user(request).id)
        return N_("The request is accepted.")

    return await _act(request, act)


@requires(Permission.HANDLE_REQUESTS)
async def return_request(request: Request) -> Response:
    def act(found: ResidentRequest, fields: dict[str, str], form: FormReader) -> str:
        up = handling.return_request(
            db(request),
            found,
            _lead(request, found),
            fields.get("reason", ""),
            now(request),
            user(request).id,
        )
        return (
            N_("Past the cap: the request went to the level above.")
            if up
            else N_("The request is returned for routing.")
        )

    return await _act(request, act)


@requires(Permission.HANDLE_REQUESTS)
async def transfer(request: Request) -> Response:
    def act(found: ResidentRequest, fields: dict[str, str], form: FormReader) -> str:
        session = db(request)
        lead = _lead(request, found)
        to = units.resolve(session, fields.get("unit", ""), "unit")
        up = handling.transfer(
            session, found, lead, to, fields.get("reason", ""), now(request), user(request).id
        )
        return (
            N_("Past the cap: the request went to the level above.")
            if up
            else N_("The request is transferred.")
        )

    return await _act(request, act)


@requires(Permission.HANDLE_REQUESTS)
async def join(request: Request) -> Response:
    def act(found: ResidentRequest, fields: dict[str, str], form: FormReader) -> str:
        session = db(request)
        lead = _lead(request, found)
        helper = units.resolve(session, fields.get("helper", ""), "helper")
        handling.join(session, found, lead, helper, now(request), user(request).id)
        return N_("The helping unit is added.")

    return await _act(request, act)


@requires(Permission.HANDLE_REQUESTS)
async def add_record(request: Request) -> Response:
    photos = await images(request, "attachments")

    def act(found: ResidentRequest, fields: dict[str, str], form: FormReader) -> str:
        minutes = form.number("minutes", low=0, high=handling.MAX_MINUTES, default=0) or 0
        form.check()
        is_reply = fields.get("kind") == "reply"
        handling.record(
            db(request),
            found,
            _lead(request, found) if is_reply else _acting(request, found),
            now(request),
            user(request).id,
            note=fields.get("note", ""),
            minutes=minutes,
            is_reply=is_reply,
            images=photos,
        )
        return N_("The reply is sent.") if is_reply else N_("The handling record is added.")

    return await _act(request, act)


@requires(Permission.HANDLE_REQUESTS)
async def propose(request: Request) -> Response:
    def act(found: ResidentRequest, fields: dict[str, str], form: FormReader) -> str:
        handling.propose_closure(
            db(request),
            found,
            _lead(request, found),
            fields.get("result", ""),
            now(request),
            user(request).id,
        )
        return N_("Closure proposed; the requester is asked to confirm.")

    return await _act(request, act)


@requires(Permission.ROUTE_REQUESTS)
async def redirect(request: Request) -> Response:
    def act(found: ResidentRequest, fields: dict[str, str], form: FormReader) -> str:
        session = db(request)
        _router(request, found)
        unit = units.resolve(session, fields.get("unit", ""), "unit")
        routing.redirect(
            session, found, unit, fields.get("reason", ""), now(request), user(request).id
        )
        return N_("The request is sent to the unit.")

    return await _act(request, act)


@requires(Permission.HANDLE_REQUESTS)
async def phone_visit(request: Request) -> Response:
    def act(found: ResidentRequest, fields: dict[str, str], form: FormReader) -> str:
        reopened = closing.visit(
            db(request),
            found,
            fields.get("rating", ""),
            fields.get("comment", ""),
            "phone",
            now(request),
            user(request).id,
        )
        return (
            N_("Reopened for a second handling under supervision.")
            if reopened
            else N_("The return visit is recorded.")
        )

    return await _act(request, act)


@requires(Permission.HANDLE_REQUESTS)
async def queue_table(request: Request) -> Response:
    """The queue as shown, as CSV or XLSX (no requester names or phones)."""
    rows, flags, _ = _queue_rows(request)
    header = [
        gettext(h)
        for h in (
            N_("Tracking number"),
            N_("Kind of matter"),
            N_("Channel"),
            N_("Status"),
            N_("Where"),
            N_("Unit"),
            N_("Filed"),
            N_("Accept by"),
            N_("Resolve by"),
            N_("Working days overdue"),
        )
    ]
    body = [
        [
            r.request.number,
            gettext(CATEGORIES.get(r.request.category, r.request.category)),
            gettext(CHANNELS.get(r.request.channel, r.request.channel)),
            gettext(STATUSES.get(r.request.status, r.request.status)),
            r.place.name,
            r.unit.name if r.unit else "",
            format_datetime(r.request.filed_at),
            r.request.accept_due.isoformat() if r.request.accept_due else "",
            r.request.resolve_due.isoformat() if r.request.resolve_due else "",
            flags[r.request.id].working_days_late,
        ]
        for r in rows
    ]
    fmt = "xlsx" if request.url.path.endswith(".xlsx") else "csv"
    return table_response("requests", header, body, fmt)


routes = [
    Route("/admin/requests", queue),
    Route("/admin/requests.csv", queue_table),
    Route("/admin/requests.xlsx", queue_table),
    Route("/admin/requests/{request_id:int}", detail),
    Route("/admin/requests/{request_id:int}/accept", accept, methods=["POST"]),
    Route("/admin/requests/{request_id:int}/return", return_request, methods=["POST"]),
    Route("/admin/requests/{request_id:int}/transfer", transfer, methods=["POST"]),
    Route("/admin/requests/{request_id:int}/join", join, methods=["POST"]),
    Route("/admin/requests/{request_id:int}/record", add_record, methods=["POST"]),
    Route("/admin/requests/{request_id:int}/propose", propose, methods=["POST"]),
    Route("/admin/requests/{request_id:int}/redirect", redirect, methods=["POST"]),
    Route("/admin/requests/{request_id:int}/visit", phone_visit, methods=["POST"]),
]


@requires(Permission.ROUTE_REQUESTS)
async def merge(request: Request) -> Response:
    def act(found: ResidentRequest, fields: dict[str, str], form: FormReader) -> str:
        session = db(request)
        _router(request, found)
        into_id = form.record("into", required=True)
        form.check()
        into = session.get(ResidentRequest, into_id)
        if into is None or not acting.standing(request, into).router:
            message = N_("Choose another open request to merge into.")
            raise DomainError("request.merge_target", message, fields={"into": message})
        merging.merge(session, found, into, now(request), user(request).id)
        return N_("The requests are merged; every requester is told.")

    return await _act(request, act)


routes.append(Route("/admin/requests/{request_id:int}/merge", merge, methods=["POST"]))
