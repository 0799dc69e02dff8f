"""Small-cell suppression: which totals of service minutes open data may show.

A total published per team (or per month) is one or two people's hours whenever
only one or two people served there: anyone who knows who serves in a small team
reads their hours off the figure, and one of two members reads the other's by
subtracting their own. Statistics offices publish a cell only when at least
:data:`MIN_CONTRIBUTORS` distinct people contribute to it, and withhold the rest.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

#: The fewest distinct people with a positive balance whose summed minutes a
#: public figure may show.
MIN_CONTRIBUTORS = 3

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Cell(Generic[K]):
    """One figure: its key (a team, a month), its minutes, how many distinct people
    have a positive balance in it and, when fewer than :data:`MIN_CONTRIBUTORS`,
    who they are (``few``; empty otherwise)."""

    key: K
    minutes: int
    people: int
    few: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Disclosure(Generic[K]):
    """The cells that may be shown, in the order given, and how many were withheld."""

    shown: list[Cell[K]]
    withheld: int


def may_publish(people: int, minimum: int = MIN_CONTRIBUTORS) -> bool:
    """A total of minutes may be published when at least ``minimum`` distinct people
    have a positive balance in it (a correction that brings a person's balance back
    to zero takes them out of the count: their minutes no longer make up the figure).
    Fewer, and the figure is one or two people's hours, which whoever knows who
    serves there reads off it: so it is withheld."""
    return people >= minimum


def disclose(cells: Iterable[Cell[K]], minimum: int = MIN_CONTRIBUTORS) -> Disclosure[K]:
    """Withhold every cell of fewer than ``minimum`` people (:func:`may_publish`), and
    then, because the cells add up to a published total, make sure the withheld ones
    do not betray each other's sum: total minus the shown cells is the withheld
    cells' sum, so when that sum is fewer than ``minimum`` people's (counting each
    person once across the withheld cells), the shown cell with the fewest minutes
    is withheld too (ties: the last in the given order). A cell of ``minimum`` people
    or more in the withheld sum makes it safe, so at most one more is withheld.
    Withheld cells of nobody (balances corrected to zero) hide nobody.

    Invariants: every shown cell has ``minimum`` people or more; the withheld cells
    are of nobody, or have ``minimum`` distinct people together, or are all the
    cells."""
    cells = list(cells)
    shown = [c for c in cells if may_publish(c.people, minimum)]
    small = [c for c in cells if not may_publish(c.people, minimum)]
    hidden: set[int] = set().union(*(c.few for c in small))
    if shown and 0 < len(hidden) < minimum:
        fewest = min(reversed(range(len(shown))), key=lambda i: shown[i].minutes)
        del shown[fewest]
    return Disclosure(shown, len(cells) - len(shown))
