"""Counting rules at their boundaries (table-driven) and their invariants (hypothesis)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.tally.adapters import RULES
from participation.ballots.tally.equal_shares import equal_shares, equal_shares_add1, greedy

CHOOSE = BallotForm(FormKind.CHOOSE, 0, 3)
KEYS = {"a": 0, "b": 0, "c": 0, "d": 0}


def ballots(*approved: str) -> list[dict[str, list[str]]]:
    return [{"approved": sorted(a)} for a in approved]


def run(
    rule: str,
    params: dict[str, Any],
    ballots_: list[dict[str, Any]],
    eligible: int,
    costs: dict[str, int] = KEYS,
    form: BallotForm = CHOOSE,
) -> Any:
    return RULES[rule](form, {"rule": rule} | params, costs, ballots_, eligible)


@pytest.mark.parametrize(
    ("yes_votes", "eligible", "strict", "passes"),
    [
        (5, 10, True, False),  # exactly half is not "more than half"
        (6, 10, True, True),
        (5, 10, False, True),  # "at least half"
        (4, 10, False, False),
        (5, 9, True, True),  # 5 > 4.5
    ],
)
def test_threshold_boundaries(yes_votes: int, eligible: int, strict: bool, passes: bool) -> None:
    votes = ["a"] * yes_votes + [""] * max(0, eligible - yes_votes)
    result = run("threshold", {"strict": strict, "places": 1}, ballots(*votes), eligible)
    assert (result.rows[0].key == "a" and result.rows[0].selected) is passes


def test_threshold_base_cast_versus_eligible() -> None:
    votes = ballots("a", "a", "a", "")  # 3 of 4 ballots, 10 eligible
    assert not run("threshold", {"places": 1}, votes, 10).rows[0].selected
    assert run("threshold", {"places": 1, "base": "cast"}, votes, 10).rows[0].selected


def test_tie_at_cutoff_is_a_runoff_never_broken() -> None:
    votes = ballots("ab", "ab", "ac", "bc", "a")  # a 4, b 3, c 2 (of 5)
    result = run("threshold", {"places": 2, "base": "cast", "share": "1/3"}, votes, 5)
    assert [r.key for r in result.rows if r.selected] == ["a", "b"]
    tie = ballots("ab", "ac", "bc", "a", "bc")  # a 3, b 3, c 3
    result = run("threshold", {"places": 2, "base": "cast", "share": "1/3"}, tie, 5)
    assert [r.key for r in result.rows if r.selected] == []
    assert result.notes and "Runoff" in result.notes[0][0]
    assert result.notes[0][1]["items"] == ["a", "b", "c"]


def test_shortfall_asks_for_a_further_round() -> None:
    result = run("threshold", {"places": 3}, ballots("a", "a", "a", "b"), 4)
    assert [r.key for r in result.rows if r.selected] == ["a"]
    assert result.notes[0][0].startswith("Further round needed")
    assert result.notes[0][1] == {"missing": 2}


def test_quorum() -> None:
    result = run("threshold", {"places": 1, "quorum": "1/2"}, ballots("a", "a"), 4)
    assert not any(r.selected for r in result.rows)
    assert result.notes[0][0].startswith("Quorum not reached")
    ok = run("threshold", {"places": 1, "quorum": "1/2"}, ballots("a", "a", "a"), 4)
    assert ok.rows[0].selected


SAT = BallotForm(FormKind.SATISFACTION)


@pytest.mark.parametrize(
    ("satisfied", "basic", "members", "half", "outcome"),
    [
        (5, 0, 10, "reach", "Satisfied"),  # exactly half reaches
        (5, 0, 10, "exceed", "Dissatisfied"),  # exactly half does not exceed
        (4, 1, 10, "reach", "Basically satisfied"),
        (4, 1, 10, "exceed", "Dissatisfied"),
        (4, 2, 10, "exceed", "Basically satisfied"),
        (2, 2, 10, "reach", "Dissatisfied"),
        (6, 0, 10, "exceed", "Satisfied"),
    ],
)
def test_satisfaction_boundaries(
    satisfied: int, basic: int, members: int, half: str, outcome: str
) -> None:
    grades = (
        ["satisfied"] * satisfied
        + ["basic"] * basic
        + ["dissatisfied"] * (members - satisfied - basic)
    )
    result = RULES["satisfaction"](
        SAT, {"half": half}, {"p": 0}, [{"grades": {"p": g}} for g in grades], members
    )
    assert result.rows[0].outcome == outcome


def test_satisfaction_base_is_all_members_by_default() -> None:
    grades = [{"grades": {"p": "satisfied"}}] * 3  # 3 of 10 members voted, all satisfied
    assert RULES["satisfaction"](SAT, {}, {"p": 0}, grades, 10).rows[0].outcome == "Dissatisfied"
    cast = RULES["satisfaction"](SAT, {"base": "cast"}, {"p": 0}, grades, 10)
    assert cast.rows[0].outcome == "Satisfied"


RANKED = BallotForm(FormKind.RANKED)


def test_borda_and_irv() -> None:
    rankings = [["a", "b", "c"]] * 4 + [["b", "c", "a"]] * 3 + [["c", "b", "a"]] * 2
    ballots_ = [{"ranking": r} for r in rankings]
    borda = RULES["borda"](RANKED, {}, {"a": 0, "b": 0, "c": 0}, ballots_, 9)
    assert borda.rows[0].key == "b"  # b: 4*2+3*3+2*2 = 21; a: 4*3+3+2 = 17
    irv = RULES["irv"](RANKED, {}, {"a": 0, "b": 0, "c": 0}, ballots_, 9)
    assert irv.rows[0].key == "b" and irv.rows[0].selected  # c out, its 2 go to b: 5 of 9


def test_greedy_variants() -> None:
    keys = ["a", "b", "c"]
    votes = {"a": 10, "b": 8, "c": 5}
    costs = {"a": 60, "b": 50, "c": 30}
    assert greedy(keys, votes, costs, 100).selected == ("a", "c")
    assert greedy(keys, votes, costs, 100, skip=False).selected == ("a",)
    assert greedy(keys, votes, costs, 100, min_votes=6).selected == ("a",)


def test_equal_shares_small_example() -> None:
    # 3 voters for x (cost 60), 1 voter for y (cost 40), budget 100: each has 25.
    approvals = [frozenset("x")] * 3 + [frozenset("y")]
    outcome = equal_shares(["x", "y"], approvals, {"x": 60, "y": 40}, Fraction(100))
    assert outcome.selected == ("x",)
    assert outcome.reasons["y"][0].startswith("Its supporters no longer had enough money")
    completed = equal_shares_add1(["x", "y"], approvals, {"x": 60, "y": 40}, 100)
    assert completed.selected == ("x", "y")  # raising shares to 40 each affords y


projects = st.dictionaries(st.sampled_from("abcdef"), st.integers(1, 50), min_size=1)


@settings(max_examples=60, deadline=None)
@given(projects, st.lists(st.sets(st.sampled_from("abcdef")), max_size=12), st.integers(0, 120))
def test_budget_rules_never_overspend(
    costs: dict[str, int], votes_sets: list[set[str]], budget: int
) -> None:
    keys = sorted(costs)
    approvals = [frozenset(v & set(keys)) for v in votes_sets]
    votes = {k: sum(k in a for a in approvals) for k in keys}
    outcomes = [
        greedy(keys, votes, costs, budget),
        greedy(keys, votes, costs, budget, skip=False),
        equal_shares(keys, approvals, costs, Fraction(budget)),
        equal_shares_add1(keys, approvals, costs, budget, greedy_completion=True),
    ]
    for outcome in outcomes:
        assert sum(costs[k] for k in outcome.selected) <= budget
        assert len(set(outcome.selected)) == len(outcome.selected)


@settings(max_examples=60, deadline=None)
@given(projects, st.lists(st.sets(st.sampled_from("abcdef")), max_size=12), st.integers(0, 120))
def test_greedy_with_skip_is_maximal(
    costs: dict[str, int], votes_sets: list[set[str]], budget: int
) -> None:
    keys = sorted(costs)
    votes = {k: sum(k in v for v in votes_sets) for k in keys}
    outcome = greedy(keys, votes, costs, budget)
    left = budget - sum(costs[k] for k in outcome.selected)
    assert all(costs[k] > left for k in keys if k not in outcome.selected)


def test_threshold_base_present_counts_void_ballots() -> None:
    votes = ballots("a", "a", "a")  # 3 valid of 5 returned (2 void), 10 eligible
    params = {"places": 1, "base": "present", "returned": 5}
    assert run("threshold", params, votes, 10).rows[0].selected  # 3 > 5/2
    assert not run("threshold", params | {"returned": 6}, votes, 10).rows[0].selected


def test_points_from_rankings_within_a_budget() -> None:
    form = BallotForm(FormKind.RANKED, budget=100)
    rankings = [{"ranking": ["a", "b"]}, {"ranking": ["b", "a"]}, {"ranking": ["b"]}]
    result = RULES["points"](form, {}, {"a": 60, "b": 50}, rankings, 3)
    assert [(r.key, r.value, r.selected) for r in result.rows] == [("b", 4, True), ("a", 3, False)]
