"""A page of a table's rows, newest (highest id) first, in two ways: by page number
for the back office's lists, and by keyset (the id of the last row seen) for the
open-data API, whose pages hold still while rows are added."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

T = TypeVar("T")


def last_page(page: int, total: int, per_page: int) -> int:
    """``page`` kept within 1 .. the last page of ``total`` rows (1 when none):
    a page number past the end shows the last page."""
    return max(1, min(page, -(-total // per_page) or 1))


def newest_page(
    session: Session, model: type[T], id_: InstrumentedAttribute[int], *, page: int, per_page: int
) -> tuple[Sequence[T], int, int]:
    """One page of ``model``'s rows (``id_`` its id column), newest first: the rows,
    how many there are and the page number (:func:`last_page`). Two statements."""
    total = int(session.scalar(select(func.count(id_))) or 0)
    page = last_page(page, total, per_page)
    rows = session.scalars(
        select(model).order_by(id_.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return rows, total, page


def newest_after(
    session: Session, model: type[T], id_: InstrumentedAttribute[int], *, after: int, limit: int
) -> Sequence[T]:
    """At most ``limit`` of ``model``'s rows, newest first, older than the row of id
    ``after`` (0: from the newest). One statement, on the primary key."""
    query = select(model)
    if after:
        query = query.where(id_ < after)
    return session.scalars(query.order_by(id_.desc()).limit(limit)).all()
