"""One database transaction per request, committed or rolled back by the web layer.

Services take the session and never commit. The transaction is committed just
before the response starts when its status is below 400, and rolled back
otherwise (and on any exception), so a refused request writes nothing.

The request body is read in full, on the event loop, before the session is
opened: a request that held a pooled connection (or SQLite's write lock) while
it waited for the rest of its body would keep it from the others for as long as
the client liked. Then the rest of the request (session, endpoint, commit) runs
on a request thread (web/kit/request_threads.py) when the app has them, so that
its synchronous database calls stop only that thread, never the event loop; with
``threads=0`` it runs on the loop, as it did before.

A connection that cannot be had within the pool timeout (the pool is exhausted:
connections held elsewhere) answers ``busy``, the 503 page, not a 500.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from participation.db import READ_ONLY, begin_writing, writers_queue
from web.kit.request_threads import RequestThreads

T = TypeVar("T")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# GET endpoints that must write (the OpenID callback creates accounts and links).
WRITING_GET_PREFIXES = ("/auth/oidc/",)
# POST endpoints that read first and then write briefly (see write_briefly): casting
# a ballot, signing up for a volunteer shift, filing a resident request.
SHORT_WRITES = re.compile(
    r"^/ballots/\d+/cast$|^/volunteers/shifts/\d+/signup$|^/requests/(new|assist)$"
)


KEEP_ON_REFUSAL = "db_keep_on_refusal"
# Paths served without a request session: static files, and the health checks and
# metrics (web.ops), which must answer even when the database does not.
NO_SESSION_PREFIXES = ("/static/", "/healthz", "/readyz", "/metrics")


def write_briefly(request: Request, work: Callable[[Session], T]) -> T:
    """End a short-write request's read phase, run ``work`` in a write transaction
    and commit it before returning (rolled back if ``work`` raises).

    On SQLite a write transaction holds the database's single write lock; for
    the hottest write (casting a ballot) the checks run first without it, and
    the write itself (two inserts) takes it for well under a millisecond, queued
    behind other such writes (participation.db.writers_queue). ``work`` is
    synchronous, so nothing can await while the lock is held. Correctness does
    not depend on the reads staying current: the inserts carry their own unique
    keys. After a refusal the request goes on reading, outside the write lock.
    """
    session = db(request)
    connection = session.connection()
    try:
        with writers_queue(connection.engine):
            try:
                begin_writing(connection)
                result = work(session)
                session.commit()
            except BaseException:
                session.rollback()  # inside the queue: the next writer finds the lock free
                raise
    except Exception:
        session.connection(execution_options={READ_ONLY: True})
        raise
    return result


def keep_on_refusal(request: Request) -> None:
    """Commit this request's writes even though it answers with a refusal.

    Only for records of the refusal itself (a failed sign-in that feeds the rate
    limit): the refused action must have written nothing else. A separate
    transaction would deadlock on SQLite, where the request already holds the
    write lock.
    """
    request.scope["state"][KEEP_ON_REFUSAL] = True


class Replay:
    """The body read in full, handed back without waiting; then the client's own
    ``receive`` (a disconnect). ``buffered`` may be read from a request thread."""

    def __init__(self, messages: list[Message], receive: Receive) -> None:
        self.buffered = messages
        self.receive = receive

    async def __call__(self) -> Message:
        return self.buffered.pop(0) if self.buffered else await self.receive()


async def buffered_body(receive: Receive) -> Receive:
    """Read the whole request body now; hand it back to the app without waiting."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break
    return Replay(messages, receive)


async def _no_busy_page(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 503, "headers": []})
    await send({"type": "http.response.body", "body": b"busy"})


class DatabaseSessionMiddleware:
    """``threads``: request threads (0: serve on the event loop); ``wait``: seconds a
    request may wait for one; ``busy``: the ASGI app that answers when a request
    waited longer, or found the connection pool exhausted (the 503 page)."""

    def __init__(
        self, app: ASGIApp, *, threads: int = 0, wait: float = 10.0, busy: ASGIApp = _no_busy_page
    ) -> None:
        self.app = app
        self.busy = busy
        self.threads = RequestThreads(threads, wait=wait, busy=busy) if threads else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(NO_SESSION_PREFIXES):
            await self.app(scope, receive, send)
            return
        if scope["method"] not in SAFE_METHODS:
            receive = await buffered_body(receive)
        if self.threads is None:
            await self.serve(scope, receive, send)
        else:
            await self.threads.run(self.serve, scope, receive, send)

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The request with its session: on a request thread, or on the loop."""
        started = False

        async def send_started(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self._serve(scope, receive, send_started)
        except PoolTimeout:
            if started:
                raise
            await self.busy(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        factory: sessionmaker[Session] = scope["app"].state.sessions
        read_only = (
            scope["method"] in SAFE_METHODS and not scope["path"].startswith(WRITING_GET_PREFIXES)
        ) or bool(SHORT_WRITES.match(scope["path"]))
        session = factory()
        if read_only:
            session.connection(execution_options={READ_ONLY: True})
        scope.setdefault("state", {})["db"] = session
        finished = False

        async def send_wrapper(message: Message) -> None:
            nonlocal finished
            if message["type"] == "http.response.start" and not finished:
                finished = True
                if not session.in_transaction():
                    pass  # nothing to end (a short write committed its own)
                elif message["status"] < 400 or scope["state"].get(KEEP_ON_REFUSAL):
                    try:
                        session.commit()
                    except Exception:
                        session.rollback()
                        raise
                else:
                    session.rollback()
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            session.rollback()
            raise
        finally:
            session.close()


def db(request: Request) -> Session:
    session: Any = request.state.db
    return session  # type: ignore[no-any-return]
