"""Community budget rounds (社区微实事): proposals, screening, the vote and results."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.budgets import api, notices, office, public

#: Every path of this area starts with one of these (see web.routes).
PREFIXES = ("/budgets", "/admin/budgets", "/api/v1/budget-rounds")


def routes() -> list[BaseRoute]:
    return [*public.routes, *notices.routes, *office.routes, *api.routes]
