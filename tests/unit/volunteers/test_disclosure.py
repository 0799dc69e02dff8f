"""The small-cell rule of the open data's hours (volunteers.rules.disclosure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from volunteers.rules.disclosure import MIN_CONTRIBUTORS, Cell, disclose, may_publish


@pytest.mark.parametrize(
    ("people", "published"),
    [(0, False), (1, False), (2, False), (3, True), (4, True), (10_000, True)],
)
def test_a_total_needs_three_people(people: int, published: bool) -> None:
    assert MIN_CONTRIBUTORS == 3
    assert may_publish(people) is published


def _cell(key: str, minutes: int, *people: int) -> Cell[str]:
    """A cell of these people (their ids: all of them listed when few)."""
    few = frozenset(people) if len(people) < MIN_CONTRIBUTORS else frozenset()
    return Cell(key, minutes, len(people), few)


@pytest.mark.parametrize(
    ("cells", "shown", "withheld"),
    [
        ([], [], 0),
        ([_cell("a", 100, 1, 2, 3)], ["a"], 0),
        ([_cell("a", 100, 1)], [], 1),
        ([_cell("a", 100, 1, 2)], [], 1),
        # The total minus "b" would give person 1's minutes: the smallest shown goes too.
        ([_cell("b", 900, 2, 3, 4), _cell("c", 500, 5, 6, 7), _cell("a", 100, 1)], ["b"], 2),
        # Withheld ones of three distinct people together: the rest stays.
        ([_cell("b", 900, 4, 5, 6), _cell("a", 100, 1), _cell("c", 50, 2, 3)], ["b"], 2),
        # The same two people in two small teams are still two people.
        (
            [
                _cell("b", 900, 4, 5, 6),
                _cell("c", 800, 7, 8, 9),
                _cell("a", 1, 1, 2),
                _cell("d", 1, 1, 2),
            ],
            ["b"],
            3,
        ),
        # Ties: the last of the order given goes.
        ([_cell("b", 500, 2, 3, 4), _cell("c", 500, 5, 6, 7), _cell("a", 100, 1)], ["b"], 2),
        # A zero-person cell (balances corrected to zero) is withheld and hides nobody.
        ([_cell("b", 500, 2, 3, 4), _cell("z", 0)], ["b"], 1),
        # All too small: nothing to show.
        ([_cell("a", 100, 1), _cell("c", 50, 2)], [], 2),
    ],
)
def test_disclose(cells: list[Cell[str]], shown: list[str], withheld: int) -> None:
    result = disclose(cells)
    assert [c.key for c in result.shown] == shown
    assert result.withheld == withheld


_people = st.frozensets(st.integers(1, 8), max_size=5)


@st.composite
def _cells(draw: st.DrawFn) -> list[Cell[int]]:
    groups = draw(st.lists(_people, max_size=8))
    minutes = draw(st.lists(st.integers(0, 10_000), min_size=len(groups), max_size=len(groups)))
    return [
        Cell(k, m, len(g), g if len(g) < MIN_CONTRIBUTORS else frozenset())
        for k, (g, m) in enumerate(zip(groups, minutes, strict=True))
    ]


@given(_cells())
def test_no_shown_figure_and_no_remainder_is_fewer_than_three_people(
    cells: list[Cell[int]],
) -> None:
    result = disclose(cells)
    shown = {c.key for c in result.shown}
    assert all(c.people >= MIN_CONTRIBUTORS for c in result.shown)
    assert result.withheld == len(cells) - len(shown)
    assert [c.key for c in result.shown] == [c.key for c in cells if c.key in shown]  # order
    hidden = [c for c in cells if c.key not in shown]
    # What the total minus the shown figures gives: nothing, all of it, or the sum of
    # three people's minutes at least (a withheld cell of three counts as three).
    people = set().union(*(c.few for c in hidden))
    assert (
        not people
        or not shown
        or len(people) >= MIN_CONTRIBUTORS
        or any(c.people >= MIN_CONTRIBUTORS for c in hidden)
    )
    # At most one figure fit to show is withheld, and only when the remainder needs it.
    assert sum(1 for c in hidden if c.people >= MIN_CONTRIBUTORS) <= 1
