"""A read-only session of its own, for work that outlives the request's session.

The request's session (web.kit.dbsession) ends when the response starts. A
streamed download reads its rows after that, while the body is sent; it reads
them through this session, which opens its own connection marked read-only (on
SQLite: a plain deferred transaction, never the write lock), and is closed when
the stream ends, is abandoned, or fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request

from participation.db import READ_ONLY


@contextmanager
def read_only_session(request: Request) -> Iterator[Session]:
    """A new read-only session on the app's database, closed when the block ends."""
    factory: sessionmaker[Session] = request.app.state.sessions
    session = factory()
    try:
        session.connection(execution_options={READ_ONLY: True})
        yield session
    finally:
        session.close()
