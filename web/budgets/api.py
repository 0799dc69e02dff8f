"""Open data of community budget rounds: JSON, CSV and XLSX (no personal data)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from participation.budgets import services as budgets
from participation.budgets.models import BudgetRound
from participation.budgets.rules import compare_outcomes
from web.budgets.public import round_results
from web.kit.api_paging import PAGING, ask_of, paged_response
from web.kit.api_query import check_query
from web.kit.dbsession import db
from web.kit.tabular import table_response

Endpoint = Callable[[Request], Awaitable[Response]]


def round_json(budget_round: BudgetRound) -> dict[str, Any]:
    return {
        "id": budget_round.id,
        "title": budget_round.title,
        "area_id": budget_round.area_id,
        "year": budget_round.year,
        "budget_yuan": budget_round.budget_yuan,
        "rule": budget_round.rule,
        "roll": budget_round.roll,
        "max_choices": budget_round.max_choices,
        "min_share_percent": budget_round.min_share_percent,
        "phase": budget_round.phase,
        "ballot_id": budget_round.box_id,
        "url": f"/budgets/{budget_round.id}",
    }


async def rounds(request: Request) -> Response:
    """One page of the rounds, newest first (web.kit.api_paging)."""
    check_query(request, PAGING)
    ask = ask_of(request)
    rows = budgets.rounds_after(db(request), after=ask.after, limit=ask.fetch)
    return paged_response(request, ask, rows, round_json, lambda r: r.id)


def _projects(request: Request, budget_round: BudgetRound) -> list[dict[str, Any]]:
    """Proposals with screening and, once published, votes and funding under both rules.
    The author is not named: open data carries no personal data."""
    session = db(request)
    found = round_results(request, budget_round)
    outcome = {}
    if found is not None:
        rows, _, _ = compare_outcomes(found.tally, found.other)
        outcome = {r.key: r for r in rows}
    items = []
    for view in budgets.proposals_of(session, budget_round):
        p = view.proposal
        row = outcome.get(f"p{p.id}")
        items.append(
            {
                "id": p.id,
                "title": p.title,
                "location": p.location,
                "beneficiaries": p.beneficiaries,
                "cost_yuan": p.cost_yuan,
                "final_cost_yuan": p.final_cost,
                "status": p.status,
                "rejection_reason": p.rejection_reason or None,
                "supporters": view.supports,
                "votes": row.votes if row else None,
                "funded": row.funded if row else None,
                "funded_under_other_rule": row.funded_other if row else None,
            }
        )
    return items


async def round_detail(request: Request) -> Response:
    session = db(request)
    budget_round = budgets.get_round(session, request.path_params["round_id"])
    found = round_results(request, budget_round)
    return JSONResponse(
        round_json(budget_round)
        | {
            "other_rule": found.other_rule if found else None,
            "projects": _projects(request, budget_round),
        }
    )


COLUMNS = [
    "id",
    "title",
    "location",
    "beneficiaries",
    "cost_yuan",
    "final_cost_yuan",
    "status",
    "rejection_reason",
    "supporters",
    "votes",
    "funded",
    "funded_under_other_rule",
]


ROUND_COLUMNS = ["id", "title", "area_id", "year", "budget_yuan", "rule", "roll", "phase"]


def projects_table(fmt: str) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        budget_round = budgets.get_round(db(request), request.path_params["round_id"])
        items = _projects(request, budget_round)
        rows = [[item[c] for c in COLUMNS] for item in items]
        return table_response(f"budget-round-{budget_round.id}", COLUMNS, rows, fmt)

    return endpoint


def rounds_table(fmt: str) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        items = [round_json(r) for r in budgets.rounds(db(request))]
        rows = [[i[c] for c in ROUND_COLUMNS] for i in items]
        return table_response("budget-rounds", ROUND_COLUMNS, rows, fmt)

    return endpoint


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/budget-rounds": {
        "get": {
            "summary": "Community budget rounds (社区微实事) with their phase and budget",
            "parameters": PAGING,
            "responses": {"200": {"description": "A page of the rounds, newest first"}},
        }
    },
    "/api/v1/budget-rounds.csv": {
        "get": {
            "summary": "The same list as CSV (also .xlsx)",
            "responses": {"200": {"description": "CSV (UTF-8 with BOM) or XLSX"}},
        }
    },
    "/api/v1/budget-rounds/{round_id}": {
        "get": {
            "summary": "One round with its projects, screening, votes and funding under both rules",
            "responses": {
                "200": {"description": "The round"},
                "404": {"description": "No such round"},
            },
        }
    },
    "/api/v1/budget-rounds/{round_id}/projects.csv": {
        "get": {
            "summary": "A round's projects as CSV (also .xlsx)",
            "responses": {"200": {"description": "CSV or XLSX"}},
        }
    },
    "/api/v1/budget-rounds.xlsx": {
        "get": {
            "summary": "The list of rounds as an Excel workbook",
            "responses": {"200": {"description": "XLSX", "content": {XLSX: {}}}},
        }
    },
    "/api/v1/budget-rounds/{round_id}/projects.xlsx": {
        "get": {
            "summary": "A round's projects as an Excel workbook",
            "responses": {"200": {"description": "XLSX", "content": {XLSX: {}}}},
        }
    },
}

routes = [
    Route("/api/v1/budget-rounds", rounds),
    Route("/api/v1/budget-rounds/{round_id:int}", round_detail),
    *[Route(f"/api/v1/budget-rounds.{fmt}", rounds_table(fmt)) for fmt in ("csv", "xlsx")],
    *[
        Route(f"/api/v1/budget-rounds/{{round_id:int}}/projects.{fmt}", projects_table(fmt))
        for fmt in ("csv", "xlsx")
    ],
]
