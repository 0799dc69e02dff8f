"""The open-data API of published ballots: /api/v1/ballots and each bulletin."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from participation.ballots.boxes import get_box, published_boxes
from web.kit.dbsession import db
from web.kit.forms import MAX_ID, whole_number

#: Ballots per page of /api/v1/ballots: the default and the most a client may ask.
PAGE = 100
MAX_PAGE = 500


async def ballots(request: Request) -> Response:
    """One page of the published ballots, by id: ``?after=ID`` (the last id of the
    page before) and ``?limit=N`` (1 to 500, default 100); ``next`` links the page
    after, null on the last. A value that is not a whole number is refused (400)."""
    query = request.query_params
    after = whole_number(query.get("after"), high=MAX_ID) if query.get("after") else 0
    limit = whole_number(query.get("limit"), low=1, high=MAX_PAGE) if query.get("limit") else PAGE
    if after is None or limit is None:
        return JSONResponse(
            {"error": "after and limit take whole numbers (limit up to 500)", "status": 400},
            status_code=400,
        )
    boxes = published_boxes(db(request), after=after, limit=limit + 1)
    more = len(boxes) > limit
    boxes = boxes[:limit]
    items = []
    for box in boxes:
        items.append(
            {
                "id": box.id,
                "title": box.title,
                "area_id": box.area_id,
                "closes_at": box.closes_at.isoformat(),
                "published_at": box.published_at.isoformat() if box.published_at else None,
                "root": box.bulletin_root,
                "tally": box.tally,
                "bulletin": f"/api/v1/ballots/{box.id}/bulletin",
            }
        )
    following = f"/api/v1/ballots?after={boxes[-1].id}&limit={limit}" if more else None
    return JSONResponse({"count": len(items), "items": items, "next": following})


async def ballot_bulletin(request: Request) -> Response:
    box = get_box(db(request), request.path_params["box_id"])
    if not box.bulletin_json:
        return JSONResponse({"error": "not published", "status": 404}, status_code=404)
    return JSONResponse(json.loads(box.bulletin_json))


OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/ballots": {
        "get": {
            "summary": "Closed ballots with published results, a page at a time",
            "description": (
                "Oldest first, paged by id: `count` is the number of ballots on this "
                "page and `next` the URL of the page after (null on the last page)."
            ),
            "parameters": [
                {
                    "name": "after",
                    "in": "query",
                    "required": False,
                    "description": "Only ballots with a larger id (the last id of the page before)",
                    "schema": {"type": "integer", "minimum": 0},
                },
                {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "description": "Ballots per page",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100},
                },
            ],
            "responses": {
                "200": {"description": "A page of ballots with their tally and root hash"},
                "400": {"description": "after or limit is not a whole number in range"},
            },
        }
    },
    "/api/v1/ballots/{box_id}/bulletin": {
        "get": {
            "summary": "A closed ballot's bulletin: receipt hashes, ballots, hash chain, tally",
            "parameters": [
                {
                    "name": "box_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                }
            ],
            "responses": {
                "200": {"description": "The bulletin; verify with `gongzhi verify`"},
                "404": {"description": "No such ballot, or not published"},
            },
        }
    },
}

routes = [
    Route("/api/v1/ballots", ballots),
    Route("/api/v1/ballots/{box_id:int}/bulletin", ballot_bulletin),
]
