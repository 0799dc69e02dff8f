"""Open data: published evaluations with their aggregates (no personal data).

Every figure comes with the sums it is computed from (n, Σw, Σwy, Σw², Σw²y,
Σw²y²), so anyone can recompute the means and 95 % intervals.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from consultations.evaluations.builder import get_evaluation
from consultations.evaluations.listing import published_evaluations, published_page
from consultations.evaluations.models import Evaluation
from consultations.evaluations.questionnaire import indicators_of, questions_of
from consultations.evaluations.rectification import rectifications_of
from participation.organizations.models import Organization
from participation.organizations.registry import get_org
from web.kit.api_paging import PAGING, ask_of, paged_response
from web.kit.api_query import check_query
from web.kit.dbsession import db
from web.kit.forms import record_id
from web.kit.tabular import csv_response


def _summary(evaluation: Evaluation, org: Organization) -> dict[str, Any]:
    report = json.loads(evaluation.report_json or "{}")
    overall = report.get("figures", {}).get("_overall", {})
    return {
        "id": evaluation.id,
        "title": evaluation.title,
        "subject_kind": evaluation.subject_kind,
        "subject": evaluation.subject,
        "department": evaluation.department,
        "area_id": evaluation.area_id,
        "organization": {"id": org.id, "name": org.name},
        "published_at": evaluation.published_at.isoformat() if evaluation.published_at else None,
        "responses": report.get("responses"),
        "overall_index": overall.get("weighted_mean"),
        "overall_index_unweighted": overall.get("mean"),
        "url": f"/api/v1/evaluations/{evaluation.id}",
    }


def _published(request: Request) -> list[dict[str, Any]]:
    check_query(request, QUERY)
    area = request.query_params.get("area_id", "")
    # The area and everything below it.
    rows = published_evaluations(db(request), area_id=record_id(area) if area else None)
    return [_summary(e, o) for e, o in rows]


async def evaluations(request: Request) -> Response:
    """One page of the published evaluations, most recently published first
    (web.kit.api_paging), of an ``?area_id=`` and the areas below it if asked."""
    check_query(request, QUERY + PAGING)
    ask = ask_of(request)
    area = request.query_params.get("area_id", "")
    rows = published_page(
        db(request), area_id=record_id(area) if area else None, after=ask.after, limit=ask.fetch
    )
    return paged_response(request, ask, rows, lambda r: _summary(*r), lambda r: r[0].id)


CSV_COLUMNS = [
    "id",
    "title",
    "subject_kind",
    "subject",
    "department",
    "area_id",
    "organization",
    "published_at",
    "responses",
    "overall_index",
    "overall_index_unweighted",
]


async def evaluations_csv(request: Request) -> Response:
    rows = []
    for item in _published(request):
        item["organization"] = item["organization"]["name"]
        rows.append([item[c] for c in CSV_COLUMNS])
    return csv_response("evaluations", CSV_COLUMNS, rows)


async def evaluation(request: Request) -> Response:
    session = db(request)
    found = get_evaluation(session, request.path_params["evaluation_id"])
    if found.status != "published":
        return JSONResponse({"error": "not published", "status": 404}, status_code=404)
    body = _summary(found, get_org(session, found.org_id)) | {
        "conflict_declaration": found.conflict_declaration,
        "findings": found.findings,
        "indicators": [
            {"key": i.key, "parent": i.parent_key, "name": i.name, "weight": i.weight / 1000}
            for i in indicators_of(session, found.id)
        ],
        "questions": [
            {
                "key": q.key,
                "text": q.text,
                "kind": q.kind,
                "indicator": q.indicator_key,
                "options": json.loads(q.options_json),
                "low": q.low,
                "high": q.high,
            }
            for q in questions_of(session, found.id)
        ],
        "report": json.loads(found.report_json or "{}"),
        "rectifications": [
            {
                "title": r.title,
                "owner_department": r.owner_department,
                "due_on": r.due_on.isoformat(),
                "status": r.status,
                "plan_item_id": r.plan_item_id,
            }
            for r, _item in rectifications_of(session, found.id)
        ],
    }
    return JSONResponse(body)


QUERY: list[dict[str, Any]] = [
    {
        "name": "area_id",
        "in": "query",
        "required": False,
        "description": "only evaluations of this area and the areas below it",
        "schema": {"type": "integer", "minimum": 1},
    }
]

OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/evaluations": {
        "get": {
            "summary": "Published third-party evaluations, newest first, a page at a time",
            "parameters": QUERY + PAGING,
            "responses": {
                "200": {"description": "count and items (id, title, subject, overall index)"}
            },
        }
    },
    "/api/v1/evaluations.csv": {
        "get": {
            "summary": "The same list as CSV (UTF-8 with BOM), same filter",
            "parameters": QUERY,
            "responses": {"200": {"description": "one row per published evaluation"}},
        }
    },
    "/api/v1/evaluations/{evaluation_id}": {
        "get": {
            "summary": "One published evaluation: indicators, questionnaire, figures with "
            "their aggregates (n, sw, swy, sw2, sw2y, sw2y2), rectification items",
            "parameters": [
                {
                    "name": "evaluation_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                }
            ],
            "responses": {
                "200": {"description": "the evaluation"},
                "404": {"description": "not published"},
            },
        }
    },
}

routes = [
    Route("/api/v1/evaluations", evaluations),
    Route("/api/v1/evaluations.csv", evaluations_csv),
    Route("/api/v1/evaluations/{evaluation_id:int}", evaluation),
]
