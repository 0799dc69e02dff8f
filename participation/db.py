"""The shared declarative base and engine construction.

Every table in the portal derives from :class:`Base`. Relationships default to
``lazy="raise"`` so that a template can never issue SQL behind a route's back:
queries load what the page needs, explicitly.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: Execution option marking a transaction that will not write (SQLite: plain BEGIN).
READ_ONLY = "gongzhi_read_only"


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored without zone and always handed back as aware UTC.

    SQLite has no zone-aware type; storing naive UTC everywhere and re-attaching
    the zone on load keeps comparisons correct on both SQLite and PostgreSQL.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(
    url: str,
    *,
    pool_size: int | None = None,
    max_overflow: int | None = None,
    pool_timeout: float | None = None,
    **kwargs: Any,
) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout.

    WAL lets readers proceed while one writer commits; the busy timeout makes
    concurrent writers queue instead of failing with "database is locked".
    The pool options (the web's settings) apply to a database with a connection
    pool: PostgreSQL and SQLite files, not in-memory SQLite (one connection).
    """
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
    if not in_memory(url):
        for name, value in (
            ("pool_size", pool_size),
            ("max_overflow", max_overflow),
            ("pool_timeout", pool_timeout),
        ):
            if value is not None:
                kwargs[name] = value
    engine = create_engine(url, **kwargs)
    from participation import table_versions  # here: it maps a table on Base

    table_versions.install(engine)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not pysqlite, decide when a transaction begins,
            # so BEGIN IMMEDIATE can be issued for write transactions.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            # Deleted rows are overwritten with zeros, not left in free space for
            # whoever copies the file (sealed ballots once opened, drafts).
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # IMMEDIATE takes the write lock up front: two requests that both
            # read-then-write cannot fail with SQLITE_BUSY halfway or lose an
            # update. Read-only work (GET pages) opts out to keep readers parallel.
            if conn.get_execution_options().get(READ_ONLY):
                conn.exec_driver_sql("BEGIN")
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def in_memory(url: str) -> bool:
    """An in-memory SQLite database: one per connection, so one thread serves it."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return False
    return parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory"


def begin_writing(connection: Connection) -> None:
    """Turn a connection's read transaction into a write transaction.

    On SQLite the portal issues the transaction statements itself (see
    ``_sqlite_begin``): the read transaction ends (it wrote nothing) and one that
    holds the write lock begins on the same connection, which SQLAlchemy then
    commits or rolls back as usual; cheaper than a second transaction through
    the ORM. Elsewhere the one transaction simply goes on to write.
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("COMMIT")
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class _WriterQueue:
    """One process's handle on a database's writer queue (see writers_queue)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.threads = threading.Lock()
        self.pid = -1
        self.fd = -1

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        with self.threads:
            if self.pid != os.getpid():  # opened anew after a fork: flock is per open file
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                self.pid = os.getpid()
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self.fd, fcntl.LOCK_UN)


_queues: dict[str, _WriterQueue] = {}
_queues_lock = threading.Lock()


@contextlib.contextmanager
def writers_queue(engine: Engine) -> Iterator[None]:
    """Hold the database's writer queue around one short write transaction.

    SQLite has one write lock, and a writer that finds it taken sleeps in the busy
    handler for 1, 2, 5, 10 ... ms before looking again, even when the holder
    needed a tenth of a millisecond: under many concurrent writers those sleeps,
    not the work, make the slowest requests. Writers that take this lock first
    (a threading lock within a process, ``flock`` on a file beside the database
    across worker processes) queue in the kernel and start the moment the
    previous one finishes. Only for short, synchronous transactions: nothing
    may await while the lock is held. A no-op for in-memory SQLite and PostgreSQL.
    """
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    path = os.path.abspath(database) + "-writers"
    with _queues_lock:
        queue = _queues.setdefault(path, _WriterQueue(path))
    with queue.held():
        yield
