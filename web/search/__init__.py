"""Search: one box over the portal's public records (the index lives in ``search``)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from search import changes
from web.search import public

# Every process that serves the portal writes the search change log (search/changes.py).
changes.install()

#: Every path of this area starts with one of these (see web.routes).
PREFIXES = ("/search",)


def routes() -> list[BaseRoute]:
    return [*public.routes]
