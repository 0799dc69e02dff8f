"""participation.paging.last_page: the page a list shows for the number asked."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participation.paging import last_page


@pytest.mark.parametrize(
    ("page", "total", "per_page", "shown"),
    [
        (1, 0, 50, 1),  # nothing to list: still page 1
        (7, 0, 50, 1),
        (1, 1, 50, 1),
        (2, 50, 50, 1),  # exactly one full page
        (2, 51, 50, 2),
        (3, 101, 50, 3),
        (99, 101, 50, 3),  # past the end: the last page
        (0, 101, 50, 1),  # below the first: the first
        (-5, 101, 50, 1),
    ],
)
def test_the_page_shown(page: int, total: int, per_page: int, shown: int) -> None:
    assert last_page(page, total, per_page) == shown


@given(st.integers(-10, 10**6), st.integers(0, 10**6), st.integers(1, 500))
def test_the_page_shown_holds_a_row_unless_there_are_none(
    page: int, total: int, per_page: int
) -> None:
    shown = last_page(page, total, per_page)
    assert shown >= 1
    first_row = (shown - 1) * per_page
    assert first_row < total or (total == 0 and shown == 1)
    if page >= 1 and (page - 1) * per_page < total:
        assert shown == page  # a page that holds rows is shown as asked
