"""Home page, language switch (the health checks are in web.ops)."""

from __future__ import annotations

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from participation.accounts import Account
from participation.areas import Area
from participation.rolls import RollEntry
from participation.rules.areas import AreaKind
from web.kit import i18n
from web.kit.dbsession import db
from web.kit.forms import form_fields, safe_next
from web.kit.templating import render


async def home(request: Request) -> Response:
    session = db(request)
    counts = {
        "communities": session.scalar(
            select(func.count()).select_from(Area).where(Area.kind == AreaKind.COMMUNITY.value)
        ),
        "accounts": session.scalar(select(func.count()).select_from(Account)),
        "verified": session.scalar(
            select(func.count()).select_from(RollEntry).where(RollEntry.account_id.is_not(None))
        ),
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
