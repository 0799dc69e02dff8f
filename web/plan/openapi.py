"""OpenAPI description of the governance plan's open data (merged into /api/openapi.json)."""

from __future__ import annotations

from typing import Any

from web.kit import api_paging

FILTERS = [
    {"name": "year", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 9999}},
    {
        "name": "area",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1},
        "description": "area id; includes the areas below it",
    },
    {
        "name": "source",
        "in": "query",
        "schema": {
            "type": "string",
            "enum": [
                "livelihood_project",
                "community_budget",
                "consultation",
                "rectification",
                "satisfaction",
                "direct",
                "carried_over",
            ],
        },
    },
    {
        "name": "department",
        "in": "query",
        "description": "owner department's id (owner_department_id)",
        "schema": {"type": "integer", "minimum": 1},
    },
    {
        "name": "status",
        "in": "query",
        "schema": {
            "type": "string",
            "enum": ["planned", "in_progress", "delayed", "done", "dropped"],
        },
    },
]

#: Keyset pages by id (/api/v1/plans, /api/v1/plan-items), as every list of the API.
PAGING = api_paging.PAGING
PLAN_QUERY = [
    *PAGING,
    {"name": "year", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 9999}},
]

PLAN_ITEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "plan_id": {"type": "integer"},
        "year": {"type": "integer"},
        "area_id": {"type": "integer"},
        "area": {"type": "string"},
        "parent_id": {"type": ["integer", "null"]},
        "title": {"type": "string"},
        "source_kind": {"type": "string"},
        "source_url": {
            "type": "string",
            "description": "page of the decision the item came from; empty for staff entries",
        },
        "owner_department": {"type": "string"},
        "owner_department_id": {"type": ["integer", "null"]},
        "budget_yuan": {"type": "integer"},
        "spend_yuan": {"type": "integer", "description": "sum of the spend reported in updates"},
        "starts_on": {"type": ["string", "null"], "format": "date"},
        "due_on": {"type": ["string", "null"], "format": "date"},
        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
        "status": {"type": "string"},
        "overdue_milestones": {"type": "integer"},
        "year_end_outcome": {
            "type": ["string", "null"],
            "enum": ["finished", "dropped", "delayed", "continuing", None],
        },
        "url": {"type": "string"},
    },
}


def _listing(
    summary: str, schema: str, params: list[dict[str, Any]], *, paged: bool = False
) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "count": {"type": "integer"},
        "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}},
    }
    if paged:
        properties["next"] = api_paging.NEXT_PROPERTY
    return {
        "get": {
            "summary": summary,
            "parameters": params,
            "responses": {
                "200": {
                    "description": summary,
                    "content": {
                        "application/json": {"schema": {"type": "object", "properties": properties}}
                    },
                }
            },
        }
    }


PATHS: dict[str, Any] = {
    "/api/v1/plans": _listing(
        "Governance plans (one per area and year), by id, a page at a time",
        "Plan",
        PLAN_QUERY,
        paged=True,
    ),
    "/api/v1/plan-items": _listing(
        "Plan items with progress, spend and status, by id, a page at a time",
        "PlanItem",
        FILTERS + PAGING,
        paged=True,
    ),
    "/api/v1/plan-items.csv": {
        "get": {
            "summary": "Plan items as CSV (UTF-8 with BOM), same filters",
            "parameters": FILTERS,
            "responses": {"200": {"description": "CSV", "content": {"text/csv": {}}}},
        }
    },
    "/api/v1/plan-items.xlsx": {
        "get": {
            "summary": "Plan items as an Excel workbook, same filters",
            "parameters": FILTERS,
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
    "/plan/feed.atom": {
        "get": {
            "summary": "The latest 50 progress updates of all plan items, newest first (Atom 1.0)",
            "responses": {
                "200": {"description": "Atom feed", "content": {"application/atom+xml": {}}}
            },
        }
    },
}

SCHEMAS: dict[str, Any] = {
    "Plan": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "year": {"type": "integer"},
            "title": {"type": "string"},
            "area_id": {"type": "integer"},
            "area": {"type": "string"},
            "items": {"type": "string", "description": "URL of the plan's items"},
        },
    },
    "PlanItem": PLAN_ITEM_SCHEMA,
}
