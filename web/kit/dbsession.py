"""One database transaction per request, committed or rolled back by the web layer.

Services take the session and never commit. The transaction is committed just
before the response starts when its status is below 400, and rolled back
otherwise (and on any exception), so a refused request writes nothing.

The request body is read in full before the session is opened. Database calls
are synchronous and run on the event loop; a request that held a pooled
connection (or SQLite's write lock) while it waited for the rest of its body
would let other requests of the same worker take the loop and block on that
connection or lock, which nobody could release until a timeout.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from participation.db import READ_ONLY, begin_writing, writers_queue

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


async def buffered_body(receive: Receive) -> Receive:
    """Read the whole request body now; hand it back to the app without waiting."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return replay


class DatabaseSessionMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(NO_SESSION_PREFIXES):
            await self.app(scope, receive, send)
            return
        if scope["method"] not in SAFE_METHODS:
            receive = await buffered_body(receive)
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
