"""Resident requests (群众诉求): filing, following by number, the back office's queue,
routing table and handling."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.requests import (
    api,
    board,
    grids,
    loop,
    mediation,
    members,
    office,
    public,
    routing_table,
    supervision,
)

#: Every path of this area starts with one of these (see web.routes).
PREFIXES = ("/requests", "/admin/requests", "/api/v1/requests")


def routes() -> list[BaseRoute]:
    return [
        *board.routes,
        *loop.routes,
        *api.routes,
        *public.routes,
        *routing_table.routes,
        *mediation.routes,
        *office.routes,
        *grids.routes,
        *supervision.routes,
        *members.routes,
    ]
