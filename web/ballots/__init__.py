"""Secret ballots: boxes, casting, receipts, paper counts and published bulletins."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.ballots import api, office, public

#: Every path of this area starts with one of these (see web.routes).
PREFIXES = ("/ballots", "/admin/ballots", "/api/v1/ballots")


def routes() -> list[BaseRoute]:
    return [*public.routes, *office.routes, *api.routes]
