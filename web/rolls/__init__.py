"""Resident rolls and deputy rolls: verifying oneself or at the desk, imports, congresses."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.rolls import desk, office, public

#: Every path of this area starts with one of these (see web.routes).
PREFIXES = ("/verify", "/admin/verify", "/admin/desk", "/admin/rolls", "/admin/congresses")


def routes() -> list[BaseRoute]:
    return [*public.routes, *office.routes, *desk.routes]
