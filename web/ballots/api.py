"""The open-data API of published ballots: /api/v1/ballots and each bulletin."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from participation.ballots.boxes import get_box, published_boxes
from participation.ballots.models import BallotBox
from web.kit.api_paging import PAGING, ask_of, paged_response
from web.kit.api_query import check_query
from web.kit.dbsession import db


def _ballot_json(box: BallotBox) -> dict[str, Any]:
    return {
        "id": box.id,
        "title": box.title,
        "area_id": box.area_id,
        "closes_at": box.closes_at.isoformat(),
        "published_at": box.published_at.isoformat() if box.published_at else None,
        "root": box.bulletin_root,
        "tally": box.tally,
        "bulletin": f"/api/v1/ballots/{box.id}/bulletin",
    }


async def ballots(request: Request) -> Response:
    """One page of the published ballots, by id (web.kit.api_paging)."""
    check_query(request, PAGING)
    ask = ask_of(request)
    boxes = published_boxes(db(request), after=ask.after, limit=ask.fetch)
    return paged_response(request, ask, boxes, _ballot_json, lambda b: b.id)


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
            "parameters": PAGING,
            "responses": {
                "200": {"description": "A page of ballots with their tally and root hash"},
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
