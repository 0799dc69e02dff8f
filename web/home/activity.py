"""My activity (我的参与): what the signed-in person has done, one kind at a time,
paged. Each kind is read through its area's service (two or three statements)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.errors import N_
from participation.rules.permissions import Permission
from web.home import mine
from web.home.public import LABELS
from web.kit.auth import requires, user
from web.kit.dbsession import db
from web.kit.pagination import Page, page_number
from web.kit.templating import render

PER_PAGE = 20

#: (kind, its heading), in the order of the page's menu.
KINDS: dict[str, str] = {
    "topics": N_("Topics I proposed"),
    "proposals": N_("Budget projects I proposed"),
    "cosignatures": N_("Topics I co-signed"),
    "posts": N_("My posts in consultations"),
    "comments": N_("My comments on budget projects"),
    "ballots": N_("Ballots I voted in"),
    "surveys": N_("Evaluations I answered"),
    "signups": N_("My sign-ups and hours"),
    "requests": N_("My requests"),
}


@requires(Permission.USE_ACCOUNT)
async def my_activity(request: Request) -> Response:
    session, me = db(request), user(request)
    kind = request.query_params.get("show", "")
    kind = kind if kind in KINDS else "topics"
    number = page_number(request)
    offset = (number - 1) * PER_PAGE
    items, total, minutes = mine.activity(session, me.id, kind, offset, PER_PAGE)
    page = Page(items, number, PER_PAGE, total)
    return render(
        request,
        "home/activity.html",
        {
            "kind": kind,
            "kinds": KINDS,
            "page": page,
            "minutes": minutes,
            "labels": LABELS,
        },
    )


routes = [Route("/me/activity", my_activity)]
