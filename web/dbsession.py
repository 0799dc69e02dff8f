"""One database transaction per request, committed or rolled back by the web layer.

Services take the session and never commit. The transaction is committed just
before the response starts when its status is below 400, and rolled back
otherwise (and on any exception), so a refused request writes nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from participation.db import READ_ONLY

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# GET endpoints that must write (the OpenID callback creates accounts and links).
WRITING_GET_PREFIXES = ("/auth/oidc/",)


class DatabaseSessionMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        factory: sessionmaker[Session] = scope["app"].state.sessions
        read_only = scope["method"] in SAFE_METHODS and not scope["path"].startswith(
            WRITING_GET_PREFIXES
        )
        session = factory()
        if read_only:
            session.connection(execution_options={READ_ONLY: True})
        scope.setdefault("state", {})["db"] = session
        finished = False

        async def send_wrapper(message: Message) -> None:
            nonlocal finished
            if message["type"] == "http.response.start" and not finished:
                finished = True
                if message["status"] < 400:
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
