"""Error pages in the user's language: {status}.html, falling back to error.html."""

from __future__ import annotations

import logging
from http import HTTPStatus

import jinja2
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from participation.errors import N_, DomainError
from web.kit import i18n
from web.kit.auth import sign_in_redirect
from web.kit.templating import render

log = logging.getLogger("gongzhi")

TITLES = {
    400: N_("Bad request"),
    403: N_("You may not do this"),
    404: N_("Page not found"),
    405: N_("Method not allowed"),
    413: N_("What you sent is too large"),
    422: N_("The request could not be processed"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong on our side"),
    502: N_("A service we depend on is not answering"),
    503: N_("A service we depend on is not answering"),
}
EXPLANATIONS = {
    400: N_(
        "The form could not be read: a field may be too long (at most 1 MB each), or the "
        "form was damaged on the way. Nothing was saved; go back and try again."
    ),
    403: N_(
        "Your account does not have the role this page needs, or the form had expired. "
        "Go back, reload the page and try again."
    ),
    404: N_("The page may have moved, or the address may be mistyped."),
    413: N_(
        "Files must be smaller than this page accepts (photos at most 2 MB, ordinary forms "
        "at most 1 MB). Nothing was saved; go back and send less."
    ),
    500: N_("The error has been logged. Nothing was saved; please try again later."),
}


#: The 503 of a busy portal (no connection or request thread free in time); how
#: long to wait before trying again, in seconds (Retry-After).
BUSY_TITLE = N_("The portal is busy")
BUSY_EXPLANATION = N_(
    "Too many people are using the portal at this moment. Nothing was saved; "
    "please try again in a minute."
)
BUSY_RETRY_AFTER = "30"


def error_page(
    request: Request, status: int, detail: str | None = None, *, title: str | None = None
) -> Response:
    title = title or TITLES.get(status, TITLES[400])
    explanation = detail or EXPLANATIONS.get(status, "")
    if request.url.path.startswith("/api/"):
        body: dict[str, object] = {"error": i18n.gettext(title), "status": status}
        if detail:
            body["detail"] = detail
        return JSONResponse(body, status_code=status)
    return render(
        request,
        _error_template(request.app.state.templates, status),
        {
            "status": status,
            "title": title,
            "explanation": explanation,
            # The number in this request's log line (web.ops.observe), to quote when reporting.
            "request_id": request.scope.get("state", {}).get("request_id"),
        },
        status=status,
    )


def _error_template(env: jinja2.Environment, status: int) -> str:
    """``errors/{status}.html`` if there is one, else ``errors/error.html`` (asked of
    the loader: listing every template walked the whole folder on each error)."""
    name = f"errors/{status}.html"
    try:
        env.get_template(name)
    except jinja2.TemplateNotFound:
        return "errors/error.html"
    return name


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 401:
        return sign_in_redirect(request)
    detail = exc.detail if exc.detail not in (None, "") and exc.detail != _default(exc) else None
    return error_page(request, exc.status_code, detail)


def _default(exc: HTTPException) -> str:
    try:
        return HTTPStatus(exc.status_code).phrase
    except ValueError:
        return ""


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return error_page(request, exc.status, i18n.gettext(exc.message, **exc.params))


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    request.state.user = None  # the request's database session is already gone
    return error_page(request, 500)


async def busy(scope: Scope, receive: Receive, send: Send) -> None:
    """503 in the user's language when no database connection (or request thread)
    was free within ``GONGZHI_DB_POOL_TIMEOUT``: rendered without the database."""
    request = Request(scope, receive)
    request.state.user = None  # no connection to read the account with
    log.warning("busy: no database connection for %s %s", request.method, request.url.path)
    response = error_page(request, 503, i18n.gettext(BUSY_EXPLANATION), title=BUSY_TITLE)
    response.headers["Retry-After"] = BUSY_RETRY_AFTER
    await response(scope, receive, send)


async def refused(request: Request) -> Response:
    """Target of the CSRF middleware's refusals."""
    status = int(request.scope.get("gongzhi.refused", 404))
    return error_page(request, status)
