"""Volunteering: teams, shifts, sign-ups, check-in, hours, star levels and certificates."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.volunteers import api, lead, lead_forms, lead_rules, office, public, records

#: Every path of this area starts with one of these (see web.routes).
PREFIXES = ("/volunteers", "/lead", "/admin/volunteers", "/api/v1/volunteer")


def routes() -> list[BaseRoute]:
    return [
        *public.routes,
        *records.routes,
        *lead.routes,
        *lead_forms.routes,
        *office.routes,
        *lead_rules.routes,
        *api.routes,
    ]
