"""The display switch: POST /display turns the age-friendly mode on or off and
goes back to the page it was pressed on (a plain form, no JavaScript needed)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from participation.accounts import choose_display
from web.kit import display
from web.kit.auth import current_user_or_none
from web.kit.dbsession import db
from web.kit.forms import form_fields, safe_next


async def switch_display(request: Request) -> Response:
    fields = await form_fields(request)
    mode = fields.get("mode", "")
    # Same-site paths only: the return path is what the page sent, never trusted.
    response = RedirectResponse(safe_next(fields.get("next")), status_code=303)
    if mode in display.MODES:
        user = current_user_or_none(request)
        if user is not None:
            choose_display(db(request), user.account, age_friendly=mode == display.AGE_FRIENDLY)
        display.remember(response, mode)
    return response


routes = [
    Route("/display", switch_display, methods=["POST"]),
]
