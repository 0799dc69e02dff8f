"""The account's notices inbox: read, mark read (one or all), page through."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation import notices
from participation.rules.permissions import Permission
from web.kit import htmx
from web.kit.auth import requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.pagination import page_number
from web.kit.templating import render


def _inbox_page(request: Request, page: int) -> Response:
    inbox = notices.inbox(db(request), user(request).id, page)
    return render(request, "accounts/inbox.html", {"inbox": inbox})


def _back(request: Request, page: int) -> Response:
    """htmx swaps the list in place; a plain form goes back to the same page."""
    if htmx.is_htmx(request):
        return _inbox_page(request, page)
    return htmx.redirect(request, f"/account/notices?page={page}")


@requires(Permission.USE_ACCOUNT)
async def inbox(request: Request) -> Response:
    return _inbox_page(request, page_number(request))


@requires(Permission.USE_ACCOUNT)
async def mark_read(request: Request) -> Response:
    notices.mark_read(db(request), user(request).id, request.path_params["notice_id"], now(request))
    return _back(request, page_number(request))


@requires(Permission.USE_ACCOUNT)
async def mark_all_read(request: Request) -> Response:
    notices.mark_all_read(db(request), user(request).id, now(request))
    return _back(request, 1)


routes = [
    Route("/account/notices", inbox),
    Route("/account/notices/read", mark_all_read, methods=["POST"]),
    Route("/account/notices/{notice_id:int}/read", mark_read, methods=["POST"]),
]
