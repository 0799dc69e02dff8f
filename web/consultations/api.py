"""Open data on consultations: JSON and CSV, no personal data.

Published: what the consultation page shows publicly in aggregate (stage,
agenda, minutes, co-signature counts, the opinion map's group sizes and
statements, the vote's tally, objections counted and answered, the plan item).
Not published: who co-signed, who voted what, who belongs to which opinion group.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from consultations import decisions, deliberation, meetings
from consultations.models import Consultation
from consultations.rules.journey import Stage
from participation.areas import Area, get_area
from participation.ballots.boxes import get_box
from web.consultations.public import opinion_map_of, stage_of
from web.kit.api_paging import PAGING, ask_of, next_url
from web.kit.api_query import check_query
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import record_id
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


def _rows(request: Request) -> list[dict[str, Any]]:
    session = db(request)
    at = now(request)
    check_query(request, QUERY)
    area_id = record_id(request.query_params.get("area", ""))
    found = meetings.consultations_with_areas(session, within_id=area_id)
    facts = decisions.public_facts(session, [c for c, _area in found])
    rows = [summary(c, a, facts[c.id], at) for c, a in found]
    wanted = request.query_params.get("stage")
    return [r for r in rows if not wanted or r["stage"] == wanted]


async def listing(request: Request) -> Response:
    """One page of the consultations, by id (web.kit.api_paging). The stage is worked
    out from the clock, so ``?stage=`` is applied to the page read: a page may hold
    fewer than ``limit`` items (even none) and still have a ``next``."""
    check_query(request, QUERY + PAGING)
    ask = ask_of(request)
    session = db(request)
    at = now(request)
    area_id = record_id(request.query_params.get("area", ""))
    found = meetings.consultations_page(
        session, within_id=area_id, after=ask.after, limit=ask.fetch
    )
    shown = found[: ask.limit]
    facts = decisions.public_facts(session, [c for c, _area in shown])
    wanted = request.query_params.get("stage")
    items = [summary(c, a, facts[c.id], at) for c, a in shown]
    items = [i for i in items if not wanted or i["stage"] == wanted]
    following = next_url(request, shown[-1][0].id, ask.limit) if len(found) > ask.limit else None
    headers = {"Link": f'<{following}>; rel="next"'} if following else None
    body = {"count": len(items), "items": items, "next": following}
    return JSONResponse(body, headers=headers)


async def listing_csv(request: Request) -> Response:
    rows = [[row.get(c) for c in CSV_FIELDS] for row in _rows(request)]
    return csv_response("consultations", CSV_FIELDS, rows)


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
            "summary": "Community consultations with stage, result, notice and plan item,"
            " by id, a page at a time",
            "parameters": QUERY + PAGING,
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
