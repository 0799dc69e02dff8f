"""The front page (the personal home when signed in), my activity, the language switch
and the display (age-friendly) switch."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.home import activity, display, public

#: Every path of this area starts with one of these (see web.routes).
PREFIXES = ("/", "/lang", "/me", "/display")


def routes() -> list[BaseRoute]:
    return [*public.routes, *activity.routes, *display.routes]
