"""The one way a route answers a refused action: undo, then show the page again.

Every form handler that re-renders its page after a refusal goes through
:func:`act_or_rerender`, so that no refusal keeps a half-write: services may
have flushed some rows before they raised, and the page shown after the
refusal must read the database as it was before the request, not those rows.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from participation.errors import DomainError
from web.kit.dbsession import db
from web.kit.templating import render

Act = Callable[[], Response | Awaitable[Response]]
Page = Callable[[DomainError], Awaitable[Response]]


async def act_or_rerender(request: Request, act: Act, page: Page) -> Response:
    """Run ``act`` and return its response (usually a redirect); when the domain
    refuses it, roll back every write of this request and return ``page(error)``.

    Invariants: after a refusal the session holds nothing of the refused action
    (rolled back before the page reads anything), and the answer's status is the
    refusal's (at least 400), so the request's transaction is not committed.
    """
    try:
        response = act()
        if inspect.isawaitable(response):
            response = await response
        return response
    except DomainError as error:
        db(request).rollback()
        page_response = await page(error)
        if page_response.status_code < 400:
            page_response.status_code = error.status if error.status >= 400 else 422
        return page_response


def draft_refused(
    request: Request,
    template: str,
    context: dict[str, Any],
    fields: dict[str, str],
    problems: dict[str, str],
    error: DomainError,
) -> Response:
    """The submission form again after a refused draft: what was typed, the reader's
    ``problems`` and the refusal's own fields marked, and the refusal's message; 422
    when the reader found problems, else the refusal's status."""
    return render(
        request,
        template,
        context
        | {
            "form": fields,
            "errors": problems | error.fields,
            "error": error.message,
            "error_params": error.params,
        },
        status=422 if problems else error.status,
    )
