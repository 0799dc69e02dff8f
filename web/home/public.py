"""Home page, language switch (the health checks are in web.ops).

The home page is the personal home (我的社区) for a signed-in person: one
address that answers "what is open for me, here, now", reached from the brand
link every page already has. A visitor picks a community one level at a time
(plain GET links and a form, no JavaScript) and sees the same public blocks;
the choice is remembered in a cookie.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from consultations.topics import TOPIC_STATUS_LABELS
from participation import portal_counts
from participation.areas import Area, ancestors, children_page, find_area
from participation.budgets.rules import ROUND_PHASE_LABELS
from participation.plan.sources import STATUS_LABELS as PLAN_STATUS_LABELS
from participation.requests.rules.catalog import CATEGORIES, STATUSES
from participation.rules.areas import AreaKind
from web.consultations.public import STAGE_LABELS
from web.home import mine
from web.kit import i18n
from web.kit.auth import current_user_or_none
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import form_fields, record_id, safe_next
from web.kit.templating import render
from web.volunteers.shared import SIGNUP_STATUS_LABELS

#: The cookie that remembers a visitor's community (an area id).
COMMUNITY_COOKIE = "community"
#: At most this many areas offered at one step of the chooser.
STEP = 200

LABELS: dict[str, Any] = {
    "stages": STAGE_LABELS,
    "phases": ROUND_PHASE_LABELS,
    "plan_statuses": PLAN_STATUS_LABELS,
    "request_statuses": STATUSES,
    "categories": CATEGORIES,
    "signup_statuses": SIGNUP_STATUS_LABELS,
    "topic_statuses": TOPIC_STATUS_LABELS,
}


def _chooser(request: Request, at: Area | None) -> dict[str, Any]:
    """One level of the community chooser: the chain down to ``at`` and its children
    (three statements at most whatever the size of the tree)."""
    session = db(request)
    chain = ancestors(session, at) if at is not None else []
    children, total = children_page(session, at, 0, STEP)
    return {"chain": chain, "children": children, "more": total > len(children)}


def _community(request: Request) -> tuple[Area | None, Area | None, bool]:
    """(the community to show, the chooser's level, whether the choice is new).
    ``?at=`` picks a level or a community; else the cookie's community."""
    session = db(request)
    if "at" in request.query_params:
        at_id = record_id(request.query_params.get("at"))
        area = find_area(session, at_id) if at_id else None
        if area is not None and area.kind == AreaKind.COMMUNITY.value:
            return area, area, True
        return None, area, False
    remembered = record_id(request.cookies.get(COMMUNITY_COOKIE))
    area = find_area(session, remembered) if remembered else None
    if area is not None and area.kind == AreaKind.COMMUNITY.value:
        return area, area, False
    return None, None, False


async def home(request: Request) -> Response:
    session = db(request)
    at = now(request)
    today = at.astimezone(i18n.LOCAL_TZ).date()
    community, level, chosen = _community(request)
    context: dict[str, Any] = {
        "counts": portal_counts.current(session),
        "labels": LABELS,
        "now": at,
    }
    me = current_user_or_none(request)
    if me is not None:
        personal = mine.personal_home(session, me, community, at, today)
        shown = personal.community
        context["home"] = personal
        template = "home/mine.html"
    else:
        shown = community
        if community is not None:
            context["blocks"] = mine.community_blocks(
                session, community, account_id=None, roll_entry_id=None, now=at, today=today
            )
        template = "home/index.html"
    context["community"] = shown
    context["chooser"] = _chooser(request, level) if shown is None else None
    response = render(request, template, context)
    if chosen and community is not None:
        response.set_cookie(
            COMMUNITY_COOKIE, str(community.id), max_age=365 * 86400, samesite="lax", httponly=True
        )
    return response


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
