"""Keyset pages for every JSON list of the open-data API (see web/api.py).

A list answers at most ``limit`` items (default :data:`PAGE`, at most
:data:`MAX_PAGE`) after the record whose id is ``after``; the body's ``next``
and the ``Link: <...>; rel="next"`` header give the URL of the page after (the
same query, with ``after`` moved on), and neither is there on the last page.
``count`` is the number of items on this page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse

from web.kit.forms import MAX_ID, whole_number

T = TypeVar("T")

#: Items per page: the default and the most a client may ask.
PAGE = 100
MAX_PAGE = 500

#: The paging parameters, as every paged list declares them in /api/openapi.json.
PAGING: list[dict[str, Any]] = [
    {
        "name": "after",
        "in": "query",
        "required": False,
        "description": "the id of the last item of the page before (0 or absent: from the first)",
        "schema": {"type": "integer", "minimum": 0},
    },
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": f"items per page (default {PAGE}, at most {MAX_PAGE})",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": PAGE},
    },
]

#: The ``next`` property of a paged list's body, for its OpenAPI schema.
NEXT_PROPERTY: dict[str, Any] = {
    "type": ["string", "null"],
    "description": "URL of the next page (also in the Link header); null on the last",
}


@dataclass(frozen=True)
class Ask:
    """What a request asks of a paged list: the rows after ``after``, ``limit`` of them.
    Services are asked for ``limit + 1`` rows (:attr:`fetch`): the extra one only says
    that there is a next page."""

    after: int
    limit: int

    @property
    def fetch(self) -> int:
        return self.limit + 1


def ask_of(request: Request) -> Ask:
    """The request's ``after`` and ``limit``; call ``check_query`` with :data:`PAGING`
    first (a value that does not fit is refused there, with 400)."""
    query = request.query_params
    after = whole_number(query.get("after"), high=MAX_ID) or 0
    limit = whole_number(query.get("limit"), low=1, high=MAX_PAGE) or PAGE
    return Ask(after, limit)


def next_url(request: Request, last_id: int, limit: int) -> str:
    """The URL of the page after the one that ends with ``last_id``: the same path and
    query (filters kept, in their order), ``after`` and ``limit`` set anew."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("after", "limit")]
    kept += [("after", str(last_id)), ("limit", str(limit))]
    return f"{request.url.path}?{urlencode(kept)}"


def paged_response(
    request: Request,
    ask: Ask,
    rows: Sequence[T],
    item: Callable[[T], dict[str, Any]],
    key: Callable[[T], int],
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    """The page of ``rows`` (fetched with ``ask.fetch``) as the API's JSON body:
    ``count``, ``items`` and ``next`` (and ``extra`` first), with the Link header."""
    shown = rows[: ask.limit]
    items = [item(r) for r in shown]
    following = next_url(request, key(shown[-1]), ask.limit) if len(rows) > ask.limit else None
    body = (extra or {}) | {"count": len(items), "items": items, "next": following}
    headers = {"Link": f'<{following}>; rel="next"'} if following else None
    return JSONResponse(body, headers=headers)
