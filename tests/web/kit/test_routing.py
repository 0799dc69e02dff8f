"""The first-segment router picks exactly the route Starlette's full scan picks."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, Match, Mount, Route, Router
from starlette.types import Message

from tests.support.client import FormClient
from tests.support.event_loop import run_apart
from web.kit.routing import SegmentRouter, first_segment, index_routes


def _scope(path: str, method: str) -> dict[str, object]:
    return {"type": "http", "path": path, "method": method, "root_path": "", "headers": []}


def first_full_match(routes: Sequence[BaseRoute], path: str, method: str) -> BaseRoute | None:
    for route in routes:
        if route.matches(_scope(path, method))[0] is Match.FULL:
            return route
    return None


def _sample_path(route: Route | Mount) -> str:
    """A path the route matches: every parameter filled with a plausible value."""
    path = re.sub(r"\{[^}:]+:int\}", "7", route.path)
    path = re.sub(r"\{[^}:]+:path\}", "a/b", path)
    path = re.sub(r"\{[^}]+\}", "x1", path)
    return path + ("/css/site.css" if isinstance(route, Mount) else "")


@pytest.fixture
def table(app: Starlette) -> SegmentRouter:
    assert isinstance(app.router, SegmentRouter)
    return app.router


@pytest.mark.parametrize(
    ("path", "segment"),
    [("/", ""), ("/volunteers", "volunteers"), ("/volunteers/shifts/3", "volunteers"), ("", "")],
)
def test_first_segment(path: str, segment: str) -> None:
    assert first_segment(path) == segment


def test_every_route_of_the_portal_is_found_as_a_full_scan_finds_it(table: SegmentRouter) -> None:
    checked = 0
    for route in table.routes:
        if not isinstance(route, Route | Mount):
            continue
        path = _sample_path(route)
        for method in [*sorted(getattr(route, "methods", None) or {"GET"}), "PATCH"]:
            scope = _scope(path, method)
            expected = first_full_match(table.routes, path, method)
            assert first_full_match(table.candidates(scope), path, method) is expected, (
                path,
                method,
            )
            checked += 1
    assert checked > 300  # the whole table was walked


def test_the_volunteer_sign_up_is_tried_among_few_routes(table: SegmentRouter) -> None:
    scope = _scope("/volunteers/shifts/7/signup", "POST")
    assert len(table.candidates(scope)) < len(table.routes) / 4


segments = st.sampled_from(["a", "b", "{x}", "{n:int}", "c", ""])
route_paths = st.lists(st.lists(segments, min_size=1, max_size=3), min_size=1, max_size=12)
request_paths = st.lists(st.sampled_from(["a", "b", "c", "7", "zz", ""]), min_size=1, max_size=4)


@given(route_paths, request_paths, st.sampled_from(["GET", "POST"]))
def test_any_table_and_path_match_the_full_scan(
    tables: list[list[str]], request: list[str], method: str
) -> None:
    routes: list[BaseRoute] = []
    for n, parts in enumerate(tables):
        # parameter names must differ within a path
        path = "/" + "/".join(
            p.replace("{x", f"{{x{i}").replace("{n", f"{{n{i}") for i, p in enumerate(parts)
        )

        async def endpoint(request: object) -> None:
            raise AssertionError

        routes.append(Route(path, endpoint, methods=["GET"] if n % 2 else ["POST"], name=str(n)))
    index, anywhere = index_routes(routes)
    path = "/" + "/".join(request)
    candidates = index.get(first_segment(path), anywhere)
    assert first_full_match(candidates, path, method) is first_full_match(routes, path, method)


def test_unmatched_paths_still_get_starlettes_answers(client: FormClient) -> None:
    assert client.get("/no-such-page").status_code == 404
    redirected = client.get("/volunteers/", follow_redirects=False)
    assert redirected.status_code == 307
    assert redirected.headers["location"].endswith("/volunteers")


def _route_paths(routes: Sequence[BaseRoute]) -> list[str]:
    return [route.path for route in routes if hasattr(route, "path")]


def test_every_area_serves_only_under_the_prefixes_it_declares() -> None:
    """A URL predicts the folder: each route's path is covered by a prefix its own
    area declares, and by no longer prefix of another area."""
    from web import routes as table

    declared = [(prefix, area) for area in table.AREAS for prefix in area.PREFIXES]
    assert len({prefix for prefix, _ in declared}) == len(declared), "a prefix declared twice"
    for area in table.AREAS:
        paths = _route_paths(area.routes())
        assert paths, f"{area.__name__} serves nothing"
        for path in paths:
            covering = [(p, a) for p, a in declared if table.covers(p, path)]
            assert covering, f"{path} ({area.__name__}) is under no declared prefix"
            longest, owner = max(covering, key=lambda pa: len(pa[0]))
            assert owner is area, (
                f"{path} is served by {area.__name__} under {owner.__name__}'s {longest}"
            )


def test_the_table_is_every_area_and_the_openapi_document() -> None:
    from web import api
    from web import routes as table

    listed = [route.path for route in table.all_routes() if hasattr(route, "path")]
    expected = [p for area in table.AREAS for p in _route_paths(area.routes())]
    assert listed == expected + _route_paths(api.routes)
    # the 13 areas of issue 14, ops (issue 19), requests (15), search (18)
    assert len(table.AREAS) == 16


def _answer(router: Router, path: str, method: str) -> tuple[int, str, str]:
    """What ``router`` answers: status, Location, body."""
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = _scope(path, method) | {"query_string": b"", "server": ("testserver", 80)}
    scope["scheme"] = "http"
    run_apart(lambda: router.app(scope, receive, send))
    headers = dict(sent[0].get("headers", []))
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return sent[0]["status"], headers.get(b"location", b"").decode(), body.decode()


@settings(max_examples=150, deadline=None)
@given(
    route_paths,
    request_paths,
    st.booleans(),
    st.sampled_from(["GET", "POST", "DELETE"]),
)
def test_unmatched_answers_are_starlettes(
    tables: list[list[str]], request: list[str], slash: bool, method: str
) -> None:
    """404, 405 and trailing-slash redirects, found among the candidates only, are
    what Starlette's full scan answers."""
    routes: list[BaseRoute] = []
    for n, parts in enumerate(tables):
        path = "/" + "/".join(
            p.replace("{x", f"{{x{i}").replace("{n", f"{{n{i}") for i, p in enumerate(parts)
        )
        if n % 3 == 2 and path != "/":
            path += "/"

        async def endpoint(request: object, name: str = str(n)) -> PlainTextResponse:
            return PlainTextResponse(name)

        routes.append(Route(path, endpoint, methods=["GET"] if n % 2 else ["POST"], name=str(n)))
    path = "/" + "/".join(request) + ("/" if slash else "")
    assert _answer(SegmentRouter(routes), path, method) == _answer(Router(routes), path, method)


def test_a_known_address_with_another_method_is_405(client: FormClient) -> None:
    assert client.options("/volunteers").status_code == 405  # a safe method: past CSRF


def test_a_route_added_later_is_found(table: SegmentRouter, client: FormClient) -> None:
    async def late(request: object) -> PlainTextResponse:
        return PlainTextResponse("late")

    table.routes.append(Route("/late-addition", late))
    table.routes.append(Route("/volunteers/late-addition", late))
    assert client.get("/late-addition").text == "late"
    assert client.get("/volunteers/late-addition").text == "late"
