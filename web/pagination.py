"""Pagination of lists, with page links that work without JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from starlette.requests import Request

T = TypeVar("T")


def page_number(request: Request) -> int:
    try:
        return max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        return 1


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
