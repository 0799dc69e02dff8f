"""Open data on volunteering: teams, public shifts and their availability, and
hours per team and month. No personal data: counts only."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from participation.areas import Area
from volunteers import activities, open_hours, stars
from volunteers import teams as volunteer_teams
from volunteers.models import Team
from volunteers.rules.disclosure import MIN_CONTRIBUTORS
from volunteers.rules.stars import DEFAULT_SCHEME
from web.kit.api_paging import NEXT_PROPERTY, PAGING, ask_of, paged_response
from web.kit.api_query import check_query
from web.kit.clock import now
from web.kit.dbsession import db


def _team_json(row: tuple[Team, Area, int]) -> dict[str, Any]:
    t, a, members = row
    return {
        "id": t.id,
        "name": t.name,
        "kind": t.kind,
        "join_mode": t.join_mode,
        "area_id": a.id,
        "area_name": a.name,
        "members": members,
    }


async def teams(request: Request) -> Response:
    """One page of the teams, by id (web.kit.api_paging), with their active members."""
    check_query(request, PAGING)
    ask = ask_of(request)
    rows = volunteer_teams.public_teams_page(db(request), after=ask.after, limit=ask.fetch)
    return paged_response(request, ask, rows, _team_json, lambda r: r[0].id)


def _shift_json(r: activities.ShiftRow) -> dict[str, Any]:
    return {
        "id": r.shift.id,
        "team_id": r.team.id,
        "activity": r.activity.title,
        "starts_at": r.shift.starts_at.isoformat(),
        "ends_at": r.shift.ends_at.isoformat(),
        "area_id": r.area.id,
        "place": r.shift.place,
        "capacity": r.shift.capacity,
        "confirmed": r.shift.confirmed,
        "free": r.free,
        "waiting": r.waiting,
        "qualifications": sorted(r.shift.qualification_codes),
    }


async def shifts(request: Request) -> Response:
    """One page of the coming public shifts, by start then id (web.kit.api_paging):
    ``after`` is the id of the last shift of the page before."""
    check_query(request, PAGING)
    ask = ask_of(request)
    rows = activities.shift_rows_after(
        db(request), since=now(request), after=ask.after, limit=ask.fetch
    )
    return paged_response(request, ask, rows, _shift_json, lambda r: r.shift.id)


async def hours(request: Request) -> Response:
    """The service minutes in total, per team and per month, each team's and month's
    only when the small-cell rule allows (``volunteers.rules.disclosure``): the same
    for every caller."""
    report = open_hours.public_hours(db(request))
    return JSONResponse(
        {
            "total_minutes": report.total,
            "by_team": [{"team": k, "minutes": v} for k, v in report.by_team],
            "teams_withheld": report.teams_withheld,
            "by_month": [{"month": k, "minutes": v} for k, v in report.by_month],
            "months_withheld": report.months_withheld,
        }
    )


async def star_levels(request: Request) -> Response:
    """The star-level schemes in force: the default and each area's own."""
    rows = stars.areas_with_schemes(db(request), now(request))
    items = [
        {
            "area_id": a.id,
            "area_name": a.name,
            "hours": list(scheme.hours),
            "notice_days": scheme.notice_days,
        }
        for a, scheme in rows
    ]
    default = {"hours": list(DEFAULT_SCHEME.hours), "notice_days": DEFAULT_SCHEME.notice_days}
    return JSONResponse({"default": default, "count": len(items), "items": items})


def _list(description: str, item: dict[str, Any], *, paged: bool = True) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "count": {"type": "integer"},
        "items": {"type": "array", "items": item},
    }
    if paged:
        properties["next"] = NEXT_PROPERTY
    return {
        "get": {
            "summary": description,
            "parameters": PAGING if paged else [],
            "responses": {
                "200": {
                    "description": description,
                    "content": {
                        "application/json": {"schema": {"type": "object", "properties": properties}}
                    },
                }
            },
        }
    }


def _figures(key: str, key_type: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {
            "type": "object",
            "required": [key, "minutes"],
            "properties": {key: key_type, "minutes": {"type": "integer"}},
        },
    }


_HOURS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["total_minutes", "by_team", "teams_withheld", "by_month", "months_withheld"],
    "properties": {
        "total_minutes": {"type": "integer", "description": "Every minute, withheld ones too"},
        "by_team": _figures("team", {"type": "string"}),
        "teams_withheld": {
            "type": "integer",
            "description": f"Teams with hours not listed: fewer than {MIN_CONTRIBUTORS} people",
        },
        "by_month": _figures("month", {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}),
        "months_withheld": {
            "type": "integer",
            "description": f"Months with hours not listed: fewer than {MIN_CONTRIBUTORS} people",
        },
    },
}

OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/volunteer/teams": _list(
        "Volunteer teams with their area, kind, joining mode and member count",
        {"type": "object", "required": ["id", "name", "kind", "join_mode", "area_id", "members"]},
    ),
    "/api/v1/volunteer/shifts": _list(
        "Coming public shifts with places, confirmed count and waitlist length",
        {"type": "object", "required": ["id", "starts_at", "ends_at", "capacity", "free"]},
    ),
    "/api/v1/volunteer/star-levels": _list(
        "Star-level schemes in force per area (the nearest area up the tree applies;"
        " 'default' where none does): hours per level and days of public notice",
        {"type": "object", "required": ["area_id", "area_name", "hours", "notice_days"]},
        paged=False,
    ),
    "/api/v1/volunteer/hours": {
        "get": {
            "summary": "Service minutes in total, per team and per month",
            "description": (
                "A team's or a month's minutes are listed only when at least"
                f" {MIN_CONTRIBUTORS} distinct people have a positive balance of minutes"
                " there (small-cell suppression: a figure of one or two people's hours"
                " would reveal them to anyone who knows who serves there); when the"
                " withheld ones together are fewer people's, the listed one with the"
                " fewest minutes is withheld too, so that the total minus the listed"
                " ones reveals nobody. Withheld minutes still count in total_minutes;"
                " teams_withheld and months_withheld say how many were withheld."
            ),
            "responses": {
                "200": {
                    "description": "Totals (no personal data)",
                    "content": {"application/json": {"schema": _HOURS_SCHEMA}},
                }
            },
        }
    },
}

routes = [
    Route("/api/v1/volunteer/teams", teams),
    Route("/api/v1/volunteer/shifts", shifts),
    Route("/api/v1/volunteer/hours", hours),
    Route("/api/v1/volunteer/star-levels", star_levels),
]
