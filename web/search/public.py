"""The search page: ``GET /search?q=…&kind=…&year=…&area=…&mine=1&page=…``.

Every parameter is read leniently (an unreadable filter is ignored, never a 500);
the query text itself is bounded and never syntax (``search.rules.words``). The
first search of a process loads jieba's dictionary on a pool thread (awaited), so
that no event loop waits for it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import area_step, find_area
from participation.errors import N_
from participation.requests.rules.catalog import CATEGORIES
from participation.rolls import entry_of_account
from search.querying import MAX_PAGE, Filters, Hit, search, years
from search.rules import words
from search.rules.words import MAX_QUERY
from search.sources import KINDS
from web.kit.auth import current_user_or_none
from web.kit.dbsession import db
from web.kit.forms import MAX_ID, whole_number
from web.kit.templating import render

PROBLEMS = {
    "too_long": N_("Search words are limited to %(n)s characters: shorten them and try again."),
    "no_words": N_("Type a word or two to search for: punctuation alone finds nothing."),
}


def link(hit: Hit) -> str:
    """The public page of a hit (the index stores no web paths)."""
    match hit.kind:
        case "consultation":
            return f"/consultations/{hit.ref_id}"
        case "topic":
            return f"/consultations/topics/{hit.ref_id}"
        case "budget_proposal":
            return f"/budgets/proposals/{hit.ref_id}"
        case "livelihood_proposal" | "livelihood_project":
            return f"/livelihood/{hit.parent_id}"
        case "plan_item":
            return f"/plan/items/{hit.ref_id}"
        case "evaluation":
            return f"/evaluations/{hit.ref_id}"
        case "team":
            return f"/volunteers/teams/{hit.ref_id}"
        case "shift":
            return f"/volunteers/shifts/{hit.ref_id}"
        case _:
            return "/requests"


async def search_page(request: Request) -> Response:
    session = db(request)
    q = request.query_params
    typed = q.get("q", "")
    kind = q.get("kind", "")
    kind = kind if kind in KINDS else ""
    year = whole_number(q.get("year"), low=1900, high=2999)
    page = whole_number(q.get("page"), low=1, high=MAX_PAGE) or 1
    me = current_user_or_none(request)
    mine = None
    if me is not None:
        entry = entry_of_account(session, me.id)
        mine = find_area(session, entry.community_id) if entry is not None else None
    within_mine = mine is not None and q.get("mine") == "1"
    area = mine if within_mine else None
    if area is None:
        area_id = whole_number(q.get("area"), low=1, high=MAX_ID)
        area = find_area(session, area_id) if area_id else None
    if typed.strip() and not words.loaded():
        # jieba's first load (0.4-4 s, see README) runs on a pool thread: neither the
        # process's event loop (GONGZHI_REQUEST_THREADS=0) nor a request thread's own
        # loop is held while it loads.
        await run_in_threadpool(words.tokenizer)
    results = search(
        session,
        typed,
        Filters(kind=kind, year=year, area_path=area.path if area is not None else None),
        page,
    )
    kept = [(k, v) for k, v in q.multi_items() if k != "page"]
    return render(
        request,
        "search/index.html",
        {
            "typed": typed[: MAX_QUERY * 2],
            "results": results,
            "links": [link(hit) for hit in results.hits],
            "problem": PROBLEMS.get(results.query.problem, ""),
            "max_query": MAX_QUERY,
            "kinds": KINDS,
            "categories": CATEGORIES,
            "kind": kind,
            "years": years(session),
            "year": year,
            "area": area,
            "step": area_step(session, area.id if area is not None and not within_mine else None),
            "mine": mine,
            "within_mine": within_mine,
            "pager_base": "/search?" + urlencode(kept) + ("&" if kept else ""),
        },
    )


routes = [Route("/search", search_page)]
