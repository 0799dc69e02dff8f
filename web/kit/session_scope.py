"""A transaction outside of any request (CLI, demo loader, background jobs)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy.orm import Session

from participation import sealing
from participation.db import make_engine
from participation.requests import tracking_keys
from web.settings import Settings


@contextlib.contextmanager
def session_scope(settings: Settings) -> Iterator[Session]:
    sealing.use_secret(settings.secret_key)
    tracking_keys.use_key(settings.id_hash_key)
    engine = make_engine(settings.database_url)
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            yield session
    finally:
        engine.dispose()
