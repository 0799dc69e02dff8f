"""The area tree: city, district, street, community, grid."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.areas import api, office, public

#: Every path of this area starts with one of these (see web.routes).
PREFIXES = ("/areas", "/admin/areas", "/api/v1/areas")


def routes() -> list[BaseRoute]:
    return [*public.routes, *office.routes, *api.routes]
