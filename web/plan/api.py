"""Open data of the governance plan: plans and items as JSON, CSV and XLSX, and an Atom
feed of item updates. Public facts only: no account ids, no personal data."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from sqlalchemy import RowMapping
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from participation.plan import board
from participation.plan.sources import record_of
from web.kit.api_query import check_query
from web.kit.dbsession import db
from web.kit.forms import MAX_ID, whole_number
from web.kit.tabular import csv_response, xlsx_response
from web.plan import openapi as plan_openapi
from web.plan.public import board_filters, today
from web.plan.sources import item_source_url, record_url

ITEM_COLUMNS = [
    "id",
    "plan_id",
    "year",
    "area_id",
    "area",
    "parent_id",
    "title",
    "source_kind",
    "source_url",
    "owner_department",
    "owner_department_id",
    "budget_yuan",
    "spend_yuan",
    "starts_on",
    "due_on",
    "progress",
    "status",
    "overdue_milestones",
    "year_end_outcome",
    "url",
]


def item_row(row: RowMapping) -> dict[str, Any]:
    """One exported item from a row of :func:`board.export_rows`."""
    return {
        "id": row["id"],
        "plan_id": row["plan_id"],
        "year": row["year"],
        "area_id": row["area_id"],
        "area": row["area"],
        "parent_id": row["parent_id"],
        "title": row["title"],
        "source_kind": row["source_kind"],
        "source_url": record_url(record_of(row["source_kind"]), row["source_id"]),
        "owner_department": row["owner_department"],
        "owner_department_id": row["owner_department_id"],
        "budget_yuan": row["budget_yuan"],
        "spend_yuan": int(row["spend"]),
        "starts_on": row["starts_on"].isoformat() if row["starts_on"] else None,
        "due_on": row["due_on"].isoformat() if row["due_on"] else None,
        "progress": int(row["progress"]),
        "status": row["status"],
        "overdue_milestones": int(row["late_steps"]),
        "year_end_outcome": row["outcome"],
        "url": f"/plan/items/{row['id']}",
    }


def _rows(request: Request) -> list[dict[str, Any]]:
    """The items the filters choose, as exported: read as scalar rows, no ORM objects."""
    session = db(request)
    check_query(request, plan_openapi.FILTERS)
    filters = board_filters(request, [])  # no default year: all years unless asked
    return [item_row(r) for r in board.export_rows(session, today(request), filters)]


#: Plans per page of /api/v1/plans: the default and the most a client may ask.
PAGE = 100
MAX_PAGE = 500


async def plans(request: Request) -> Response:
    """One page of the plans, by id: ``?after=ID`` (the last id of the page before),
    ``?limit=N`` (1 to 500, default 100) and ``?year=``; ``next`` links the page
    after, null on the last. A value that does not fit is refused (400)."""
    check_query(request, plan_openapi.PLAN_QUERY)
    query = request.query_params
    after = whole_number(query.get("after"), high=MAX_ID) or 0
    limit = whole_number(query.get("limit"), low=1, high=MAX_PAGE) or PAGE
    year = whole_number(query.get("year"), low=1, high=9999)
    rows = board.plans(db(request), after=after, limit=limit + 1, year=year)
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        {
            "id": plan.id,
            "year": plan.year,
            "title": plan.title,
            "area_id": area.id,
            "area": area.name,
            "items": f"/api/v1/plan-items?year={plan.year}&area={area.id}",
        }
        for plan, area in rows
    ]
    following = None
    if more:
        kept = {"after": rows[-1][0].id, "limit": limit} | ({"year": year} if year else {})
        following = f"/api/v1/plans?{urlencode(kept)}"
    return JSONResponse({"count": len(items), "items": items, "next": following})


async def plan_items(request: Request) -> Response:
    """One page of the items the filters choose, by id: ``?after=ID`` and ``?limit=N``
    as /api/v1/plans; ``next`` keeps the filters. The CSV and XLSX hold them all."""
    check_query(request, plan_openapi.FILTERS + plan_openapi.PAGING)
    query = request.query_params
    after = whole_number(query.get("after"), high=MAX_ID) or 0
    limit = whole_number(query.get("limit"), low=1, high=MAX_PAGE) or PAGE
    filters = board_filters(request, [])  # no default year: all years unless asked
    rows = board.export_page(db(request), today(request), filters, after=after, limit=limit + 1)
    items = [item_row(r) for r in rows[:limit]]
    following = None
    if len(rows) > limit:
        kept = [(k, v) for k, v in query.multi_items() if k not in ("after", "limit")]
        kept += [("after", str(items[-1]["id"])), ("limit", str(limit))]
        following = f"/api/v1/plan-items?{urlencode(kept)}"
    return JSONResponse({"count": len(items), "items": items, "next": following})


def _table(request: Request) -> list[list[Any]]:
    return [[row[c] for c in ITEM_COLUMNS] for row in _rows(request)]


async def plan_items_csv(request: Request) -> Response:
    return csv_response("plan-items", ITEM_COLUMNS, _table(request))


async def plan_items_xlsx(request: Request) -> Response:
    return xlsx_response("plan-items", ITEM_COLUMNS, _table(request))


async def feed(request: Request) -> Response:
    """The latest 50 updates of all items, newest first (Atom 1.0); each entry links
    to its item, and to the page of the decision the item delivers when it has one."""
    base = request.app.state.settings.base_url.rstrip("/")
    rows = board.latest_updates(db(request), limit=50)
    updated = rows[0][0].at.isoformat() if rows else "2000-01-01T00:00:00+00:00"
    entries = []
    for update, item in rows:
        link = f"{base}/plan/items/{item.id}"
        source = item_source_url(item)
        related = f'<link rel="related" href="{escape(base + source)}"/>' if source else ""
        author = update.author_name or item.owner_department or "-"
        entries.append(
            "<entry>"
            f"<id>{escape(base)}/plan/updates/{update.id}</id>"
            f"<title>{escape(item.title)} · {update.progress}%</title>"
            f'<link href="{escape(link)}"/>{related}'
            f"<updated>{update.at.isoformat()}</updated>"
            f"<author><name>{escape(author)}</name></author>"
            f'<content type="text">{escape(update.text)}</content>'
            "</entry>"
        )
    body = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">'
        f"<id>{escape(base)}/plan/feed.atom</id>"
        "<title>共治 · 治理计划进展</title>"
        f'<link rel="self" href="{escape(base)}/plan/feed.atom"/>'
        f'<link href="{escape(base)}/plan"/>'
        f"<updated>{updated}</updated>" + "".join(entries) + "</feed>"
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")


routes = [
    Route("/api/v1/plans", plans),
    Route("/api/v1/plan-items", plan_items),
    Route("/api/v1/plan-items.csv", plan_items_csv),
    Route("/api/v1/plan-items.xlsx", plan_items_xlsx),
    Route("/plan/feed.atom", feed),
]
