"""The front page and the language switch."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.home import public

#: Every path of this area starts with one of these (see web.routes).
PREFIXES = ("/", "/lang")


def routes() -> list[BaseRoute]:
    return [*public.routes]
