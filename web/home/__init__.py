"""The front page, the language switch and the process health check."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.home import public

#: Every path of this area starts with one of these (see web.routes).
PREFIXES = ("/", "/lang", "/healthz")


def routes() -> list[BaseRoute]:
    return [*public.routes]
