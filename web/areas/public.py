"""Public pages of the area tree."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import ancestors, area_tree, children_of, get_area
from participation.rolls import residents_under
from web.kit.dbsession import db
from web.kit.pagination import Page, page_number
from web.kit.templating import render


async def area_list(request: Request) -> Response:
    nodes = area_tree(db(request))
    page = Page.of(nodes, page_number(request), per_page=200)
    return render(request, "areas/list.html", {"page": page})


async def area_detail(request: Request) -> Response:
    session = db(request)
    area = get_area(session, request.path_params["area_id"])
    children = children_of(session, area)
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
