"""Open data of resident requests: counts only (no personal data), as JSON and CSV."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from participation.areas import Area, get_area
from participation.requests import board, counts
from web.kit.api_query import check_query
from web.kit.dbsession import db
from web.kit.tabular import csv_response

AREA_PARAMETER = {
    "name": "area",
    "in": "query",
    "required": False,
    "description": "Only requests placed in this area's subtree",
    "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
}

OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/requests": {
        "get": {
            "summary": "Resident requests (群众诉求) by category, channel, status and place",
            "parameters": [AREA_PARAMETER],
            "responses": {
                "200": {"description": "Counts; never who filed them"},
                "404": {"description": "No such area"},
            },
        }
    },
    "/api/v1/requests.csv": {
        "get": {
            "summary": "The same counts as CSV: one row per category, channel and status",
            "parameters": [AREA_PARAMETER],
            "responses": {
                "200": {"description": "CSV (UTF-8 with BOM)", "content": {"text/csv": {}}},
                "404": {"description": "No such area"},
            },
        }
    },
}

COLUMNS = ["category", "channel", "status", "count"]


def _area(request: Request, path: str) -> Area | None:
    check_query(request, OPENAPI_PATHS[path]["get"]["parameters"])
    raw = request.query_params.get("area")
    return get_area(db(request), int(raw)) if raw else None


def board_json(found: board.Board, area: Area | None) -> dict[str, Any]:
    return {
        "area_id": area.id if area else None,
        "total": found.total,
        "by_category": found.by_category,
        "by_channel": found.by_channel,
        "by_status": found.by_status,
        "by_place": [{"area_id": a, "name": n, "count": c} for a, n, c in found.by_place],
        "items": [
            {"category": c, "channel": ch, "status": s, "count": n} for c, ch, s, n in found.table
        ],
    }


async def requests_json(request: Request) -> Response:
    area = _area(request, "/api/v1/requests")
    counted = counts.public_board(db(request), area)
    body = board_json(counted.figures, area)
    body["as_of"] = counted.as_of.isoformat() if counted.as_of else None
    return JSONResponse(body)


async def requests_csv(request: Request) -> Response:
    area = _area(request, "/api/v1/requests.csv")
    found = counts.public_board(db(request), area).figures
    return csv_response("requests", COLUMNS, found.table)


routes = [
    Route("/api/v1/requests", requests_json),
    Route("/api/v1/requests.csv", requests_csv),
]
