"""Open data of congress cycles on livelihood projects: JSON, CSV and XLSX."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from participation.ballots.boxes import get_box
from participation.livelihood import services as livelihood
from participation.livelihood.models import LivelihoodCycle
from web.kit.api_paging import PAGING, ask_of, paged_response
from web.kit.api_query import check_query
from web.kit.dbsession import db
from web.kit.tabular import table_response

Endpoint = Callable[[Request], Awaitable[Response]]


def cycle_json(cycle: LivelihoodCycle) -> dict[str, Any]:
    return {
        "id": cycle.id,
        "title": cycle.title,
        "congress_id": cycle.congress_id,
        "area_id": cycle.area_id,
        "year": cycle.year,
        "places": cycle.places,
        "extra_percent": cycle.extra_percent,
        "form": cycle.form,
        "satisfaction_base": cycle.satisfaction_base,
        "satisfaction_half": cycle.satisfaction_half,
        "phase": cycle.phase,
        "ballot_id": cycle.box_id,
        "satisfaction_ballot_id": cycle.satisfaction_box_id,
        "url": f"/livelihood/{cycle.id}",
    }


async def cycles(request: Request) -> Response:
    """One page of the cycles, newest first (web.kit.api_paging)."""
    check_query(request, PAGING)
    ask = ask_of(request)
    rows = livelihood.cycles_after(db(request), after=ask.after, limit=ask.fetch)
    return paged_response(request, ask, rows, cycle_json, lambda c: c.id)


COLUMNS = [
    "id",
    "name",
    "submitter_kind",
    "department",
    "funds_yuan",
    "funds_source",
    "complete_by",
    "status",
    "reason",
    "merged_into_id",
    "votes",
    "outcome",
    "satisfaction",
]


def _candidates(request: Request, cycle: LivelihoodCycle) -> list[dict[str, Any]]:
    """Every submission with its screening and, once published, its votes and grades.
    Submitters are described by kind only (no personal data)."""
    session = db(request)
    tally = livelihood.tally_of(get_box(session, cycle.box_id)) if cycle.box_id else None
    grades = (
        livelihood.tally_of(get_box(session, cycle.satisfaction_box_id))
        if cycle.satisfaction_box_id
        else None
    )
    rows = {r["key"]: r for r in tally["rows"]} if tally else {}
    graded = {r["key"]: r for r in grades["rows"]} if grades else {}
    items = []
    for c in livelihood.candidates_of(session, cycle):
        row = rows.get(c.ballot_key or "")
        grade = graded.get(c.ballot_key or "")
        items.append(
            {
                "id": c.id,
                "name": c.name,
                "submitter_kind": c.submitter_kind,
                "department": c.department,
                "funds_yuan": c.funds_yuan,
                "funds_source": c.funds_source,
                "complete_by": c.complete_by.isoformat(),
                "status": c.status,
                "reason": c.reason or None,
                "merged_into_id": c.merged_into_id,
                "votes": row["value"] if row else None,
                "outcome": row["outcome"] if row else None,
                "satisfaction": grade["outcome"] if grade else None,
            }
        )
    return items


async def cycle_detail(request: Request) -> Response:
    cycle = livelihood.get_cycle(db(request), request.path_params["cycle_id"])
    return JSONResponse(cycle_json(cycle) | {"candidates": _candidates(request, cycle)})


def candidates_table(fmt: str) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        cycle = livelihood.get_cycle(db(request), request.path_params["cycle_id"])
        rows = [[item[c] for c in COLUMNS] for item in _candidates(request, cycle)]
        return table_response(f"livelihood-{cycle.id}", COLUMNS, rows, fmt)

    return endpoint


OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/livelihood/cycles": {
        "get": {
            "summary": "Congress cycles on livelihood projects (民生实事项目票决)",
            "parameters": PAGING,
            "responses": {"200": {"description": "A page of the cycles, newest first"}},
        }
    },
    "/api/v1/livelihood/cycles/{cycle_id}": {
        "get": {
            "summary": "One cycle with every submission, its screening, votes and grades",
            "responses": {
                "200": {"description": "The cycle"},
                "404": {"description": "No such cycle"},
            },
        }
    },
    "/api/v1/livelihood/cycles/{cycle_id}/candidates.csv": {
        "get": {
            "summary": "A cycle's submissions and results as CSV (also .xlsx)",
            "responses": {"200": {"description": "CSV (UTF-8 with BOM) or XLSX"}},
        }
    },
    "/api/v1/livelihood/cycles/{cycle_id}/candidates.xlsx": {
        "get": {
            "summary": "A cycle's submissions and results as an Excel workbook",
            "responses": {
                "200": {
                    "description": "XLSX",
                    "content": {
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}
                    },
                }
            },
        }
    },
}

routes = [
    Route("/api/v1/livelihood/cycles", cycles),
    Route("/api/v1/livelihood/cycles/{cycle_id:int}", cycle_detail),
    *[
        Route(f"/api/v1/livelihood/cycles/{{cycle_id:int}}/candidates.{fmt}", candidates_table(fmt))
        for fmt in ("csv", "xlsx")
    ],
]
