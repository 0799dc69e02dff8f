"""Counting the SQL statements a piece of code runs (to catch N+1 queries)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


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
