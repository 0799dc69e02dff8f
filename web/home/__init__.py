"""The front page (the personal home when signed in), my activity, the language switch."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.home import activity, public

#: Every path of this area starts with one of these (see web.routes).
PREFIXES = ("/", "/lang", "/me")


def routes() -> list[BaseRoute]:
    return [*public.routes, *activity.routes]
