"""The Method of Equal Shares agrees with the reference implementation (pabutools)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project
from pabutools.rules import method_of_equal_shares

from participation.ballots.tally.equal_shares import equal_shares, equal_shares_add1

NAMES = [f"p{n}" for n in range(6)]


def reference(
    costs: dict[str, int], approvals: list[frozenset[str]], budget: int, add1: bool
) -> set[str]:
    projects = {k: Project(k, cost) for k, cost in costs.items()}
    instance = Instance(projects.values(), budget_limit=budget)
    profile = ApprovalProfile([ApprovalBallot({projects[k] for k in a}) for a in approvals])
    outcome = method_of_equal_shares(
        instance, profile, sat_class=Cost_Sat, voter_budget_increment=1 if add1 else None
    )
    return {p.name for p in outcome}


instances = st.tuples(
    st.lists(st.integers(1, 40), min_size=2, max_size=6).map(
        lambda costs: dict(zip(NAMES, costs, strict=False))
    ),
    st.lists(st.sets(st.sampled_from(NAMES), min_size=1, max_size=4), min_size=1, max_size=10),
    st.integers(5, 100),
)


@settings(max_examples=60, deadline=None)
@given(instances)
def test_fixed_budget_matches_pabutools(
    instance: tuple[dict[str, int], list[set[str]], int],
) -> None:
    costs, votes, budget = instance
    keys = sorted(costs)
    approvals = [frozenset(v & set(keys)) for v in votes]
    ours = equal_shares(keys, approvals, costs, Fraction(budget), order=keys)
    assert set(ours.selected) == reference(costs, approvals, budget, add1=False)


@settings(max_examples=40, deadline=None)
@given(instances)
def test_add_one_completion_matches_pabutools(
    instance: tuple[dict[str, int], list[set[str]], int],
) -> None:
    costs, votes, budget = instance
    keys = sorted(costs)
    approvals = [frozenset(v & set(keys)) for v in votes]
    ours = equal_shares_add1(keys, approvals, costs, budget, order=keys)
    assert set(ours.selected) == reference(costs, approvals, budget, add1=True)
