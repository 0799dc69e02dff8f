"""Third-party evaluations: questionnaires, reports, panels and departments' answers."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.evaluations import api, department, office, panels, public

#: Every path of this area starts with one of these (see web.routes).
PREFIXES = ("/evaluations", "/panels", "/api/v1/evaluations")


def routes() -> list[BaseRoute]:
    return [*office.routes, *public.routes, *department.routes, *api.routes, *panels.routes]
