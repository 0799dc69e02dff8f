"""Counting the SQL statements a piece of code runs (to catch N+1 queries)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

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


def statements_of_page(client: FormClient, path: str) -> list[str]:
    """Every SQL statement that showing the page at ``path`` runs (it must answer 200)."""
    with statements() as seen:
        page = client.get(path)
    assert page.status_code == 200
    return seen


def page_selects(engine: Engine, client: FormClient, url: str) -> tuple[int, str]:
    """How many reading statements (SELECT or WITH) ``engine`` runs to show the page
    at ``url``, which must answer 200, and the page's text."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get(url)
        assert page.status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen), page.text
