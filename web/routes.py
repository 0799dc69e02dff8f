"""The route table: each area's routes, under the path prefixes the area declares.

An area is a package of ``web`` with ``PREFIXES`` and ``routes()``; a path belongs
to the area whose declared prefix is the longest one that covers it (tested in
tests/web/kit/test_routing.py), so a URL predicts the folder that serves it.
"""

from __future__ import annotations

from types import ModuleType

from starlette.routing import BaseRoute

from web import (
    accounts,
    admin,
    api,
    areas,
    ballots,
    budgets,
    consultations,
    evaluations,
    home,
    livelihood,
    ops,
    organizations,
    plan,
    requests,
    rolls,
    search,
    volunteers,
)

#: The areas, in table order (the first route that matches a request wins).
AREAS: tuple[ModuleType, ...] = (
    home,
    accounts,
    areas,
    rolls,
    ballots,
    admin,
    consultations,
    evaluations,
    organizations,
    plan,
    budgets,
    livelihood,
    volunteers,
    ops,
    requests,
    search,
)


def all_routes() -> list[BaseRoute]:
    return [*(route for area in AREAS for route in area.routes()), *api.routes]


def covers(prefix: str, path: str) -> bool:
    """Whether a declared prefix covers a route path: the path itself, or the
    path below it (``/plan`` covers ``/plan/items/1`` and ``/plan.atom``-like
    ``/api/v1/plan-items.csv`` only through its own prefix)."""
    return path == prefix or path.startswith((prefix + "/", prefix + "."))
