"""Pagination of lists, with page links that work without JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse

from web.kit.forms import whole_number

T = TypeVar("T")


#: Beyond any list the portal shows; keeps an SQL OFFSET inside 64 bits.
MAX_PAGE = 1_000_000


def page_number(request: Request, param: str = "page") -> int:
    """The ``param`` query parameter (one list's page when a page shows several),
    1 when absent or unreadable, at most MAX_PAGE."""
    return whole_number(request.query_params.get(param), low=1, high=MAX_PAGE) or 1


def to_the_start(request: Request) -> RedirectResponse:
    """A link of the numbered pages a list paged by keyset had (``?page=``:
    bookmarks, history) sent (301) to the list's start, its other parameters
    kept: the numbers no longer exist."""
    kept = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page"])
    return RedirectResponse(f"{request.url.path}?{kept}" if kept else request.url.path, 301)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @classmethod
    def of(cls, items: Sequence[T], number: int, per_page: int = 50) -> Page[T]:
        number = min(number, max(1, -(-len(items) // per_page)))
        start = (number - 1) * per_page
        return cls(items[start : start + per_page], number, per_page, len(items))


@dataclass(frozen=True)
class OpenPage(Generic[T]):
    """A page of a list too long to count on every view (a city's years of rows):
    whether another page follows is known from reading one row more than a page.
    The pager macro shows it as "page N", without "of M" (``total`` is None)."""

    items: Sequence[T]
    number: int
    per_page: int
    has_next: bool
    total: None = None

    @property
    def pages(self) -> int:
        """The pages known so far: this one and, when there is one, the next."""
        return self.number + 1 if self.has_next else self.number

    @property
    def has_previous(self) -> bool:
        return self.number > 1
