"""Open data on consultations: JSON and CSV, no personal data.

Published: what the consultation page shows publicly in aggregate (stage,
agenda, minutes, co-signature counts, the opinion map's group sizes and
statements, the vote's tally, objections counted and answered, the plan item).
Not published: who co-signed, who voted what, who belongs to which opinion group.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from consultations import decisions, deliberation, meetings, topics
from consultations.models import Consultation, Topic
from consultations.rules.journey import Stage
from participation.areas import Area
from participation.ballots.boxes import get_box
from web.consultations.public import opinion_map_of, stage_of
from web.kit.api_query import check_query
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.tabular import csv_response

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


def summary(session: Any, c: Consultation, area: Area, at: Any) -> dict[str, Any]:
    topic = session.get(Topic, c.topic_id)
    objections = decisions.objections(session, c.id)
    item = decisions.plan_item(session, c)
    return {
        "id": c.id,
        "title": c.title,
        "area_id": area.id,
        "area": area.name,
        "topic": topic.title if topic else "",
        "cosigners": topics.cosigners(session, c.topic_id),
        "stage": stage_of(c, at).value,
        "meets_at": c.meets_at.isoformat(),
        "place": c.place,
        "passed": c.passed,
        "notice_ends_at": c.notice_ends_at.isoformat() if c.notice_ends_at else None,
        "final_at": c.final_at.isoformat() if c.final_at else None,
        "objections": len(objections),
        "objections_answered": sum(1 for o in objections if o.answered_at),
        "plan_item_id": item.id if item else None,
        "plan_item_status": item.status if item else None,
    }


def _rows(request: Request) -> list[dict[str, Any]]:
    session = db(request)
    at = now(request)
    query = select(Consultation, Area).join(Area, Area.id == Consultation.area_id)
    check_query(request, QUERY)
    area_id = request.query_params.get("area", "")
    if area_id:
        inside = session.get(Area, int(area_id))
        if inside is not None:
            query = query.where(Area.path.startswith(inside.path))
    rows = [summary(session, c, a, at) for c, a in session.execute(query.order_by(Consultation.id))]
    wanted = request.query_params.get("stage")
    return [r for r in rows if not wanted or r["stage"] == wanted]


async def listing(request: Request) -> Response:
    items = _rows(request)
    return JSONResponse({"count": len(items), "items": items})


async def listing_csv(request: Request) -> Response:
    rows = [[row.get(c) for c in CSV_FIELDS] for row in _rows(request)]
    return csv_response("consultations", CSV_FIELDS, rows)


async def one(request: Request) -> Response:
    session = db(request)
    c = meetings.get_consultation(session, request.path_params["consultation_id"])
    area = session.get(Area, c.area_id)
    assert area is not None
    data = summary(session, c, area, now(request))
    opinion = opinion_map_of(request, c.id)
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
            "tally": json.loads(box.bulletin_json)["tally"] if box.bulletin_json else None,
        }
        if box
        else None,
        "opinion_map": {
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
        "description": "area id; includes the areas below it",
    },
    {
        "name": "stage",
        "in": "query",
        "schema": {"type": "string", "enum": [s.value for s in Stage]},
    },
]

OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/consultations": {
        "get": {
            "summary": "Community consultations with stage, result, notice and plan item",
            "parameters": QUERY,
            "responses": {"200": {"description": "count and items"}},
        }
    },
    "/api/v1/consultations.csv": {
        "get": {
            "summary": "The same list as CSV (UTF-8 with BOM), same filters",
            "parameters": QUERY,
            "responses": {"200": {"description": "CSV"}},
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
