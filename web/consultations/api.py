"""Open data on consultations: JSON and CSV, no personal data.

Published: what the consultation page shows publicly in aggregate (stage,
agenda, minutes, co-signature counts, the opinion map's group sizes and
statements, the vote's tally, objections counted and answered, the plan item).
Not published: who co-signed, who voted what, who belongs to which opinion group.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from consultations import decisions, deliberation, meetings, open_data
from consultations.models import Consultation
from consultations.rules.journey import Stage
from participation.areas import Area, get_area
from participation.ballots.boxes import get_box
from web.consultations.public import opinion_map_of, stage_of
from web.kit.api_paging import PAGING, ask_of, paged_response
from web.kit.api_query import check_query
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import record_id
from web.kit.reading import read_only_session
from web.kit.tabular import csv_stream_response

CSV_FIELDS = [
    "id",
    "title",
    "area_id",
    "area",
    "topic",
    "cosigners",
    "stage",
    "meets_at",
    "place",
    "passed",
    "notice_ends_at",
    "final_at",
    "objections",
    "objections_answered",
    "plan_item_id",
    "plan_item_status",
]


def summary(
    c: Consultation, area: Area, facts: decisions.PublicFacts, at: datetime
) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title,
        "area_id": area.id,
        "area": area.name,
        "topic": facts.topic,
        "cosigners": facts.cosigners,
        "stage": stage_of(c, at).value,
        "meets_at": c.meets_at.isoformat(),
        "place": c.place,
        "passed": c.passed,
        "notice_ends_at": c.notice_ends_at.isoformat() if c.notice_ends_at else None,
        "final_at": c.final_at.isoformat() if c.final_at else None,
        "objections": facts.objections,
        "objections_answered": facts.objections_answered,
        "plan_item_id": facts.plan_item_id,
        "plan_item_status": facts.plan_item_status,
    }


def _filters(request: Request) -> tuple[int | None, Stage | None]:
    """The area id and the stage asked (checked against :data:`QUERY` first: a value
    that does not fit is a 400)."""
    query = request.query_params
    wanted = query.get("stage")
    return record_id(query.get("area")) or None, Stage(wanted) if wanted else None


async def listing(request: Request) -> Response:
    """One page of the consultations the filters choose, by id (web.kit.api_paging):
    the filters are applied in SQL, so a page holds ``limit`` items unless it is the
    last. A fixed number of statements whatever the number of consultations."""
    check_query(request, QUERY + PAGING)
    ask = ask_of(request)
    within_id, stage = _filters(request)
    session = db(request)
    at = now(request)
    rows = open_data.consultations_after(
        session, within_id=within_id, stage=stage, now=at, after=ask.after, limit=ask.fetch
    )
    facts = decisions.public_facts(session, [c for c, _area in rows[: ask.limit]])
    return paged_response(
        request, ask, rows, lambda r: summary(r[0], r[1], facts[r[0].id], at), lambda r: r[0].id
    )


def _streamed(
    request: Request, within_id: int | None, stage: Stage | None, at: datetime
) -> Iterator[list[Any]]:
    """The rows of the CSV, read a batch at a time while it is sent, through a
    read-only session of their own (the request's ends when the response starts)."""
    with read_only_session(request) as session:
        for batch in open_data.every_consultation(
            session, within_id=within_id, stage=stage, now=at
        ):
            facts = decisions.public_facts(session, [c for c, _area in batch])
            for c, area in batch:
                row = summary(c, area, facts[c.id], at)
                yield [row[name] for name in CSV_FIELDS]


async def listing_csv(request: Request) -> Response:
    """Every consultation the filters choose, streamed: never the whole file (nor
    every row) in memory."""
    check_query(request, QUERY)
    within_id, stage = _filters(request)
    rows = _streamed(request, within_id, stage, now(request))
    return csv_stream_response("consultations", CSV_FIELDS, rows)


async def one(request: Request) -> Response:
    session = db(request)
    c = meetings.get_consultation(session, request.path_params["consultation_id"])
    area = get_area(session, c.area_id)
    data = summary(c, area, decisions.public_facts(session, [c])[c.id], now(request))
    shown = opinion_map_of(request, c.id)
    opinion = shown.view.opinion
    texts: dict[Any, str] = {s.id: s.text for s in deliberation.statements(session, c.id)}
    box = get_box(session, c.box_id) if c.box_id else None
    data |= {
        "agenda": c.agenda,
        "materials": c.materials,
        "online_link": c.online_link,
        "summary": c.summary,
        "minutes": c.minutes if meetings.minutes_signed(c) else "",
        "speakers": [
            {"name": s.name, "summary": s.summary} for s in meetings.speakers(session, c.id)
        ],
        "quorum": vars(meetings.quorum(session, c)),
        "resolution": c.resolution,
        "vote": {
            "ballot_id": box.id,
            "roll": box.roll,
            "rule": box.rule,
            "tally": box.tally,
        }
        if box
        else None,
        "opinion_map": {
            # The worker's last map: when, from how many votes, and whether newer
            # votes wait for the next computation (the API never computes one).
            "computed_at": shown.view.computed_at.isoformat() if shown.view.computed_at else None,
            "votes": shown.view.votes,
            "update_waiting": shown.view.waiting,
            "participants": opinion.participants,
            "placed": opinion.placed,
            "groups": [
                {
                    "label": g.label,
                    "size": g.size,
                    "representative": [
                        {
                            "statement": texts.get(s.statement, ""),
                            "direction": "agree" if s.direction == 1 else "disagree",
                            "share_in": round(s.share_in, 3),
                            "share_out": round(s.share_out, 3),
                        }
                        for s in g.representative
                    ],
                }
                for g in opinion.groups
            ],
            "consensus": [
                {"statement": texts.get(s.statement, ""), "lowest_share": round(s.share_out, 3)}
                for s in opinion.consensus
            ],
        },
        "objections_public": [
            {"objection": o.body, "answer": o.answer} for o in decisions.objections(session, c.id)
        ],
    }
    return JSONResponse(data)


QUERY: list[dict[str, Any]] = [
    {
        "name": "area",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1},
        "description": "area id; includes the areas below it (an unknown area has none)",
    },
    {
        "name": "stage",
        "in": "query",
        "description": "the stage at the time of the request; filtered before paging,"
        " so every page but the last holds `limit` items",
        "schema": {"type": "string", "enum": [s.value for s in Stage]},
    },
]

OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/consultations": {
        "get": {
            "summary": "Community consultations with stage, result, notice and plan item,"
            " by id, a page at a time",
            "parameters": QUERY + PAGING,
            "responses": {
                "200": {"description": "count, items and next"},
                "400": {"description": "A parameter that does not fit"},
            },
        }
    },
    "/api/v1/consultations.csv": {
        "get": {
            "summary": "The same list as CSV (UTF-8 with BOM), same filters, all pages, streamed",
            "parameters": QUERY,
            "responses": {
                "200": {"description": "CSV", "content": {"text/csv": {}}},
                "400": {"description": "A parameter that does not fit"},
            },
        }
    },
    "/api/v1/consultations/{consultation_id}": {
        "get": {
            "summary": "One consultation: agenda, signed minutes, vote, opinion map, notice",
            "parameters": [
                {
                    "name": "consultation_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                }
            ],
            "responses": {
                "200": {"description": "The consultation"},
                "404": {"description": "No such consultation"},
            },
        }
    },
}

routes = [
    Route("/api/v1/consultations", listing),
    Route("/api/v1/consultations.csv", listing_csv),
    Route("/api/v1/consultations/{consultation_id:int}", one),
]
