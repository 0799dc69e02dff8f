"""Public pages of the area tree."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import Area, ancestors, children_page, get_area
from participation.portal_counts import residents_under
from web.kit.dbsession import db
from web.kit.pagination import Page, page_number
from web.kit.templating import render

#: Areas shown per page of one level of the tree.
PER_PAGE = 50


def _level(request: Request, parent: Area | None) -> Page[Area]:
    """One page of the areas directly under ``parent``, paged in SQL."""
    number = page_number(request)
    rows, total = children_page(db(request), parent, (number - 1) * PER_PAGE, PER_PAGE)
    return Page(rows, number, PER_PAGE, total)


async def area_list(request: Request) -> Response:
    """The top level of the tree; each area's page lists the level below it."""
    return render(request, "areas/list.html", {"page": _level(request, None)})


async def area_detail(request: Request) -> Response:
    session = db(request)
    area = get_area(session, request.path_params["area_id"])
    children = _level(request, area)
    residents = residents_under(session, area)
    return render(
        request,
        "areas/detail.html",
        {
            "area": area,
            "trail": ancestors(session, area),
            "children": children,
            "residents": residents,
        },
    )


routes = [
    Route("/areas", area_list),
    Route("/areas/{area_id:int}", area_detail),
]
