"""Residents' side: file a request, see its number and secret once, follow it by
number without signing in, answer a proposed closure and rate the handling; grid
and desk workers file for residents from a phone-sized page."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.errors import N_, DomainError
from participation.requests import closing, files, guessing, intake, places, tracking
from participation.requests.deadlines import lateness_of, local_day
from participation.requests.models import ResidentRequest
from participation.requests.rules.catalog import DESK_CHANNELS, GRID_CHANNELS
from participation.requests.rules.flow import RejectOutcome
from participation.rolls import entry_of_account
from participation.rules.permissions import Permission
from participation.rules.ratelimit import RateDecision
from web.kit import htmx, i18n
from web.kit.auth import current_user_or_none, requires, user
from web.kit.client_ip import client_ip
from web.kit.clock import now
from web.kit.dbsession import db, keep_on_refusal, write_briefly
from web.kit.forms import form_fields, record_id
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render
from web.requests import acting, grids, history, loop_panels, mediation
from web.requests.forms import LABELS, images, read_request

NO_MATCH = N_("No request matches this number and secret. Check both and try again.")


async def index(request: Request) -> Response:
    return render(request, "requests/index.html", LABELS | loop_panels.deputy_context(request))


def _record(fields: dict[str, str], name: str = "area_id") -> int | None:
    return record_id(fields.get(name)) or None


def _place_param(request: Request) -> int | None:
    """The area chosen so far in the place cascade (``?place=ID``; else None)."""
    return _record(dict(request.query_params), "place")


def _write_filing(request: Request, prepared: intake.Prepared) -> intake.Filed:
    """Write a prepared filing in a short write transaction, committed here
    (/requests/new and /requests/assist are web.kit.dbsession.SHORT_WRITES)."""
    at = now(request)
    return write_briefly(request, lambda s: intake.record_filing(s, prepared, at))


def _filed(request: Request, filed: intake.Filed) -> Response:
    request.session["filed"] = [filed.request.number, filed.secret]
    return htmx.redirect(request, "/requests/filed")


async def new_request(request: Request) -> Response:
    """A resident files online, under their roll name when verified."""
    me = user(request)
    session = db(request)

    def home_of() -> int | None:  # only pages need it: filing reads the roll itself
        entry = entry_of_account(session, me.id)
        return entry.community_id if entry else None

    def context(at: int | None, home: int | None) -> dict[str, Any]:
        return LABELS | {
            "place": places.choose(session, at, None),
            "place_action": "/requests/new",
            "home": home,
        }

    if request.method == "GET":
        home = home_of()
        # No ?place: start at the resident's community; ?place= (choose again): the top.
        at = _place_param(request) if "place" in request.query_params else home
        return render(
            request,
            "requests/new.html",
            context(at, home) | {"form": {"area_id": str(home or "")}},
        )
    fields = await form_fields(request)
    photos = await images(request)

    def act() -> Response:
        new, form = read_request(fields, channel="online")
        form.check()
        # Checks and routing first without the write lock, then a short locked write.
        prepared = intake.prepare_filing(
            session, new, filer_id=me.id, requester_id=me.id, images=photos
        )
        return _filed(request, _write_filing(request, prepared))

    async def page(error: DomainError) -> Response:
        return render(
            request,
            "requests/new.html",
            context(_record(fields), home_of())
            | {"form": fields, "errors": error.fields, "error": error.message},
            status=error.status,
        )

    return await act_or_rerender(request, act, page)


@requires(Permission.FILE_REQUESTS)
async def assist(request: Request) -> Response:
    """A grid worker (on patrol, or for a resident: 代办) or a desk worker (walk-in,
    12345 hotline) files a request in an area they cover; a grid worker assigned to
    grids, only in the grids they cover today (web.requests.grids.filing_scope)."""
    me = user(request)
    session = db(request)
    scope = grids.filing_scope(session, me, local_day(now(request)))
    channels = (*GRID_CHANNELS, *DESK_CHANNELS)

    def context(at: int | None) -> dict[str, Any]:
        return LABELS | {
            "place": places.choose(session, at, scope),
            "place_action": "/requests/assist",
            "channel_choices": channels,
        }

    if request.method == "GET":
        return render(
            request,
            "requests/assist.html",
            context(_place_param(request)) | {"form": {"channel": "assisted"}},
        )
    fields = await form_fields(request)
    photos = await images(request)

    def act() -> Response:
        channel = fields.get("channel", "")
        if channel not in channels:
            message = N_("Choose one.")
            raise DomainError(
                "request.form", N_("Please correct the marked fields."), fields={"channel": message}
            )
        new, form = read_request(fields, channel=channel)
        form.check()
        prepared = intake.prepare_filing(
            session, new, filer_id=me.id, requester_id=None, images=photos, scope=scope
        )
        return _filed(request, _write_filing(request, prepared))

    async def page(error: DomainError) -> Response:
        return render(
            request,
            "requests/assist.html",
            context(_record(fields))
            | {"form": fields, "errors": error.fields, "error": error.message},
            status=error.status,
        )

    return await act_or_rerender(request, act, page)


async def filed_page(request: Request) -> Response:
    """The number and secret, shown once after filing (then gone from the session)."""
    shown = request.session.pop("filed", None)
    if not (isinstance(shown, list) and len(shown) == 2):
        return htmx.redirect(request, "/requests/track")
    page = render(request, "requests/filed.html", {"number": shown[0], "secret": shown[1]})
    return _private(page)


def _follow_context(
    request: Request, found: ResidentRequest, fields: dict[str, str] | None = None
) -> dict[str, Any]:
    """The requester's page of a request: its newest steps, or every one when the
    query asks (signed in), or the posted form (``fields``: a follower by number,
    whose page answers a post and whose secret goes in no link)."""
    page = f"/requests/mine/{found.id}" if "request_id" in request.path_params else None
    everything = history.wants_all(request.query_params if fields is None else fields)
    return (
        LABELS
        | history.timeline(request, found, page=page, everything=everything)
        | {"late": lateness_of(found, local_day(now(request)))}
        | mediation.follow_panel(request, found)
        | loop_panels.follow_panel(request, found)
    )


#: How many requests one browser session may follow at once (photos shown by session).
TRACKED_KEEP = 10


def _private(response: Response) -> Response:
    """Pages that carry a secret or what it unlocks: kept out of every cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _remember(request: Request, found: ResidentRequest) -> None:
    """This browser session followed ``found``: its photos are shown without the
    secret in their links."""
    kept = [i for i in request.session.get("tracked", []) if isinstance(i, int) and i != found.id]
    request.session["tracked"] = [*kept, found.id][-TRACKED_KEEP:]


def _tracked(request: Request) -> list[int]:
    kept = request.session.get("tracked", [])
    return [i for i in kept if isinstance(i, int)] if isinstance(kept, list) else []


def _lookup(request: Request, fields: dict[str, str]) -> ResidentRequest:
    """The request these credentials open, within the limits on guessing; a
    DomainError (the same words whether the number exists or not) otherwise."""
    session = db(request)
    number, secret = fields.get("number", "")[:40], fields.get("secret", "")[:40]
    lookup = guessing.Lookup(number, client_ip(request))
    at = now(request)
    decision = guessing.decision(session, lookup, at)
    if not decision.allowed:
        raise TooManyLookups(decision)
    found = tracking.find(session, number, secret)
    if found is None:
        guessing.record_miss(session, lookup, at)
        keep_on_refusal(request)  # the miss counts towards the limits
        raise DomainError("request.no_match", NO_MATCH, status=404)
    return found


class TooManyLookups(DomainError):
    def __init__(self, decision: RateDecision) -> None:
        minutes = max(1, math.ceil(decision.retry_after.total_seconds() / 60))
        super().__init__(
            "request.too_many",
            i18n.ngettext(
                "Too many tries. Please try again in %(num)s minute.",
                "Too many tries. Please try again in %(num)s minutes.",
                minutes,
            ),
            status=429,
        )
        self.decision = decision


def _track_form(request: Request, number: str, error: DomainError) -> Response:
    page = render(
        request,
        "requests/track.html",
        {"form": {"number": number}, "error": error.message},
        status=error.status,
    )
    if isinstance(error, TooManyLookups):
        wait = int(error.decision.retry_after.total_seconds()) + 1
        page.headers["Retry-After"] = str(wait)
    return _private(page)


async def track(request: Request) -> Response:
    """Follow a request by number and secret, signed in or not. The two are posted,
    never put in a link: no browser history, Referer or access log carries them."""
    if request.method == "GET":
        return render(request, "requests/track.html", {"form": {}})
    fields = await form_fields(request)
    try:
        found = _lookup(request, fields)
    except DomainError as error:
        return _track_form(request, fields.get("number", "")[:40], error)
    _remember(request, found)
    context = _follow_context(request, found, fields) | {
        "action_base": "/requests/track",
        "credentials": _credentials(fields),
    }
    return _private(render(request, "requests/followed.html", context))


async def _by_credentials(request: Request) -> ResidentRequest:
    return _lookup(request, await form_fields(request))


async def _mine(request: Request) -> ResidentRequest:
    me = user(request)
    found = db(request).get(ResidentRequest, request.path_params["request_id"])
    # Someone else's request looks like no request at all.
    if found is None or found.requester_id != me.id:
        raise DomainError("request.not_found", N_("No such request."), status=404)
    return found


#: What answers a done action: a redirect for the requester, the page itself for a
#: follower by number (whose secret may not go into a link).
Back = Callable[[Request, ResidentRequest], Response]


async def _answer(request: Request, found: ResidentRequest, back: Back) -> Response:
    fields = await form_fields(request)
    me = current_user_or_none(request)
    actor = me.id if me else None
    session = db(request)

    def act() -> Response:
        choice = fields.get("answer")
        if choice == "confirm":
            closing.confirm(session, found, now(request), actor)
            flash(request, "Thank you. The request is closed.", "success")
        elif choice == "reject":
            outcome = closing.reject(session, found, fields.get("reason", ""), now(request), actor)
            if outcome is RejectOutcome.REOPEN:
                flash(request, "The request is reopened with the same unit.", "info")
            else:
                flash(request, "The request has gone to the level above.", "info")
        else:
            raise DomainError(
                "request.answer", N_("Choose one."), fields={"answer": N_("Choose one.")}
            )
        return back(request, found)

    async def page(error: DomainError) -> Response:
        session.refresh(found)
        return _private(
            render(
                request,
                "requests/followed.html",
                _follow_context(request, found, fields)
                | {
                    "action_base": _base(request),
                    "credentials": _credentials(fields),
                    "form": fields,
                    "errors": error.fields,
                    "error": error.message,
                },
                status=error.status,
            )
        )

    return await act_or_rerender(request, act, page)


async def _visit(request: Request, found: ResidentRequest, back: Back) -> Response:
    fields = await form_fields(request)
    me = current_user_or_none(request)
    session = db(request)

    def act() -> Response:
        reopened = closing.visit(
            session,
            found,
            fields.get("rating", ""),
            fields.get("comment", ""),
            "online",
            now(request),
            me.id if me else None,
        )
        if reopened:
            flash(request, "Thank you. The request is reopened for a second handling.", "success")
        else:
            flash(request, "Thank you for your rating.", "success")
        return back(request, found)

    async def page(error: DomainError) -> Response:
        session.refresh(found)
        return _private(
            render(
                request,
                "requests/followed.html",
                _follow_context(request, found, fields)
                | {
                    "action_base": _base(request),
                    "credentials": _credentials(fields),
                    "form": fields,
                    "errors": error.fields,
                    "error": error.message,
                },
                status=error.status,
            )
        )

    return await act_or_rerender(request, act, page)


def _base(request: Request) -> str:
    if "request_id" in request.path_params:
        return f"/requests/mine/{request.path_params['request_id']}"
    return "/requests/track"


def _credentials(fields: dict[str, str]) -> dict[str, str]:
    return {k: fields[k][:40] for k in ("number", "secret") if fields.get(k)}


async def _by_number(request: Request, then: Callable[..., Awaitable[Response]]) -> Response:
    fields = await form_fields(request)
    try:
        found = _lookup(request, fields)
    except DomainError as error:
        return _track_form(request, fields.get("number", "")[:40], error)
    _remember(request, found)

    def shown(request: Request, found: ResidentRequest) -> Response:
        context = _follow_context(request, found, fields) | {
            "action_base": "/requests/track",
            "credentials": _credentials(fields),
        }
        return _private(render(request, "requests/followed.html", context))

    return await then(request, found, shown)


async def track_answer(request: Request) -> Response:
    return await _by_number(request, _answer)


async def track_visit(request: Request) -> Response:
    return await _by_number(request, _visit)


def _to_mine(request: Request, found: ResidentRequest) -> Response:
    return htmx.redirect(request, f"/requests/mine/{found.id}")


async def mine_list(request: Request) -> Response:
    me = user(request)
    rows = tracking.mine(db(request), me.id)
    return render(request, "requests/mine.html", LABELS | {"rows": rows})


async def mine_page(request: Request) -> Response:
    found = await _mine(request)
    context = _follow_context(request, found) | {
        "action_base": f"/requests/mine/{found.id}",
        "credentials": {},
    }
    return _private(render(request, "requests/followed.html", context))


async def mine_answer(request: Request) -> Response:
    user(request)
    return await _answer(request, await _mine(request), _to_mine)


async def mine_visit(request: Request) -> Response:
    user(request)
    return await _visit(request, await _mine(request), _to_mine)


async def photo(request: Request) -> Response:
    """A request's photos and its handling records' attachments are shown to whoever
    follows it (its requester, or a browser session that opened it by number and
    secret: no secret in the link) and to the staff handling or routing it; the
    file's id alone is not enough."""
    session = db(request)
    found = session.get(ResidentRequest, request.path_params["request_id"])
    if found is None:
        raise DomainError("request.no_file", N_("No such photo."), status=404)
    me = current_user_or_none(request)
    stored = files.get_file(session, found.id, request.path_params["file_id"])
    tracked = _tracked(request)
    allowed = (
        me is not None and (found.requester_id == me.id or acting.standing(request, found).sees)
    ) or tracking.may_see_file(session, found, stored, tracked, me.id if me else None)
    if not allowed:
        raise DomainError("request.no_file", N_("No such photo."), status=404)
    return Response(
        stored.data,
        media_type=stored.content_type,
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )


routes = [
    Route("/requests", index),
    Route("/requests/new", new_request, methods=["GET", "POST"]),
    Route("/requests/assist", assist, methods=["GET", "POST"]),
    Route("/requests/filed", filed_page),
    Route("/requests/track", track, methods=["GET", "POST"]),
    Route("/requests/track/answer", track_answer, methods=["POST"]),
    Route("/requests/track/visit", track_visit, methods=["POST"]),
    Route("/requests/mine", mine_list),
    Route("/requests/mine/{request_id:int}", mine_page),
    Route("/requests/mine/{request_id:int}/answer", mine_answer, methods=["POST"]),
    Route("/requests/mine/{request_id:int}/visit", mine_visit, methods=["POST"]),
    Route("/requests/{request_id:int}/files/{file_id:int}", photo),
]
