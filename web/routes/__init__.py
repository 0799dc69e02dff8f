"""All routes, one module per area of the site."""

from __future__ import annotations

from starlette.routing import BaseRoute


def all_routes() -> list[BaseRoute]:
    from web.routes import (
        accounts,
        admin,
        admin_ballots,
        api,
        areas,
        ballots,
        home,
        oidc,
        plan,
        plan_data,
        plan_office,
        rolls,
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
        *plan.routes,
        *plan_office.routes,
        *plan_data.routes,
    ]
