"""The front page, the language switch and the display (age-friendly) switch."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.home import display, public

#: Every path of this area starts with one of these (see web.routes).
PREFIXES = ("/", "/lang", "/display")


def routes() -> list[BaseRoute]:
    return [*public.routes, *display.routes]
