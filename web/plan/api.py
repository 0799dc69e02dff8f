"""Open data of the governance plan: plans and items as JSON, CSV and XLSX, and an Atom
feed of item updates. Public facts only: no account ids, no personal data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import RowMapping
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import Area
from participation.plan import board
from participation.plan.models import Plan
from participation.plan.sources import record_of
from web.kit.api_paging import ask_of, paged_response
from web.kit.api_query import check_query
from web.kit.dbsession import db
from web.kit.forms import whole_number
from web.kit.reading import read_only_session
from web.kit.tabular import csv_stream_response, xlsx_file_response
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


def _table(request: Request, session: Session, filters: board.Filters) -> Iterator[list[Any]]:
    """The items the filters choose, as exported rows, read a batch at a time (scalar
    rows, no ORM objects)."""
    for r in board.export_rows(session, today(request), filters):
        row = item_row(r)
        yield [row[c] for c in ITEM_COLUMNS]


def _filters(request: Request) -> board.Filters:
    check_query(request, plan_openapi.FILTERS)
    return board_filters(request, [])  # no default year: all years unless asked


def _plan_json(row: tuple[Plan, Area]) -> dict[str, Any]:
    plan, area = row
    return {
        "id": plan.id,
        "year": plan.year,
        "title": plan.title,
        "area_id": area.id,
        "area": area.name,
        "items": f"/api/v1/plan-items?year={plan.year}&area={area.id}",
    }


async def plans(request: Request) -> Response:
    """One page of the plans, by id (web.kit.api_paging), of a ``?year=`` if asked."""
    check_query(request, plan_openapi.PLAN_QUERY)
    ask = ask_of(request)
    year = whole_number(request.query_params.get("year"), low=1, high=9999)
    rows = board.plans(db(request), after=ask.after, limit=ask.fetch, year=year)
    return paged_response(request, ask, rows, _plan_json, lambda r: r[0].id)


async def plan_items(request: Request) -> Response:
    """One page of the items the filters choose, by id (web.kit.api_paging); ``next``
    keeps the filters. The CSV and XLSX hold them all."""
    check_query(request, plan_openapi.FILTERS + plan_openapi.PAGING)
    ask = ask_of(request)
    filters = board_filters(request, [])  # no default year: all years unless asked
    rows = board.export_page(db(request), today(request), filters, after=ask.after, limit=ask.fetch)
    return paged_response(request, ask, rows, item_row, lambda r: int(r["id"]))


def _streamed(request: Request, filters: board.Filters) -> Iterator[list[Any]]:
    """The rows of the CSV, read while it is sent, through a read-only session of their
    own (the request's ends when the response starts)."""
    with read_only_session(request) as session:
        yield from _table(request, session, filters)


async def plan_items_csv(request: Request) -> Response:
    """Every item the filters choose, streamed: never the whole file in memory."""
    return csv_stream_response("plan-items", ITEM_COLUMNS, _streamed(request, _filters(request)))


async def plan_items_xlsx(request: Request) -> Response:
    """Every item the filters choose, written to a temporary workbook and sent from it."""
    rows = _table(request, db(request), _filters(request))
    return xlsx_file_response("plan-items", ITEM_COLUMNS, rows)


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
