from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participation.ballots.rules.ballot_forms import BallotForm, FormKind, check_ballot
from participation.ballots.rules.paper_counts import counts_problem, expand

KEYS = ["1", "2", "3", "4"]
COSTS = dict.fromkeys(KEYS, 0)


@st.composite
def choose_counts(draw: st.DrawFn) -> tuple[int, int, dict[str, list[int]]]:
    most = draw(st.integers(1, 4))
    valid = draw(st.integers(1, 30))
    counts = {k: [draw(st.integers(0, valid))] for k in KEYS}
    return most, valid, counts


@given(choose_counts(), st.integers(0, 5))
def test_choose_expansion_keeps_totals_and_validity(
    case: tuple[int, int, dict[str, list[int]]], void: int
) -> None:
    most, valid, counts = case
    form = BallotForm(FormKind.CHOOSE, 0, most)
    if counts_problem(form, KEYS, valid, counts):
        assert sum(c[0] for c in counts.values()) > most * valid
        return
    ballots = expand(form, KEYS, valid, void, counts)
    checked = [check_ballot(form, COSTS, b) for b in ballots]
    assert sum(c.ok for c in checked) == valid and len(ballots) == valid + void
    totals = Counter(k for c in checked if c.ok and c.content for k in c.content["approved"])
    assert all(totals[k] == counts[k][0] for k in KEYS)


def test_yes_no_expansion() -> None:
    form = BallotForm(FormKind.YES_NO)
    counts = {"1": [5, 3, 2], "2": [0, 10, 0], "3": [1, 1, 8], "4": [10, 0, 0]}
    assert counts_problem(form, KEYS, 10, counts) is None
    ballots = expand(form, KEYS, 10, 1, counts)
    valid = [check_ballot(form, COSTS, b).content for b in ballots]
    assert valid[-1] is None  # the void one
    yes = Counter(k for c in valid if c for k, v in c["choices"].items() if v == "yes")
    assert yes == {"1": 5, "3": 1, "4": 10}


@pytest.mark.parametrize(
    ("kind", "valid", "counts", "problem"),
    [
        (
            FormKind.YES_NO,
            10,
            {"1": [5, 3, 1], "2": [10, 0, 0], "3": [0, 0, 10], "4": [0, 10, 0]},
            "add up",
        ),
        (FormKind.CHOOSE, 3, {"1": [4], "2": [0], "3": [0], "4": [0]}, "more votes"),
        (FormKind.CHOOSE, 3, {"1": [1]}, "every item"),
        (FormKind.RANKED, 3, {k: [1] for k in KEYS}, "one by one"),
    ],
)
def test_impossible_counts(
    kind: FormKind, valid: int, counts: dict[str, list[int]], problem: str
) -> None:
    message = counts_problem(BallotForm(kind, 0, 2), KEYS, valid, counts)
    assert message is not None and problem in message
