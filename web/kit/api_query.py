"""Query parameters of the open-data API, checked against the OpenAPI document.

Each API module states its parameters once, in its part of /api/openapi.json;
:func:`check_query` reads a request's query string against that same list, so
what the document promises and what the server accepts cannot drift apart. A
value that does not fit (text for an integer, a value outside an enum, an
integer beyond 64 bits) is refused with 400 and a JSON error naming the
parameter, where it used to be ignored and answered with 200 and all items.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request

from web.kit.forms import MAX_ID, whole_number


def fits(raw: str, schema: dict[str, Any]) -> bool:
    """Whether the text ``raw`` is a value of the (OpenAPI) ``schema``."""
    if "enum" in schema:
        return raw in [str(v) for v in schema["enum"] if v is not None]
    if schema.get("type") == "integer":
        low, high = schema.get("minimum", 0), schema.get("maximum", MAX_ID)
        return whole_number(raw, low=low, high=high) is not None
    return True


def check_query(request: Request, parameters: Iterable[dict[str, Any]]) -> None:
    """Raise HTTPException(400) for the first declared query parameter that does not fit."""
    for parameter in parameters:
        if parameter["in"] != "query":
            continue
        for raw in request.query_params.getlist(parameter["name"]):
            if not fits(raw, parameter.get("schema", {})):
                raise HTTPException(400, detail=f"invalid value for parameter {parameter['name']}")
