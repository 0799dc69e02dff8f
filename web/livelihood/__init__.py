"""Livelihood projects chosen by deputies (民生实事项目人大代表票决制)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.livelihood import api, office, public

#: Every path of this area starts with one of these (see web.routes).
PREFIXES = ("/livelihood", "/admin/livelihood", "/api/v1/livelihood")


def routes() -> list[BaseRoute]:
    return [*public.routes, *office.routes, *api.routes]
