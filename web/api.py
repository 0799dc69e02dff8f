"""/api/openapi.json: the one OpenAPI document, merged from each area's API module.

Paging, the same for every JSON list of the API (web/kit/api_paging.py): a keyset
cursor. ``?after=ID`` is the id of the last item of the page before and ``?limit=N``
the page size (default 100, at most 500); the body's ``next`` and the
``Link: <...>; rel="next"`` header give the next page's URL (filters kept), absent
on the last page, and ``count`` is the number of items on the page. Why a cursor and
not ``?page=``: the lists grow while they are read (a ballot published, a shift
added), and an offset page would then repeat or skip an item, where a cursor goes on
from the last item seen, reaching each exactly once; and the database finds the
page on an index (the id, or the list's order: areas by path, shifts by start,
evaluations by publication) however deep it is, where an offset reads and drops
every row before it. There is no total: counting a whole growing table is what a
page must not do (a list that knows its total cheaply may add it). Downloads (CSV,
XLSX) are the whole dataset, as open data downloads are, streamed (web.kit.tabular).
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from web.areas import api as areas_api
from web.ballots import api as ballots_api
from web.budgets import api as budgets_api
from web.consultations import api as consultations_api
from web.evaluations import api as evaluations_api
from web.livelihood import api as livelihood_api
from web.plan import openapi as plan_openapi
from web.requests import api as requests_api
from web.volunteers import api as volunteers_api

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Gongzhi open data",
        "version": "1",
        "description": "Read-only public data of the Gongzhi civic participation portal.",
    },
    "paths": {},
    "components": {"schemas": {}},
}

#: Every area's API module, in the document's order.
AREA_PATHS = (
    areas_api.OPENAPI_PATHS,
    ballots_api.OPENAPI_PATHS,
    plan_openapi.PATHS,
    volunteers_api.OPENAPI_PATHS,
    consultations_api.OPENAPI_PATHS,
    evaluations_api.OPENAPI_PATHS,
    budgets_api.OPENAPI_PATHS,
    livelihood_api.OPENAPI_PATHS,
    requests_api.OPENAPI_PATHS,
)
SCHEMAS = areas_api.SCHEMAS | plan_openapi.SCHEMAS


def openapi_document() -> dict[str, Any]:
    """Each area's API module states its own paths; they are merged here, in one place,
    and completed: every ``{name}`` in a path is declared as an integer path parameter
    (all of them are record ids) with a 404 answer, and every operation with query
    parameters documents the 400 that ``web.kit.api_query.check_query`` gives."""
    paths: dict[str, Any] = {}
    for area_paths in AREA_PATHS:
        paths |= area_paths
    completed = {path: _completed(path, item) for path, item in paths.items()}
    return OPENAPI | {"paths": completed, "components": {"schemas": SCHEMAS}}


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


routes = [Route("/api/openapi.json", openapi)]
