"""Social organizations: registration, members, verification by staff."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.organizations import office, public

#: Every path of this area starts with one of these (see web.routes).
PREFIXES = ("/organizations", "/admin/organizations")


def routes() -> list[BaseRoute]:
    return [*public.routes, *office.routes]
