"""The open-data API of the area tree: /api/v1/areas (its OpenAPI paths beside it)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from participation.areas import Area, areas_page, get_area
from web.kit.api_paging import NEXT_PROPERTY, PAGING, ask_of, paged_response
from web.kit.api_query import check_query
from web.kit.dbsession import db


def area_json(area: Area) -> dict[str, Any]:
    return {
        "id": area.id,
        "code": area.code,
        "name": area.name,
        "kind": area.kind,
        "parent_id": area.parent_id,
        "path": area.path,
    }


async def areas(request: Request) -> Response:
    check_query(request, OPENAPI_PATHS["/api/v1/areas"]["get"]["parameters"])
    ask = ask_of(request)
    kind = request.query_params.get("kind")
    rows = areas_page(db(request), after=ask.after, limit=ask.fetch, kind=kind)
    return paged_response(request, ask, rows, area_json, lambda a: a.id)


async def area(request: Request) -> Response:
    return JSONResponse(area_json(get_area(db(request), request.path_params["area_id"])))


AREA_SCHEMA = {
    "type": "object",
    "required": ["id", "code", "name", "kind", "parent_id", "path"],
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string", "description": "administrative division code"},
        "name": {"type": "string"},
        "kind": {"type": "string", "enum": ["city", "district", "street", "community", "grid"]},
        "parent_id": {"type": ["integer", "null"]},
        "path": {"type": "string", "description": "ids from the root, e.g. /1/5/12/"},
    },
}

OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/areas": {
        "get": {
            "summary": "The area tree (city, district, street, community, grid)",
            "parameters": [
                {
                    "name": "kind",
                    "in": "query",
                    "required": False,
                    "schema": AREA_SCHEMA["properties"]["kind"],  # type: ignore[index]
                },
                *PAGING,
            ],
            "responses": {
                "200": {
                    "description": "A page of the areas, in tree order (by path)",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "next": NEXT_PROPERTY,
                                    "count": {"type": "integer"},
                                    "items": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Area"},
                                    },
                                },
                            }
                        }
                    },
                }
            },
        }
    },
    "/api/v1/areas/{area_id}": {
        "get": {
            "summary": "One area",
            "parameters": [
                {
                    "name": "area_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                }
            ],
            "responses": {
                "200": {
                    "description": "The area",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Area"}}
                    },
                },
                "404": {"description": "No such area"},
            },
        }
    },
}
SCHEMAS = {"Area": AREA_SCHEMA}

routes = [
    Route("/api/v1/areas", areas),
    Route("/api/v1/areas/{area_id:int}", area),
]
