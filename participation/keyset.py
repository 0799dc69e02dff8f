"""A page of a long list by keyset: the link to the next page names the row it
starts after (``after=``), the link back the row the page ends before
(``before=``), never a number of rows to skip.

A page deep in a city's list then costs what the first one does (an OFFSET reads
and drops every row of the pages before it), and a page holds still while rows
are added at the list's start. Each list says how it reads rows from a cursor in
either direction; :func:`keyset_page` turns such a read into a page with its
neighbours, the same way for every list (the back office's accounts and audit
log, the mediation cases, the supervision notices, a consultation's discussion).

A list ordered by more than one column (a time, then the id that breaks its
ties) still names a row by its id in links; :func:`key_of` reads that row's key
and :func:`beyond` says which rows lie past it, in a form both databases answer
from an index on the key's columns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

T = TypeVar("T")
C = TypeVar("C")

#: The largest id a row can have: ids are INTEGER columns, 32 bits on PostgreSQL,
#: which refuses to compare one with a larger number (a cursor typed into a link).
LARGEST_ID = 2**31 - 1

#: A column of a list's order: a mapped attribute or an expression.
Column = InstrumentedAttribute[Any] | ColumnElement[Any]


@dataclass(frozen=True)
class KeysetPage(Generic[T]):
    """A page of a list, and where the pages beside it start."""

    items: Sequence[T]
    #: The id to ask ``after=`` for the next page; None: this page is the last.
    next_after: int | None = None
    #: The id to ask ``before=`` for the previous page; None: this page is the first.
    previous_before: int | None = None


#: ``read(cursor, forward, limit)``: at most ``limit`` rows of the list past
#: ``cursor`` (None: from the list's start), in the list's order when
#: ``forward``, against it (nearest the cursor first) otherwise.
Read = Callable[[C | None, bool, int], Sequence[T]]


def keyset_page(
    read: Read[C, T],
    id_of: Callable[[T], int],
    *,
    cursor: C | None,
    forward: bool,
    per_page: int,
) -> KeysetPage[T]:
    """The page that starts past ``cursor`` (``forward``) or ends before it, or
    the first page when ``cursor`` is None or nothing lies before it.

    One read of ``per_page`` + 1 rows (the one more tells whether a page lies
    beyond), and a second from the start when reading back found nothing.
    Following ``next_after`` from the first page visits every row once, in
    order; ``previous_before`` goes back the same way. A page reached from a
    cursor offers the way back (the list's first page then offers none).
    """
    rows = read(cursor, forward, per_page + 1)
    more = len(rows) > per_page
    rows = rows[:per_page]
    if cursor is not None and not forward:
        if not rows:  # nothing before it: the first page
            return keyset_page(read, id_of, cursor=None, forward=True, per_page=per_page)
        rows = rows[::-1]
        return KeysetPage(rows, id_of(rows[-1]), id_of(rows[0]) if more else None)
    return KeysetPage(
        rows,
        id_of(rows[-1]) if more else None,
        id_of(rows[0]) if cursor is not None and rows else None,
    )


def from_link(after: int, before: int) -> tuple[int | None, bool]:
    """The cursor and direction of a list keyed by id, from its link's ``after``
    or else ``before`` (0: none): (None, True), the first page, also for an id
    past any a row can have (:data:`LARGEST_ID`: PostgreSQL would refuse to
    compare it)."""
    cursor = after or before
    if not 0 < cursor <= LARGEST_ID:
        return None, True
    return cursor, bool(after)


def beyond(
    key: Sequence[Column], cursor: Sequence[Any], *, ascending: bool
) -> list[ColumnElement[bool]]:
    """The conditions of the rows past ``cursor`` (a row's values of ``key``, whose
    last column is unique) in the order of ``key``, ascending or descending.

    ``(a, b) > (x, y)`` is written ``a >= x AND (a > x OR b > y)``: the first
    condition bounds a range of the index on ``key``, which SQLite's and
    PostgreSQL's plans start from (tests/db/requests/test_notices_page.py checks
    them); the second drops the rows of the cursor's ``a`` already shown.
    """
    first, at = key[0], cursor[0]
    if len(key) == 1:
        return [first > at if ascending else first < at]
    rest = and_(*beyond(key[1:], cursor[1:], ascending=ascending))
    if ascending:
        return [first >= at, or_(first > at, rest)]
    return [first <= at, or_(first < at, rest)]


def key_of(
    session: Session, key: Sequence[Column], id_column: Column, row_id: int
) -> tuple[Any, ...] | None:
    """The values of ``key`` of the row whose ``id_column`` is ``row_id`` (a cursor
    from a link), in one statement; None when no row has that id, one of them is
    NULL (the order cannot place it), or the id is past any a row can have
    (:data:`LARGEST_ID`: PostgreSQL would refuse to compare it)."""
    if not 0 < row_id <= LARGEST_ID:
        return None
    row = session.execute(select(*key).where(id_column == row_id)).first()
    return None if row is None or any(value is None for value in row) else tuple(row)
