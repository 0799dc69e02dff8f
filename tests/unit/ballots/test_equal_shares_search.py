"""The add-one search over the voters' budget jumps only where the outcome provably
cannot change: it must give exactly the outcome of the one-unit-at-a-time search
(and so of pabutools) on random instances and on every shared pabulib file."""

from __future__ import annotations

import json
import random
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from participation.ballots.pabulib import load
from participation.ballots.tally import equal_shares as equal_shares_module
from participation.ballots.tally.equal_shares import (
    TIE_BREAKS,
    equal_shares,
    equal_shares_add1,
    tie_break_order,
)
from tests.support.shared import needs_shared, shared_folder

NAMES = [f"p{n}" for n in range(7)]
SHARED = shared_folder("pabulib")
APPROVAL_FILES = sorted(
    p for p in SHARED.glob("*.pb") if load(str(p)).meta.get("vote_type") == "approval"
)
# Where the one-unit search takes half a minute or more, its outcome was computed once
# and stored (tests/unit/data/mes_add1_expected.json, "_source" says how).
EXPECTED = json.loads((Path(__file__).parent / "data" / "mes_add1_expected.json").read_text())[
    "files"
]

instances = st.tuples(
    st.lists(st.integers(1, 60), min_size=2, max_size=7).map(
        lambda costs: dict(zip(NAMES, costs, strict=False))
    ),
    st.lists(st.sets(st.sampled_from(NAMES), min_size=1, max_size=5), min_size=1, max_size=14),
    st.integers(3, 150),
    st.booleans(),
    st.booleans(),
    st.randoms(use_true_random=False),
)


@settings(max_examples=150, deadline=None)
@given(instances)
def test_search_matches_the_step_by_step_search(
    instance: tuple[dict[str, int], list[set[str]], int, bool, bool, random.Random],
) -> None:
    costs, votes, budget, cost_utility, completion, rng = instance
    keys = sorted(costs)
    approvals = [frozenset(v & set(keys)) for v in votes]
    order = list(keys)
    rng.shuffle(order)
    options: dict[str, Any] = {
        "cost_utility": cost_utility,
        "greedy_completion": completion,
        "order": order,
    }
    fast = equal_shares_add1(keys, approvals, costs, budget, **options)
    slow = equal_shares_add1(keys, approvals, costs, budget, stepwise=True, **options)
    assert fast.selected == slow.selected


@settings(max_examples=100, deadline=None)
@given(instances)
def test_search_matches_step_by_step_where_nothing_is_certified(
    instance: tuple[dict[str, int], list[set[str]], int, bool, bool, random.Random],
) -> None:
    """With every certification refused, the search runs each step (short
    intervals run from the right end down, each run seeded by the one a step
    richer; longer ones split in halves) and must still stop where the
    step-by-step search stops, with its outcome."""
    costs, votes, budget, cost_utility, completion, rng = instance
    keys = sorted(costs)
    approvals = [frozenset(v & set(keys)) for v in votes]
    order = list(keys)
    rng.shuffle(order)
    options: dict[str, Any] = {
        "cost_utility": cost_utility,
        "greedy_completion": completion,
        "order": order,
    }
    certify = equal_shares_module._same_between
    equal_shares_module._same_between = lambda *args: False
    try:
        fast = equal_shares_add1(keys, approvals, costs, budget, **options)
    finally:
        equal_shares_module._same_between = certify
    slow = equal_shares_add1(keys, approvals, costs, budget, stepwise=True, **options)
    assert fast.selected == slow.selected
    assert fast.notes == slow.notes


# Few distinct costs and ballots cast several times: projects with the same cost
# and the same supporters tie exactly, round after round, at every budget.
tied_instances = st.tuples(
    st.lists(st.sampled_from([6, 12, 18, 24]), min_size=2, max_size=7).map(
        lambda costs: dict(zip(NAMES, costs, strict=False))
    ),
    st.lists(
        st.tuples(st.sets(st.sampled_from(NAMES), min_size=1, max_size=4), st.integers(1, 4)),
        min_size=1,
        max_size=8,
    ),
    st.integers(3, 200),
    st.sampled_from(sorted(TIE_BREAKS)),
    st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(tied_instances)
def test_search_matches_the_step_by_step_search_with_ties_under_every_tie_break(
    instance: tuple[dict[str, int], list[tuple[set[str], int]], int, str, bool],
) -> None:
    costs, kinds, budget, tie_break, completion = instance
    keys = sorted(costs)
    approvals = [frozenset(v & set(keys)) for v, many in kinds for _ in range(many)]
    votes = {k: sum(k in a for a in approvals) for k in keys}
    options: dict[str, Any] = {
        "greedy_completion": completion,
        "order": tie_break_order(keys, votes, costs, tie_break),
    }
    fast = equal_shares_add1(keys, approvals, costs, budget, **options)
    slow = equal_shares_add1(keys, approvals, costs, budget, stepwise=True, **options)
    assert fast.selected == slow.selected
    assert fast.notes == slow.notes  # the same ties, decided alike


def test_search_settles_long_stretches_without_running_every_step() -> None:
    """Where nothing changes for many steps, the search certifies intervals
    instead of running MES at each step (and still stops where step by step
    does): a speed property, counted in MES runs, not timed."""
    keys = ["a", "b", "c"]
    costs = {"a": 3000, "b": 2000, "c": 10_000}
    approvals = [frozenset("ab")] * 3 + [frozenset("a")] * 2 + [frozenset("c")]
    ran: list[Fraction] = []
    exact, floats = equal_shares_module._run, equal_shares_module._float_run

    def counted(real: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            ran.append(args[3])  # a run in floats, or exactly (then maybe both)
            return real(*args, **kwargs)

        return run

    equal_shares_module._run, equal_shares_module._float_run = counted(exact), counted(floats)
    try:
        fast = equal_shares_add1(keys, approvals, costs, 6000)
    finally:
        equal_shares_module._run, equal_shares_module._float_run = exact, floats
    slow = equal_shares_add1(keys, approvals, costs, 6000, stepwise=True)
    assert fast.selected == slow.selected
    steps = (max(ran) - 6000) / len(approvals)
    assert steps > 100
    assert len(ran) < steps / 4


@pytest.mark.pabulib
@needs_shared("pabulib", "Netherlands_Assen_2024.pb")
@pytest.mark.parametrize("path", APPROVAL_FILES, ids=lambda p: p.stem[:40])
def test_search_matches_on_every_shared_file(path: Path) -> None:
    election = load(str(path))
    keys, costs, approvals = list(election.projects), election.costs(), election.approvals()
    fast = equal_shares_add1(keys, approvals, costs, election.budget)
    if path.name in EXPECTED:
        assert sorted(fast.selected) == EXPECTED[path.name]
    else:
        slow = equal_shares_add1(keys, approvals, costs, election.budget, stepwise=True)
        assert fast.selected == slow.selected


def _plain_equal_shares(
    keys: list[str],
    approvals: list[frozenset[str]],
    costs: dict[str, int],
    budget: int,
    cost_utility: bool,
    order: list[str],
) -> tuple[str, ...]:
    """MES voter by voter in Fractions, nothing grouped, pooled or guessed."""
    money = [Fraction(budget, len(approvals))] * len(approvals)
    remaining = [k for k in order if any(k in a for a in approvals)]
    selected: list[str] = []
    while True:
        best, best_rho, best_level = None, Fraction(0), Fraction(0)
        for k in remaining:
            held = sorted(money[i] for i, a in enumerate(approvals) if k in a)
            left, paid, level = len(held), Fraction(0), None
            for amount in held:
                if amount * left >= costs[k] - paid:
                    level = (costs[k] - paid) / left
                    break
                paid, left = paid + amount, left - 1
            if level is None:
                continue
            rho = level / (costs[k] if cost_utility and costs[k] else 1)
            if best is None or rho < best_rho:
                best, best_rho, best_level = k, rho, level
        if best is None:
            return tuple(selected)
        for i, a in enumerate(approvals):
            if best in a:
                money[i] -= min(money[i], best_level)
        selected.append(best)
        remaining.remove(best)


crowds = st.tuples(
    st.lists(st.integers(1, 90), min_size=2, max_size=7).map(
        lambda costs: dict(zip(NAMES, costs, strict=False))
    ),
    # a few kinds of ballot cast by many voters, and some single voters: purses
    # are paid in place, split, and counted by the numpy path (over 48 of them)
    st.lists(
        st.tuples(st.sets(st.sampled_from(NAMES), min_size=1, max_size=4), st.integers(1, 40)),
        min_size=1,
        max_size=70,
    ),
    st.integers(1, 400),
    st.booleans(),
    st.randoms(use_true_random=False),
    st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(crowds)
def test_one_run_matches_equal_shares_voter_by_voter(
    instance: tuple[dict[str, int], list[tuple[set[str], int]], int, bool, random.Random, bool],
) -> None:
    costs, kinds, budget, cost_utility, rng, floats_first = instance
    keys = sorted(costs)
    approvals = [frozenset(v & set(keys)) for v, many in kinds for _ in range(many)]
    order = list(keys)
    rng.shuffle(order)
    few = equal_shares_module._FEW_PURSES
    # the float path (guess, then check) is taken from the first purse on, or as usual
    equal_shares_module._FEW_PURSES = 0 if floats_first else few
    try:
        fast = equal_shares(
            keys, approvals, costs, Fraction(budget), cost_utility=cost_utility, order=order
        )
    finally:
        equal_shares_module._FEW_PURSES = few
    assert fast.selected == _plain_equal_shares(keys, approvals, costs, budget, cost_utility, order)


def _both_runs(
    keys: list[str],
    approvals: list[frozenset[str]],
    costs: dict[str, int],
    budget: int,
    cost_utility: bool,
    order: list[str],
    **records: Any,
) -> tuple[Any, Any]:
    electorate = equal_shares_module.Electorate.of(keys, approvals)
    args = (electorate, keys, costs, Fraction(budget), cost_utility, order)
    return equal_shares_module._float_run(*args, **records), equal_shares_module._run(*args)


@settings(max_examples=200, deadline=None)
@given(crowds)
def test_a_float_run_decides_as_the_exact_run_or_not_at_all(
    instance: tuple[dict[str, int], list[tuple[set[str], int]], int, bool, random.Random, bool],
) -> None:
    """Where the float run returns an outcome, it is the exact run's: the same
    projects in the same order, the same reasons and tie notes; every round's
    winner's exact rho lies between the float record's floor and rho, and
    every bound is below the exact rho of that project in that round."""
    costs, kinds, budget, cost_utility, rng, _ = instance
    keys = sorted(costs)
    approvals = [frozenset(v & set(keys)) for v, many in kinds for _ in range(many)]
    order = list(keys)
    rng.shuffle(order)
    fast, exact = _both_runs(keys, approvals, costs, budget * 7, cost_utility, order)
    if fast is None:
        return
    _same_decisions(fast[0], exact[0])
    for mine, theirs in zip(fast[1], exact[1], strict=True):
        assert mine.winner == theirs.winner
        if mine.winner is not None:
            assert mine.least <= theirs.rho <= mine.rho


def _same_decisions(mine: Any, theirs: Any) -> None:
    """The same projects in the same order, the same ties reported, and the same
    reason for every project (the round in which a project was found
    unaffordable depends on when a run looked at it, exact or not)."""
    assert (mine.selected, mine.notes) == (theirs.selected, theirs.notes)
    assert {k: r[0] for k, r in mine.reasons.items()} == {
        k: r[0] for k, r in theirs.reasons.items()
    }


def test_float_runs_take_most_runs_on_a_crowd_and_agree() -> None:
    """A seeded election of 3,000 voters: the float run answers (it gives up only
    on near-ties) at every budget tried, with the exact run's outcome, also when
    it starts from a richer run's record (seeds) and removes, from the start of a
    round, what that run could no longer afford."""
    rng = random.Random(17)
    keys = [f"p{i}" for i in range(30)]
    costs = {k: rng.randint(5, 120) * 1000 for k in keys}
    weights = [rng.random() ** 2 for _ in keys]
    approvals = [
        frozenset(rng.choices(keys, weights=weights, k=rng.randint(1, 6))) for _ in range(3000)
    ]
    electorate = equal_shares_module.Electorate.of(keys, approvals)
    order = tie_break_order(keys, electorate.votes, costs, "votes")
    base = sum(costs.values()) // 3
    answered = 0
    for step in range(0, 400, 37):
        budget = Fraction(base + step * len(approvals))
        richer = equal_shares_module._run(
            electorate, keys, costs, budget + 3 * len(approvals), True, order
        )[1]
        exact = equal_shares_module._run(electorate, keys, costs, budget, True, order)
        for records in ({}, {"seeds": richer, "hint": richer}):
            fast = equal_shares_module._float_run(
                electorate, keys, costs, budget, True, order, **records
            )
            if fast is not None:
                answered += 1
                _same_decisions(fast[0], exact[0])
    assert answered >= 20  # of 22


def test_a_float_run_decides_exact_ties_exactly() -> None:
    """Projects with equal support tie exactly in round 1 (rho = 1 / supporters
    under cost utility): the float run knows those prices as rationals, breaks
    the tie by the given order and reports it as the exact run does, instead of
    giving up."""
    keys = ["a", "b", "c"]
    costs = {"a": 300, "b": 200, "c": 500}
    approvals = [frozenset("ab")] * 40 + [frozenset("c")] * 40 + [frozenset("a")] * 3
    approvals += [frozenset("b")] * 3
    for order in (["a", "b", "c"], ["b", "a", "c"], ["c", "b", "a"]):
        fast, exact = _both_runs(keys, approvals, costs, 900, True, order)
        assert fast is not None
        _same_decisions(fast[0], exact[0])
        assert fast[0].notes  # the tie is said
