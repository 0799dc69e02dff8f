"""All routes, one module per area of the site."""

from __future__ import annotations

from starlette.routing import BaseRoute


def all_routes() -> list[BaseRoute]:
    from web.routes import (
        accounts,
        admin,
        admin_ballots,
        api,
        api_volunteers,
        areas,
        ballots,
        home,
        oidc,
        rolls,
        volunteer_admin,
        volunteer_lead,
        volunteer_records,
        volunteers,
    )

    return [
        *home.routes,
        *accounts.routes,
        *oidc.routes,
        *areas.routes,
        *rolls.routes,
        *ballots.routes,
        *admin_ballots.routes,
        *admin.routes,
        *api.routes,
        *volunteers.routes,
        *volunteer_records.routes,
        *volunteer_lead.routes,
        *volunteer_admin.routes,
        *api_volunteers.routes,
    ]
