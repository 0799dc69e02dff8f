"""Several counts in one statement.

A page that shows a handful of counts (the personal home's to-do list) would run
one ``SELECT count(*)`` each; each costs a round trip and, in Python, building and
executing a statement. Services hand out their counts as scalar subqueries
instead, and the page runs them side by side: ``SELECT (SELECT count(*) ...),
(SELECT count(*) ...), ...`` is one statement whatever the number of counts.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ScalarSelect, select
from sqlalchemy.orm import Session


def count_all(session: Session, counts: Sequence[ScalarSelect[int]]) -> list[int]:
    """The value of each count, in order: one statement (none for no counts)."""
    if not counts:
        return []
    row = session.execute(select(*counts)).one()
    return [int(value or 0) for value in row]
