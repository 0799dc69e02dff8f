"""The governance plan: items, milestones, updates, supervision and year-end judgement."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.plan import api, office, public

#: Every path of this area starts with one of these (see web.routes).
PREFIXES = ("/plan", "/admin/plan", "/api/v1/plans", "/api/v1/plan-items")


def routes() -> list[BaseRoute]:
    return [*public.routes, *office.routes, *api.routes]
