"""Requests on request threads (web/kit/request_threads.py) and the connection pool.

A small app behind the portal's own middleware: the endpoint runs off the event
loop, in the request's context (locale), and what it sends reaches the client in
order, streamed or not; errors end as they did on the loop; a request blocked in
its thread leaves the others free; one that finds no connection or waited too
long for a thread gets the 503 page in the user's language, never a 500.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import sessionmaker
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from participation.db import make_engine
from tests.support.client import FormClient
from tests.support.event_loop import run_apart
from web.app import LocaleMiddleware, create_app
from web.kit import errors, i18n
from web.kit.dbsession import DatabaseSessionMiddleware, db
from web.kit.request_threads import RequestThreads
from web.kit.templating import make_environment
from web.settings import Settings

release = threading.Event()


async def where(request: Request) -> Response:
    one = db(request).execute(text("SELECT 1")).scalar_one()
    return JSONResponse(
        {"thread": threading.get_ident(), "locale": i18n.current_locale.get(), "one": one}
    )


async def stream(request: Request) -> Response:
    async def chunks() -> AsyncIterator[bytes]:
        for n in range(50):
            await asyncio.sleep(0)
            yield f"{n},".encode()

    return StreamingResponse(chunks(), media_type="text/csv")


async def stream_sync(request: Request) -> Response:
    def chunks() -> Iterator[bytes]:  # run by Starlette in a thread of the request's loop
        for n in range(50):
            yield f"{n},".encode()

    return StreamingResponse(chunks(), media_type="text/csv")


async def blocked(request: Request) -> Response:
    release.wait()  # a synchronous wait, as a database call waiting on a lock
    return PlainTextResponse("released")


async def boom(request: Request) -> Response:
    raise RuntimeError("boom")


async def refused(request: Request) -> Response:
    raise HTTPException(403)


async def no_connection(request: Request) -> Response:
    raise PoolTimeout("QueuePool limit reached")


@pytest.fixture
def small_app(sqlite_url: str) -> Iterator[Starlette]:
    release.clear()
    engine = make_engine(sqlite_url)

    async def server_error(request: Request, exc: Exception) -> Response:
        return PlainTextResponse("server error page", status_code=500)

    app = Starlette(
        routes=[
            Route("/where", where),
            Route("/stream", stream),
            Route("/stream-sync", stream_sync),
            Route("/blocked", blocked),
            Route("/boom", boom),
            Route("/refused", refused),
            Route("/no-connection", no_connection),
        ],
        middleware=[
            Middleware(LocaleMiddleware, default="zh_CN"),
            # A request may wait for a thread (one just finishing its previous request);
            # the test of the 503 shortens the wait itself.
            Middleware(DatabaseSessionMiddleware, threads=2, wait=60, busy=errors.busy),
        ],
        exception_handlers={
            HTTPException: lambda r, e: PlainTextResponse("refused", status_code=403),
            Exception: server_error,
        },
    )
    app.state.sessions = sessionmaker(engine, expire_on_commit=False)
    app.state.templates = make_environment()
    yield app
    release.set()
    engine.dispose()


def request_threads(app: Starlette) -> RequestThreads | None:
    """The app's request threads, once its middleware stack is built (by a request)."""
    layer: Any = app.middleware_stack
    while layer is not None and not isinstance(layer, DatabaseSessionMiddleware):
        layer = layer.app
    return None if layer is None else layer.threads


async def threads_taken(app: Starlette, n: int) -> RequestThreads:
    """The app's request threads, once ``n`` of them have been started (by requests
    that keep them: the endpoints waiting on ``release``)."""
    while True:
        threads = request_threads(app)
        if threads is not None and threads.running >= n:
            return threads
        await asyncio.sleep(0.01)


def run(app: Starlette, test: Any) -> Any:
    async def main() -> Any:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await test(c)

    return run_apart(main)


def test_the_endpoint_runs_off_the_loop_in_the_requests_context(small_app: Starlette) -> None:
    async def test(c: httpx.AsyncClient) -> tuple[int, list[dict[str, Any]]]:
        loop_thread = threading.get_ident()
        answers = [
            await c.get("/where", headers={"cookie": f"lang={lang}"}) for lang in ("en", "zh_CN")
        ]
        return loop_thread, [a.json() for a in answers]

    loop_thread, answers = run(small_app, test)
    assert [a["locale"] for a in answers] == ["en", "zh_CN"]
    assert all(a["one"] == 1 and a["thread"] != loop_thread for a in answers)


@pytest.mark.parametrize("path", ["/stream", "/stream-sync"])
def test_a_streamed_response_arrives_whole_and_in_order(small_app: Starlette, path: str) -> None:
    async def test(c: httpx.AsyncClient) -> httpx.Response:
        return await c.get(path)

    answer = run(small_app, test)
    assert answer.status_code == 200
    assert answer.text == "".join(f"{n}," for n in range(50))


def test_errors_end_as_they_did_on_the_loop(small_app: Starlette) -> None:
    async def test(c: httpx.AsyncClient) -> list[httpx.Response]:
        return [await c.get("/boom"), await c.get("/refused"), await c.get("/where")]

    boom_, refused_, after = run(small_app, test)
    assert (boom_.status_code, boom_.text) == (500, "server error page")
    assert (refused_.status_code, refused_.text) == (403, "refused")
    assert after.status_code == 200  # the thread that raised serves on


def test_a_blocked_request_leaves_the_others_answered(small_app: Starlette) -> None:
    async def test(c: httpx.AsyncClient) -> tuple[int, bool, str]:
        first = asyncio.ensure_future(c.get("/blocked"))
        await threads_taken(small_app, 1)
        answer = await c.get("/where")
        still_blocked = not first.done()
        release.set()
        return answer.status_code, still_blocked, (await first).text

    assert run(small_app, test) == (200, True, "released")


def test_a_request_that_waited_too_long_for_a_thread_gets_503(small_app: Starlette) -> None:
    async def test(c: httpx.AsyncClient) -> list[httpx.Response]:
        # Both threads blocked; a third request queues longer than wait=0 allows.
        firsts = [asyncio.ensure_future(c.get("/blocked")) for _ in range(2)]
        pool = await threads_taken(small_app, 2)
        pool.wait = 0
        third = asyncio.ensure_future(c.get("/where", headers={"cookie": "lang=en"}))
        while not pool._queued:
            await asyncio.sleep(0.01)
        release.set()
        return [*(await asyncio.gather(*firsts)), await third]

    first, second, third = run(small_app, test)
    assert (first.text, second.text) == ("released", "released")
    assert third.status_code == 503
    assert "The portal is busy" in third.text and third.headers["Retry-After"]


def test_a_pool_timeout_in_the_endpoint_is_503(small_app: Starlette) -> None:
    async def test(c: httpx.AsyncClient) -> httpx.Response:
        return await c.get("/no-connection")

    answer = run(small_app, test)
    assert answer.status_code == 503
    assert "平台繁忙" in answer.text


# The portal itself: the pool from settings, and a request that finds it exhausted.


def until(condition: Any) -> None:
    """Wait for ``condition()`` to hold: a state, not a time (the bound only ends a hang)."""
    for _ in range(6000):
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError("the condition never held")


def test_the_engine_honours_the_pool_settings(any_db_url: str) -> None:
    settings = Settings(
        environment="test",
        database_url=any_db_url,
        db_pool_size=2,
        db_max_overflow=1,
        db_pool_timeout=0,
        cheap_hashing=True,
    )
    app = create_app(settings)
    engine = app.state.engine
    held = [engine.connect() for _ in range(3)]  # pool size + max overflow
    try:
        with pytest.raises(PoolTimeout):
            engine.connect()
    finally:
        for conn in held:
            conn.close()
    assert engine.pool.size() == 2 and engine.pool.timeout() == 0
    assert settings.threads == 3
    engine.dispose()


def test_an_exhausted_pool_gets_503_in_the_users_language(any_db_url: str) -> None:
    settings = Settings(
        environment="test",
        database_url=any_db_url,
        base_url="http://testserver",
        db_pool_size=1,
        db_max_overflow=0,
        db_pool_timeout=0,
        cheap_hashing=True,
    )
    app = create_app(settings)
    held = app.state.engine.connect()  # the only connection, taken elsewhere
    try:
        with FormClient(app, base_url="http://testserver") as client:
            page = client.get("/areas")
            assert page.status_code == 503
            assert "平台繁忙" in page.text and "没有保存任何内容" in page.text
            assert page.headers["Retry-After"]
            client.cookies.set("lang", "en")
            page = client.get("/areas")
            assert page.status_code == 503 and "The portal is busy" in page.text
            assert client.get("/healthz").status_code == 200  # needs no database
            held.close()
            # With no wait allowed (pool timeout 0), a request that finds the only
            # thread still ending the previous one is busy too: let it end first.
            threads = request_threads(app)
            assert threads is not None
            until(lambda: len(threads._idle) == threads.running)
            assert client.get("/areas").status_code == 200
    finally:
        held.close()
        app.state.engine.dispose()
