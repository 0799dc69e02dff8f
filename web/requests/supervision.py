"""Supervision (督办) pages: the supervision notices of one's units, extensions (延期)
asked by the handling unit and decided by the level above, and the deputies' liaison
station (代表联络站), where a deputy on a deputy roll sees the requests of their
constituency and adds supervision notes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import Area
from participation.errors import N_, DomainError
from participation.requests import supervision
from participation.requests.deadlines import lateness_of, local_day
from participation.requests.models import ResidentRequest
from participation.requests.records import get_request
from participation.requests.standing import Standing
from participation.rules.permissions import Permission
from web.kit import htmx
from web.kit.auth import CurrentUser, requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import FormReader, form_fields, record_id
from web.kit.pagination import to_the_start
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render
from web.requests import acting, history
from web.requests.forms import LABELS, paths_for

#: A request's notices shown on its office page, newest (``?history=all``: every one).
NOTICES_SHOWN = 10


def office_context(
    session: Session, me: CurrentUser, found: ResidentRequest, seen: Standing, everything: bool
) -> dict[str, Any]:
    """What the back-office page of a request shows of supervision: its extension and
    its newest notices (``everything``: all of them), in two statements."""
    extension = supervision.extension_of(session, found.id)
    notices, earlier = supervision.notices_of(
        session, found.id, None if everything else NOTICES_SHOWN
    )
    return {
        "supervision_notices": notices,
        "earlier_notices": earlier,
        "extension": extension,
        "extension_cap": supervision.cap_for(found),
        "may_ask_extension": seen.lead is not None and found.status == "accepted" and not extension,
        "may_decide_extension": extension is not None
        and extension.status == "pending"
        and extension.asked_by != me.id
        and seen.decides,
    }


@requires(Permission.HANDLE_REQUESTS)
async def notices_page(request: Request) -> Response:
    """督办单: the notices to units in the person's areas, newest first, by keyset
    (participation.requests.supervision.notices_page: ``after=`` / ``before=`` a
    notice's id); a link of the numbered pages it had (``?page=``) goes to the start."""
    params = request.query_params
    if "page" in params:
        return to_the_start(request)
    page = supervision.notices_page(
        db(request),
        paths_for(user(request), Permission.HANDLE_REQUESTS),
        after=record_id(params.get("after")),
        before=record_id(params.get("before")),
    )
    context = LABELS | {"rows": page.items, "page": page}
    return render(request, "requests/supervision/notices.html", context)


async def _on_request(request: Request, act: Any) -> Response:
    from web.requests.office import refused_detail  # office imports this module

    session = db(request)
    found = get_request(session, request.path_params["request_id"])
    me = user(request)
    seen = acting.require_sight(request, found)
    fields = await form_fields(request)

    def run() -> Response:
        message = act(session, me, found, seen, fields)
        flash(request, message, "success")
        return htmx.redirect(request, f"/admin/requests/{found.id}")

    async def page(error: DomainError) -> Response:
        return refused_detail(request, found.id, fields, error)

    return await act_or_rerender(request, run, page)


@requires(Permission.HANDLE_REQUESTS)
async def ask_extension(request: Request) -> Response:
    def act(
        session: Session,
        me: CurrentUser,
        found: ResidentRequest,
        seen: Standing,
        fields: dict[str, str],
    ) -> str:
        unit_id = seen.lead
        if unit_id is None:
            raise DomainError(
                "request.other_unit", N_("This request is with another unit."), status=403
            )
        form = FormReader(fields)
        days = form.number("days", low=1, high=366)
        form.check()
        supervision.ask_extension(
            session, found, unit_id, days, fields.get("reason", ""), now(request), me.id
        )
        return N_("The extension is asked for; the level above decides.")

    return await _on_request(request, act)


@requires(Permission.HANDLE_REQUESTS)
async def decide_extension(request: Request) -> Response:
    def act(
        session: Session,
        me: CurrentUser,
        found: ResidentRequest,
        seen: Standing,
        fields: dict[str, str],
    ) -> str:
        if not seen.decides:
            raise DomainError(
                "extension.not_above",
                N_("Only the level above the handling unit decides an extension."),
                status=403,
            )
        choice = fields.get("decision")
        if choice not in ("grant", "refuse"):
            message = N_("Choose one.")
            raise DomainError("extension.decision", message, fields={"decision": message})
        decided = supervision.decide_extension(
            session, found, choice == "grant", fields.get("answer", ""), now(request), me.id
        )
        return (
            N_("The extension is granted; the due date has moved.")
            if decided.status == "granted"
            else N_("The extension is refused.")
        )

    return await _on_request(request, act)


# --- the deputies' liaison station --------------------------------------------------------


def _constituency(request: Request) -> list[Area]:
    areas = supervision.constituencies(db(request), user(request).id)
    if not areas:
        raise HTTPException(403, "Only deputies on a deputy roll")
    return areas


async def deputy_list(request: Request) -> Response:
    areas = _constituency(request)
    open_only = request.query_params.get("all") != "1"
    session = db(request)
    rows = supervision.constituency_requests(session, areas, open_only=open_only)
    today = local_day(now(request))
    context = LABELS | {
        "areas": areas,
        "rows": rows,
        "flags": {r.id: lateness_of(r, today) for r, _ in rows},
        "open_only": open_only,
    }
    return render(request, "requests/supervision/deputy.html", context)


def _deputy_request(request: Request, areas: list[Area]) -> ResidentRequest:
    session = db(request)
    found = session.get(ResidentRequest, request.path_params["request_id"])
    # Outside the constituency looks like no request at all.
    if found is None or not supervision.in_constituency(session, areas, found):
        raise DomainError("request.not_found", N_("No such request."), status=404)
    return found


def _deputy_context(request: Request, found: ResidentRequest) -> dict[str, Any]:
    """A deputy's page of a request: its newest steps (``?history=all``: every one)."""
    page = f"/requests/deputy/{found.id}"
    everything = history.wants_all(request.query_params)
    return (
        LABELS
        | history.timeline(request, found, page=page, everything=everything)
        | {"late": lateness_of(found, local_day(now(request)))}
    )


async def deputy_request(request: Request) -> Response:
    found = _deputy_request(request, _constituency(request))
    return render(
        request, "requests/supervision/deputy_request.html", _deputy_context(request, found)
    )


async def deputy_note(request: Request) -> Response:
    found = _deputy_request(request, _constituency(request))
    fields = await form_fields(request)
    session = db(request)

    def run() -> Response:
        supervision.add_deputy_note(
            session, found, fields.get("note", ""), now(request), user(request).id
        )
        flash(request, N_("Your supervision note is on the request's timeline."), "success")
        return htmx.redirect(request, f"/requests/deputy/{found.id}")

    async def page(error: DomainError) -> Response:
        return render(
            request,
            "requests/supervision/deputy_request.html",
            _deputy_context(request, found)
            | {"form": fields, "errors": error.fields, "error": error.message},
            status=error.status,
        )

    return await act_or_rerender(request, run, page)


routes = [
    Route("/admin/requests/supervision", notices_page),
    Route("/admin/requests/{request_id:int}/extension", ask_extension, methods=["POST"]),
    Route("/admin/requests/{request_id:int}/extension/decide", decide_extension, methods=["POST"]),
    Route("/requests/deputy", deputy_list),
    Route("/requests/deputy/{request_id:int}", deputy_request),
    Route("/requests/deputy/{request_id:int}/note", deputy_note, methods=["POST"]),
]
