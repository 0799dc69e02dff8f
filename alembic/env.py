"""Alembic environment: the URL comes from the caller or from the portal's settings."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy.engine import Connection

# Domain packages above participation register their tables here (participation
# may not import them).
import consultations.evaluations.models  # noqa: F401
import search.models  # noqa: F401
import volunteers.models  # noqa: F401
from alembic import context
from consultations import models as _consultation_models  # noqa: F401  (their tables)
from participation.db import make_engine
from participation.models import metadata

config = context.config


def database_url() -> str:
    url = config.attributes.get("database_url")
    if url:
        return str(url)
    return os.environ.get("GONGZHI_DATABASE_URL", "sqlite:///var/gongzhi.db")


def include_object(obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
    """Leave out what the search migration (0043) makes for one engine only: SQLite's
    FTS5 table and its shadow tables, PostgreSQL's generated ``tsv`` column and its
    GIN index (see search/models.py)."""
    if kind == "table" and name and name.startswith("search_fts"):
        return False
    return not (kind in ("column", "index") and name in ("tsv", "ix_search_docs_tsv"))


def _run(conn: Connection) -> None:
    """Run the migrations on ``conn``. On SQLite, foreign keys are off meanwhile: a
    batch operation copies a table, drops the original and renames the copy, and
    dropping a table that other rows point at fails with foreign keys on. The keys
    are checked once the migrations are done (Alembic's documented recipe)."""
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        if conn.in_transaction():
            conn.commit()  # the pragma is a no-op inside a transaction
        _pragma(conn, "PRAGMA foreign_keys=OFF")
    try:
        context.configure(
            connection=conn,
            target_metadata=metadata,
            render_as_batch=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows pointing nowhere: {broken[:5]}")
    finally:
        if sqlite:
            if conn.in_transaction():
                conn.rollback()  # only a failed run leaves one open
            _pragma(conn, "PRAGMA foreign_keys=ON")


def _pragma(conn: Connection, statement: str) -> None:
    """Run a pragma outside any transaction: through SQLAlchemy it would begin one
    (the portal's engine issues BEGIN IMMEDIATE itself, see ``make_engine``)."""
    raw = conn.connection.dbapi_connection
    assert raw is not None
    raw.execute(statement)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(database_url())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=database_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
