"""Read-only open data under /api/v1/, described by /api/openapi.json."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from participation.areas import Area, all_areas, get_area
from participation.ballots.boxes import get_box
from participation.ballots.models import BallotBox
from web import plan_openapi
from web.api_query import check_query
from web.dbsession import db
from web.routes import api_volunteers


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
    check_query(request, OPENAPI["paths"]["/api/v1/areas"]["get"]["parameters"])
    kind = request.query_params.get("kind")
    items = [area_json(a) for a in all_areas(db(request)) if not kind or a.kind == kind]
    return JSONResponse({"count": len(items), "items": items})


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

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Gongzhi open data",
        "version": "1",
        "description": "Read-only public data of the Gongzhi civic participation portal.",
    },
    "paths": {
        "/api/v1/areas": {
            "get": {
                "summary": "The area tree (city, district, street, community, grid)",
                "parameters": [
                    {
                        "name": "kind",
                        "in": "query",
                        "required": False,
                        "schema": AREA_SCHEMA["properties"]["kind"],  # type: ignore[index]
                    }
                ],
                "responses": {
                    "200": {
                        "description": "All areas, ordered by path",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
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
        "/api/v1/ballots": {
            "get": {
                "summary": "Closed ballots with published results",
                "responses": {"200": {"description": "Ballots with their tally and root hash"}},
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
    },
    "components": {"schemas": {"Area": AREA_SCHEMA}},
}
OPENAPI["components"]["schemas"] |= plan_openapi.SCHEMAS


async def ballots(request: Request) -> Response:
    boxes = (
        db(request)
        .scalars(
            select(BallotBox).where(BallotBox.published_at.is_not(None)).order_by(BallotBox.id)
        )
        .all()
    )
    items = []
    for box in boxes:
        bulletin = json.loads(box.bulletin_json or "{}")
        items.append(
            {
                "id": box.id,
                "title": box.title,
                "area_id": box.area_id,
                "closes_at": box.closes_at.isoformat(),
                "published_at": box.published_at.isoformat() if box.published_at else None,
                "root": box.bulletin_root,
                "tally": bulletin.get("tally"),
                "bulletin": f"/api/v1/ballots/{box.id}/bulletin",
            }
        )
    return JSONResponse({"count": len(items), "items": items})


async def ballot_bulletin(request: Request) -> Response:
    box = get_box(db(request), request.path_params["box_id"])
    if not box.bulletin_json:
        return JSONResponse({"error": "not published", "status": 404}, status_code=404)
    return JSONResponse(json.loads(box.bulletin_json))


def openapi_document() -> dict[str, Any]:
    """Each area's API module states its own paths; they are merged here, in one place,
    and completed: every ``{name}`` in a path is declared as an integer path parameter
    (all of them are record ids) with a 404 answer, and every operation with query
    parameters documents the 400 that ``web.api_query.check_query`` gives."""
    from web.routes import budgets_api, consultations_api, evaluations_api, livelihood_api

    paths = dict(OPENAPI["paths"])
    for area_paths in (
        plan_openapi.PATHS,
        api_volunteers.OPENAPI_PATHS,
        consultations_api.OPENAPI_PATHS,
        evaluations_api.OPENAPI_PATHS,
        budgets_api.OPENAPI_PATHS,
        livelihood_api.OPENAPI_PATHS,
    ):
        paths |= area_paths
    return OPENAPI | {"paths": {path: _completed(path, item) for path, item in paths.items()}}


def _completed(path: str, item: dict[str, Any]) -> dict[str, Any]:
    done = {}
    for method, operation in item.items():
        parameters = list(operation.get("parameters", []))
        declared = {p["name"] for p in parameters if p["in"] == "path"}
        for name in re.findall(r"{(\w+)}", path):
            if name not in declared:
                parameters.append(
                    {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}
                )
        responses = dict(operation["responses"])
        if "{" in path:
            responses.setdefault("404", {"description": "No such record"})
        if any(p["in"] == "query" for p in parameters):
            responses.setdefault("400", {"description": "A query parameter's value does not fit"})
        done[method] = operation | {"parameters": parameters, "responses": responses}
    return done


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())


routes = [
    Route("/api/v1/areas", areas),
    Route("/api/v1/areas/{area_id:int}", area),
    Route("/api/v1/ballots", ballots),
    Route("/api/v1/ballots/{box_id:int}/bulletin", ballot_bulletin),
    Route("/api/openapi.json", openapi),
]
