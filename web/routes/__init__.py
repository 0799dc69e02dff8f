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
        consultations,
        consultations_admin,
        consultations_api,
        consultations_terms,
        consultations_topics,
        evaluations,
        evaluations_api,
        evaluations_manage,
        evaluations_panels,
        evaluations_staff,
        home,
        livelihood,
        livelihood_admin,
        livelihood_api,
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
        *consultations_topics.routes,
        *consultations.routes,
        *consultations_admin.routes,
        *consultations_api.routes,
        *consultations_terms.routes,
        *evaluations_manage.routes,  # before /evaluations/{id}: /evaluations/manage
        *evaluations.routes,
        *evaluations_staff.routes,
        *evaluations_api.routes,
        *evaluations_panels.routes,
        *plan.routes,
        *plan_office.routes,
        *plan_data.routes,
        *budgets.routes,
        *budgets_admin.routes,
        *budgets_api.routes,
        *livelihood.routes,
        *livelihood_admin.routes,
        *livelihood_api.routes,
    ]
