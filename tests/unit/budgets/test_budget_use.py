"""The running total of a budget ballot: what the chosen items cost against the cap."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participation.ballots.rules.ballot_forms import BallotForm, FormKind, budget_use

COSTS = {"1": 60_000, "2": 30_000, "3": 25_000}
BUDGET = BallotForm(FormKind.BUDGET, budget=100_000)


@pytest.mark.parametrize(
    ("chosen", "total", "over", "left"),
    [
        ([], 0, 0, 100_000),
        (["1", "2"], 90_000, 0, 10_000),
        (["1", "2", "3"], 115_000, 15_000, 0),
        (["1", "1"], 60_000, 0, 40_000),  # a key twice counts once
        (["9"], 0, 0, 100_000),  # an unknown key costs nothing
    ],
)
def test_budget_use(chosen: list[str], total: int, over: int, left: int) -> None:
    use = budget_use(BUDGET, COSTS, chosen)
    assert use is not None
    assert (use.total, use.over, use.left) == (total, over, left)


def test_no_budget_use_without_a_capped_budget_form() -> None:
    assert budget_use(BallotForm(FormKind.CHOOSE), COSTS, ["1"]) is None
    assert budget_use(BallotForm(FormKind.BUDGET), COSTS, ["1"]) is None


@given(st.sets(st.sampled_from(sorted(COSTS))), st.integers(min_value=0, max_value=200_000))
def test_over_and_left_never_both_positive(chosen: set[str], cap: int) -> None:
    use = budget_use(BallotForm(FormKind.BUDGET, budget=cap), COSTS, chosen)
    assert use is not None
    assert use.total - use.budget == use.over - use.left
    assert min(use.over, use.left) == 0
