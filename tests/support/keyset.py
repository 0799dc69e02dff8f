"""Walking a list paged by keyset (participation.keyset) the way its links do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from participation.keyset import KeysetPage

K = TypeVar("K")


def walk_both_ways(
    page_of: Callable[..., KeysetPage[Any]], key: Callable[[Any], K]
) -> tuple[list[list[K]], list[list[K]]]:
    """The pages from the first by the ``next_after`` links, then back from the last
    by the ``previous_before`` links, each page as its rows' keys. ``page_of()``
    gives the first page, ``page_of(after=id)`` and ``page_of(before=id)`` the
    others. Fails when the first page offers a way back or the pages never end."""
    page = page_of()
    assert page.previous_before is None
    forward = [[key(x) for x in page.items]]
    while page.next_after is not None:
        page = page_of(after=page.next_after)
        forward.append([key(x) for x in page.items])
        assert len(forward) <= 100, "the pages never end"
    backward = [forward[-1]]
    while page.previous_before is not None:
        page = page_of(before=page.previous_before)
        backward.append([key(x) for x in page.items])
        assert len(backward) <= 100, "the pages never end"
    return forward, backward
