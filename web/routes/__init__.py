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
        budgets,
        budgets_admin,
        budgets_api,
        home,
        livelihood,
        livelihood_admin,
        livelihood_api,
        oidc,
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
        *budgets.routes,
        *budgets_admin.routes,
        *budgets_api.routes,
        *livelihood.routes,
        *livelihood_admin.routes,
        *livelihood_api.routes,
    ]
