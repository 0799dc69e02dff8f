"""Counting the SQL statements a piece of code runs (to catch N+1 queries)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.support.client import FormClient


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement any engine runs inside the block, in order."""
    seen: list[str] = []

    def note(*args: Any) -> None:
        seen.append(str(args[2]))  # (conn, cursor, statement, parameters, context, many)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", note)


def reading(table: str, seen: list[str]) -> int:
    """How many of ``seen`` read from ``table``."""
    return sum(
        1 for sql in seen if sql.lstrip().upper().startswith("SELECT") and f"FROM {table}" in sql
    )


#: Asks past the page cache (web/kit/page_cache.py): the page is rendered anew.
RENDER_ANEW = {"Cache-Control": "no-cache"}


def _rendering(sql: str) -> bool:
    """Not the page cache's own reading of its counters."""
    return "table_versions" not in sql


def statements_of_page(client: FormClient, path: str) -> list[str]:
    """Every SQL statement that rendering the page at ``path`` runs (it must answer 200)."""
    with statements() as seen:
        page = client.get(path, headers=RENDER_ANEW)
    assert page.status_code == 200
    return [sql for sql in seen if _rendering(sql)]


def page_selects(engine: Engine, client: FormClient, url: str) -> tuple[int, str]:
    """How many reading statements (SELECT or WITH) ``engine`` runs to show the page
    at ``url``, which must answer 200, and the page's text."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and _rendering(statement):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get(url, headers=RENDER_ANEW)
        assert page.status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen), page.text


def explained(
    engine: Engine, run: Callable[[Session], object], *, no_seqscan: bool = False
) -> list[str]:
    """The plan of each SELECT (or WITH) ``run`` executes, as the database plans it
    with the parameters it ran with: SQLite's EXPLAIN QUERY PLAN, PostgreSQL's
    EXPLAIN. ``no_seqscan``: PostgreSQL is asked not to read whole tables (a test's
    tables are small enough that it would rather), to show whether the indexes can
    serve each statement."""
    ran: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            ran.append((statement, parameters))

    with Session(engine) as s:
        event.listen(engine, "before_cursor_execute", note)
        try:
            run(s)
        finally:
            event.remove(engine, "before_cursor_execute", note)
        connection = s.connection()
        sqlite = engine.dialect.name == "sqlite"
        if no_seqscan and not sqlite:
            connection.exec_driver_sql("SET enable_seqscan = off")
        explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
        return [
            "\n".join(
                str(row[-1] if sqlite else row[0])
                for row in connection.exec_driver_sql(explain + sql, params)
            )
            for sql, params in ran
        ]
