"""Home page, language switch (the health checks are in web.ops)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from participation.accounts import account_count
from participation.areas import community_count
from participation.rolls import verified_count
from web.kit import i18n
from web.kit.dbsession import db
from web.kit.forms import form_fields, safe_next
from web.kit.templating import render


async def home(request: Request) -> Response:
    session = db(request)
    counts = {
        "communities": community_count(session),
        "accounts": account_count(session),
        "verified": verified_count(session),
    }
    return render(request, "home/index.html", {"counts": counts})


async def switch_language(request: Request) -> Response:
    fields = await form_fields(request)
    locale = fields.get("lang", "")
    response = RedirectResponse(safe_next(fields.get("next")), status_code=303)
    if locale in i18n.LOCALES:
        response.set_cookie("lang", locale, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


routes = [
    Route("/", home),
    Route("/lang", switch_language, methods=["POST"]),
]
