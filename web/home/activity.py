"""My activity (我的参与): what the signed-in person has done, one kind at a time,
paged. Each kind is read through its area's service (two or three statements)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations import home as consultation_home
from consultations.evaluations import home as evaluation_home
from participation.ballots import home as ballot_home
from participation.budgets import home as budget_home
from participation.errors import N_
from participation.requests import home as request_home
from participation.rolls import entry_of_account
from participation.rules.permissions import Permission
from volunteers import home as volunteer_home
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

Lister = Callable[[Session, int, int, int], tuple[list[Any], int]]


def _surveys(session: Session, account_id: int, offset: int, limit: int) -> tuple[list[Any], int]:
    entry = entry_of_account(session, account_id)
    if entry is None:
        return [], 0
    rows, total = evaluation_home.answered_surveys(session, entry.id, offset, limit)
    return list(rows), total


LISTERS: dict[str, Lister] = {
    "topics": consultation_home.my_topics,
    "proposals": budget_home.my_proposals,
    "cosignatures": consultation_home.my_cosignatures,
    "posts": consultation_home.my_posts,
    "comments": budget_home.my_comments,
    "ballots": ballot_home.voted_boxes,
    "surveys": _surveys,
    "requests": request_home.my_requests,
}


@requires(Permission.USE_ACCOUNT)
async def my_activity(request: Request) -> Response:
    session, me = db(request), user(request)
    kind = request.query_params.get("show", "")
    kind = kind if kind in KINDS else "topics"
    number = page_number(request)
    offset = (number - 1) * PER_PAGE
    minutes = None
    if kind == "signups":
        rows, total, minutes = volunteer_home.my_signups(session, me.id, offset, PER_PAGE)
        items: list[Any] = list(rows)
    else:
        items, total = LISTERS[kind](session, me.id, offset, PER_PAGE)
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
