"""A page of a table's rows, newest (highest id) first, in two ways: by page number
for the back office's lists, and by keyset (the id of the last row seen) for the
open-data API, whose pages hold still while rows are added. And a page of any
ordered query that knows only whether a next page follows (:func:`page_ahead`),
for public lists that are never counted whole."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, TypeVarTuple, cast

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


def last_page(page: int, total: int, per_page: int) -> int:
    """``page`` kept within 1 .. the last page of ``total`` rows (1 when none):
    a page number past the end shows the last page."""
    return max(1, min(page, -(-total // per_page) or 1))


def newest_page(
    session: Session, model: type[T], id_: InstrumentedAttribute[int], *, page: int, per_page: int
) -> tuple[Sequence[T], int, int]:
    """One page of ``model``'s rows (``id_`` its id column), newest first: the rows,
    how many there are and the page number (:func:`last_page`). One statement
    (:func:`counted_page`)."""
    rows, total, page = counted_page(
        session,
        select(model).order_by(id_.desc()),
        select(func.count(id_)),
        page=page,
        per_page=per_page,
    )
    return [row for (row,) in rows], total, page


def newest_after(
    session: Session, model: type[T], id_: InstrumentedAttribute[int], *, after: int, limit: int
) -> Sequence[T]:
    """At most ``limit`` of ``model``'s rows, newest first, older than the row of id
    ``after`` (0: from the newest). One statement, on the primary key."""
    query = select(model)
    if after:
        query = query.where(id_ < after)
    return session.scalars(query.order_by(id_.desc()).limit(limit)).all()


@dataclass(frozen=True)
class Window(Generic[T]):
    """One page of a list that is never counted whole: its rows, its number (from 1)
    and whether another page follows (the page was read with one row more)."""

    items: list[T]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_ahead(
    session: Session, query: Select[*Ts], *, page: int, per_page: int
) -> Window[Row[*Ts]]:
    """Page ``page`` of ``query`` (ordered), read with one row more than shown to
    know whether a next page exists: one statement, which reads no more than the
    rows up to the page's end, however long the list. A page past the end (no row)
    counts the list, in a second statement, and shows its last page."""
    page = max(1, page)
    rows = _rows(session, query, page, per_page)
    if not rows and page > 1:
        total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        page = last_page(page, total or 0, per_page)
        rows = _rows(session, query, page, per_page)
    return Window(list(rows[:per_page]), page, len(rows) > per_page)


def _rows(session: Session, query: Select[*Ts], page: int, per_page: int) -> Sequence[Row[*Ts]]:
    return session.execute(query.offset((page - 1) * per_page).limit(per_page + 1)).all()


def counted_page(
    session: Session,
    query: Select[*Ts],
    count: Select[int],
    *,
    page: int,
    per_page: int,
) -> tuple[list[tuple[*Ts]], int, int]:
    """Page ``page`` of ``query`` (ordered) with the list's length, ``count`` (a
    statement counting the same rows), asked as a column of the same statement
    (an uncorrelated subquery, evaluated once; a window count would copy every row
    of the list first): the rows, how many there are in all and the page number. One
    statement; a page past the end reads the last page in a second one."""
    page = max(1, page)
    total_of = count.scalar_subquery().label("total")
    listed = query.add_columns(total_of)
    rows = _counted(session, listed, page, per_page)
    total = int(rows[0][-1]) if rows else 0
    if not rows and page > 1:
        total = int(session.scalar(count) or 0)
        page = last_page(page, total, per_page)
        rows = _counted(session, listed, page, per_page) if total else []
    # Each row without its last column, the count.
    return [cast("tuple[*Ts]", tuple(row)[:-1]) for row in rows], total, page


def _counted(
    session: Session, query: Select[*tuple[Any, ...]], page: int, per_page: int
) -> list[Row[*tuple[Any, ...]]]:
    return list(session.execute(query.offset((page - 1) * per_page).limit(per_page)).all())
