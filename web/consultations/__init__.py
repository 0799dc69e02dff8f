"""Community consultations (社区协商): topics, representatives, deliberation and decisions."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.consultations import api, office, office_merge, office_terms, public, topics

#: Every path of this area starts with one of these (see web.routes).
PREFIXES = ("/consultations", "/admin/consultations", "/api/v1/consultations")


def routes() -> list[BaseRoute]:
    return [
        *topics.routes,
        *public.routes,
        *office.routes,
        *office_merge.routes,
        *office_terms.routes,
        *api.routes,
    ]
