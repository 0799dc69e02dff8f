"""Route dispatch by first path segment.

Starlette's router tries every route in order until one matches: with the
portal's two hundred routes, the volunteer pages (near the end of the table)
paid some 180 regular-expression matches per request. This router keeps
Starlette's rule, the first route in table order that matches fully wins, but
tries only the routes that could match: those whose path starts with the same
literal segment as the request's, and those whose first segment is a parameter
(or that have no path of their own). Without a full match, Starlette's answers
are given the same way among those candidates: the first partial match (405),
else a trailing-slash redirect when the other spelling matches, else 404; an
unknown address no longer tries all six hundred routes twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette._utils import get_route_path
from starlette.convertors import IntegerConvertor, register_url_convertor
from starlette.datastructures import URL
from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Match, Mount, Route, Router
from starlette.types import Receive, Scope, Send

ANY_SEGMENT = None


class BoundedIntegerConvertor(IntegerConvertor):
    """``{name:int}`` in every route: at most 18 digits, so an id always fits the
    database's 64-bit integers. A longer number does not match the route (404);
    Starlette's own convertor matched any length, and 2**63 reached the database
    as an OverflowError (500)."""

    regex = "[0-9]{1,18}"


# Replaces Starlette's "int" for every route compiled after this import; web/__init__.py
# imports this module, so that is every route of the portal.
register_url_convertor("int", BoundedIntegerConvertor())


def first_segment(path: str) -> str:
    """``/volunteers/shifts/3`` -> ``volunteers``; ``/`` -> ``""``."""
    return path.split("/", 2)[1] if path.startswith("/") else path


def literal_first_segment(route: BaseRoute) -> str | None:
    """The literal first segment every path the route matches starts with, or
    ``None`` when the route could match any (a parameter, a host, no path)."""
    if not isinstance(route, Route | Mount):
        return ANY_SEGMENT
    segment = first_segment(route.path)
    return ANY_SEGMENT if "{" in segment or (isinstance(route, Mount) and not segment) else segment


def index_routes(routes: Sequence[BaseRoute]) -> tuple[dict[str, list[BaseRoute]], list[BaseRoute]]:
    """Per literal first segment, the routes that could match a path starting with
    it, in table order; and the routes that could match any path.

    Invariant: for every path, the first route in ``routes`` that matches it is
    the first in ``index.get(segment, anywhere)`` that matches it.
    """
    anywhere = [r for r in routes if literal_first_segment(r) is ANY_SEGMENT]
    index: dict[str, list[BaseRoute]] = {}
    for segment in {literal_first_segment(r) for r in routes} - {ANY_SEGMENT}:
        assert segment is not None
        index[segment] = [r for r in routes if literal_first_segment(r) in (segment, ANY_SEGMENT)]
    return index, anywhere


class SegmentRouter(Router):
    """Starlette's Router with a first-segment index in front of its scan."""

    def __init__(self, routes: Sequence[BaseRoute], **options: object) -> None:
        super().__init__(list(routes), **options)  # type: ignore[arg-type]
        self.index, self.anywhere = index_routes(self.routes)
        self.indexed = len(self.routes)

    def candidates(self, scope: Scope) -> list[BaseRoute]:
        if len(self.routes) != self.indexed:  # a route added later (a test's, say)
            self.index, self.anywhere = index_routes(self.routes)
            self.indexed = len(self.routes)
        return self.index.get(first_segment(get_route_path(scope)), self.anywhere)

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().app(scope, receive, send)
            return
        scope.setdefault("router", self)
        partial: tuple[BaseRoute, Scope] | None = None
        for route in self.candidates(scope):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
            if match is Match.PARTIAL and partial is None:
                partial = (route, child_scope)
        # As Starlette's Router.app from here, over the candidates: a route that
        # matches a path, even partially, is among that path's candidates.
        if partial is not None:  # the path is served, not with this method: 405
            scope["route"] = partial[0]
            scope.update(partial[1])
            await partial[0].handle(scope, receive, send)
            return
        route_path = get_route_path(scope)
        if self.redirect_slashes and route_path != "/":
            redirect_scope = dict(scope)
            if route_path.endswith("/"):
                redirect_scope["path"] = redirect_scope["path"].rstrip("/")
            else:
                redirect_scope["path"] = redirect_scope["path"] + "/"
            for route in self.candidates(redirect_scope):
                if route.matches(redirect_scope)[0] is not Match.NONE:
                    response = RedirectResponse(url=str(URL(scope=redirect_scope)))
                    await response(scope, receive, send)
                    return
        await self.default(scope, receive, send)
