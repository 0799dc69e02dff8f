"""Table versions: a counter per group of tables that every committed write moves.

A page rendered from the database stays exactly right for as long as none of the
tables it read has been written since. To know that without reading the tables
again, every engine made by ``participation.db.make_engine`` watches its own
statements: a write (INSERT, UPDATE, DELETE, or SQL it cannot read) marks the
tables it wrote on its connection, and the commit moves those tables' counters.
Whoever reads the counters before reading the data, and finds them unchanged
later, knows that nothing it read has changed (web/kit/page_cache.py).

Tables are grouped into ``BUCKETS`` buckets by a stable hash of their name, so
the counters are a fixed set (no migration per new table); two tables sharing a
bucket only make a write to one also count as a write to the other.

Invariants:
- A committed write to table T moves ``bucket(T)``'s counter, after the data is
  visible to other connections or at the same moment: on SQLite the counter is
  written in the same transaction, just before COMMIT (one writer at a time, so
  the counter and the data are seen together); on PostgreSQL it is moved just
  after COMMIT, in a transaction of its own (a counter row updated inside every
  ballot's transaction would queue concurrent ballots behind its lock until each
  commits), into one of ``SHARDS`` shares chosen by the connection. A reader
  who reads the counters first and the data second can therefore never file
  old data under a new counter. Should a process die
  between a PostgreSQL commit and the move, the counter stays behind until the
  next write to that table; readers bound that by also keying on the minute.
- SQL the tracker cannot parse (text that is not a plain SELECT, DDL) counts as
  a write to every bucket: over-counting only costs a re-render, never a stale page.
- A rolled-back transaction moves nothing.
"""

from __future__ import annotations

import contextlib
import functools
import zlib
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

from sqlalchemy import BigInteger, Integer, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.selectable import TableClause
from sqlalchemy.sql.util import find_tables

from participation.db import Base

#: How many counters there are. Only buckets ever written have a row; with ~125
#: tables, 1,024 buckets keep most tables apart (changing it needs no migration,
#: but every process must agree: it is part of the code, not of a setting).
BUCKETS = 1024
#: The counter moved by a write to tables unknown (DDL, SQL text): every reader
#: checks it too, so such a write counts as a write to every table.
EVERYTHING = BUCKETS
ALL = frozenset({EVERYTHING})
#: Statement words that neither read nor write data.
_NEUTRAL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET", "SHOW", "END")
_READS = ("SELECT", "PRAGMA", "EXPLAIN")
_TOUCHED = "gongzhi_touched_buckets"


#: PostgreSQL spreads each counter over this many rows, one per group of
#: connections (by backend process id), summed when read: concurrent writers of the
#: same table (every ballot cast) then rarely wait for one another's row.
SHARDS = 16


class TableVersion(Base):
    """One bucket's counter, or one share of it (the counter is the sum of its
    shares); a bucket never written has no row (its counter is 0)."""

    __tablename__ = "table_versions"

    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)


def bucket(table: str) -> int:
    """The bucket of a table name: stable across processes and Python runs."""
    return zlib.crc32(table.encode()) % BUCKETS


class Reads:
    """What one piece of work read: the buckets of the tables, and whether it did
    anything that makes its result unsafe to reuse (wrote, or ran SQL whose tables
    are unknown)."""

    __slots__ = ("buckets", "unsafe")

    def __init__(self) -> None:
        self.buckets: set[int] = {EVERYTHING}
        self.unsafe = False


#: The reads being recorded on this thread of work (None: not recording).
reading: ContextVar[Reads | None] = ContextVar("gongzhi_reading", default=None)


def _first_word(sql: str) -> str:
    return sql.lstrip(" \n\t(").split(None, 1)[0].upper() if sql.strip() else ""


def _classify_text(sql: str) -> tuple[bool, frozenset[int] | None]:
    """(writes, buckets) of SQL known only as text: None buckets means unknown."""
    word = _first_word(sql)
    if word in _NEUTRAL:
        return False, frozenset()
    if word in _READS:
        return False, None
    return True, ALL


def classify(compiled: Any, sql: str) -> tuple[bool, frozenset[int] | None]:
    """(writes, buckets) of one compiled statement, computed once per compiled form
    (SQLAlchemy reuses compiled statements from its cache, so this is rarely run)."""
    known = getattr(compiled, "_gongzhi_classified", None)
    if known is not None:
        return known  # type: ignore[no-any-return]
    statement = getattr(compiled, "statement", None)
    result: tuple[bool, frozenset[int] | None]
    if statement is None or isinstance(statement, TextClause):
        result = _classify_text(sql)
    elif isinstance(statement, UpdateBase):
        tables = find_tables(statement, include_crud=True)
        written = frozenset(bucket(t.name) for t in tables if isinstance(t, TableClause))
        result = True, written or ALL
    elif getattr(compiled, "isddl", False) or not hasattr(statement, "selectable"):
        result = True, ALL
    else:
        tables = find_tables(statement, check_columns=True)
        result = False, frozenset(bucket(t.name) for t in tables if isinstance(t, TableClause))
    with contextlib.suppress(AttributeError):  # a compiled form without a __dict__
        compiled._gongzhi_classified = result
    return result


def _after_execute(
    conn: Connection,
    cursor: Any,
    statement: str,
    parameters: Any,
    context: Any,
    executemany: bool,
) -> None:
    compiled = getattr(context, "compiled", None)
    if compiled is not None:
        writes, buckets = classify(compiled, statement)
    else:
        writes, buckets = _classify_text(statement)
    if writes:
        conn.info.setdefault(_TOUCHED, set()).update(buckets or ALL)
    recording = reading.get()
    if recording is not None:
        if writes or buckets is None:
            recording.unsafe = True
        else:
            recording.buckets.update(buckets)


def _upsert(buckets: Iterable[int], shard: int) -> str:
    values = ",".join(f"({int(b)},{int(shard)},1)" for b in sorted(buckets))  # one lock order
    return (
        "INSERT INTO table_versions (bucket, shard, version) VALUES "
        + values
        + " ON CONFLICT (bucket, shard) DO UPDATE SET version = table_versions.version + 1"
    )


def _sqlite_bump(dbapi_connection: Any, buckets: Iterable[int]) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(_upsert(buckets, 0))  # one writer at a time: one share
    except Exception as error:
        if "table_versions" not in str(error):
            raise
    finally:
        cursor.close()


def _postgresql_bump(dbapi_connection: Any, buckets: Iterable[int]) -> None:
    raw = dbapi_connection.dbapi_connection
    was = raw.autocommit  # an AUTOCOMMIT engine's connection stays so
    raw.autocommit = True  # the statements below are the whole transaction: one round trip
    try:
        with raw.cursor() as cursor:
            try:
                # A counter is worth no fsync: after a crash every page cache is empty anyway.
                shard = raw.info.backend_pid % SHARDS
                cursor.execute(
                    "BEGIN; SET LOCAL synchronous_commit = off; "
                    + _upsert(buckets, shard)
                    + "; COMMIT"
                )
            except Exception as error:
                cursor.execute("ROLLBACK")  # the failed BEGIN block, not the data's transaction
                if "table_versions" not in str(error):  # only a database without the table
                    raise
    finally:
        raw.autocommit = was


def _take_touched(dbapi_connection: Any) -> set[int] | None:
    """The buckets written on this connection since its last commit or rollback."""
    try:
        info = dbapi_connection.info
    except NotImplementedError:  # the dialect's first-connect probe: nothing written
        return None
    return info.pop(_TOUCHED, None)  # type: ignore[no-any-return]


def install(engine: Engine) -> None:
    """Track writes on ``engine`` and move the written tables' counters on commit."""
    event.listen(engine, "after_cursor_execute", _after_execute)
    dialect = engine.dialect
    commit = dialect.do_commit
    rollback = dialect.do_rollback

    if dialect.name == "sqlite":

        def do_commit(dbapi_connection: Any) -> None:
            touched = _take_touched(dbapi_connection)
            if touched:
                _sqlite_bump(dbapi_connection, touched)
            commit(dbapi_connection)

    else:

        def do_commit(dbapi_connection: Any) -> None:
            touched = _take_touched(dbapi_connection)
            commit(dbapi_connection)
            if touched and dialect.name == "postgresql":
                _postgresql_bump(dbapi_connection, touched)

    def do_rollback(dbapi_connection: Any) -> None:
        _take_touched(dbapi_connection)
        rollback(dbapi_connection)

    dialect.do_commit = do_commit  # type: ignore[method-assign]
    dialect.do_rollback = do_rollback  # type: ignore[method-assign]


def current(connection: Connection, buckets: Iterable[int] | None = None) -> dict[int, int]:
    """The counters of ``buckets`` (default: all) now; a bucket never written is 0
    (absent from the answer when all are asked for).

    Read them before the data they stand for (see the module's invariants). Read
    through the driver's own cursor, in the connection's transaction: this runs
    before every page served again, and SQLAlchemy's statement machinery would
    cost more than the statement (the SQL holds only integers written here)."""
    if buckets is None:
        return dict(_rows(connection, _ALL_VERSIONS))
    wanted = sorted(int(b) for b in buckets)
    if not wanted:
        return {}
    found = dict(_rows(connection, _versions_of(",".join(map(str, wanted)))))
    return {b: found.get(b, 0) for b in wanted}


def _rows(connection: Connection, sql: str) -> list[tuple[int, int]]:
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        return [(int(b), int(v)) for b, v in cursor.fetchall()]
    finally:
        cursor.close()


_ALL_VERSIONS = "SELECT bucket, sum(version) FROM table_versions GROUP BY bucket"


@functools.lru_cache(maxsize=4096)
def _versions_of(listed: str) -> str:
    return (
        "SELECT bucket, sum(version) FROM table_versions"
        f" WHERE bucket IN ({listed}) GROUP BY bucket"
    )
