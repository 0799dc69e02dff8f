"""Opinion groups on constructed conversations whose groups are known."""

from __future__ import annotations

import random
from collections.abc import Hashable
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from consultations.rules.opinion import Choice, OpinionMap, opinion_map

AGREE, DISAGREE, PASS = 1, -1, 0


def camps(
    sizes: list[int],
    stances: list[list[int]],
    *,
    noise: float = 0.0,
    skip: float = 0.0,
    seed: int = 7,
) -> list[tuple[str, int, int]]:
    """Votes of camps whose members mostly vote their camp's stance on each statement."""
    rng = random.Random(seed)
    votes = []
    for camp, size in enumerate(sizes):
        for member in range(size):
            for statement, stance in enumerate(stances[camp]):
                if rng.random() < skip:
                    continue
                choice = stance
                if rng.random() < noise:
                    choice = rng.choice([AGREE, DISAGREE, PASS])
                votes.append((f"c{camp}-p{member}", statement, choice))
    return votes


# Statements 0-3 divide the camps; 4 and 5 everyone agrees with.
TWO_CAMPS = [
    [AGREE, AGREE, DISAGREE, DISAGREE, AGREE, AGREE],
    [DISAGREE, DISAGREE, AGREE, AGREE, AGREE, AGREE],
]


def members_by_camp(result: OpinionMap) -> list[set[str]]:
    return [{str(m).split("-")[0] for m in group.members} for group in result.groups]


def test_two_known_camps_are_found_with_their_statements_and_consensus() -> None:
    result = opinion_map(camps([30, 20], TWO_CAMPS, noise=0.1))
    assert [g.size for g in result.groups] == [30, 20]
    assert members_by_camp(result) == [{"c0"}, {"c1"}]
    first, second = result.groups
    assert {(s.statement, s.direction) for s in first.representative} >= {(0, Choice.AGREE)}
    assert {(s.statement, s.direction) for s in second.representative} >= {(2, Choice.AGREE)}
    assert {s.statement for s in result.consensus} == {4, 5}
    assert result.silhouette is not None and result.silhouette > 0.5


@pytest.mark.parametrize(
    ("sizes", "stances"),
    [
        ([20, 20, 20], [[1, 1, -1, -1, -1, -1], [-1, -1, 1, 1, -1, -1], [-1, -1, -1, -1, 1, 1]]),
        ([30, 30], TWO_CAMPS),
    ],
)
def test_the_number_of_groups_is_chosen_by_silhouette(
    sizes: list[int], stances: list[list[int]]
) -> None:
    result = opinion_map(camps(sizes, stances, noise=0.08, seed=5))
    assert len(result.groups) == len(sizes)
    assert all(len(camp) == 1 for camp in members_by_camp(result))


WIDE = [row * 2 for row in TWO_CAMPS]  # 12 statements


def test_sparse_voters_with_enough_votes_are_grouped_with_their_camp() -> None:
    result = opinion_map(camps([40, 40], WIDE, skip=0.3, seed=3))
    assert sorted(map(sorted, members_by_camp(result))) == [["c0"], ["c1"]]
    assert result.placed == sum(1 for p in result.positions if result.group_of(p))


def test_fewer_than_seven_votes_leave_a_participant_out_but_on_the_map() -> None:
    votes = [*camps([10, 10], WIDE), *(("late", s, AGREE) for s in range(6))]
    result = opinion_map(votes)
    assert result.participants == 21 and result.placed == 20 and result.min_votes == 7
    assert result.group_of("late") is None and "late" in result.positions
    # Grouped before (Pol.is keeps whoever it grouped once): grouped now too.
    assert result.state is not None
    before = replace(result.state, grouped=result.state.grouped | {"late"})
    assert opinion_map(votes, previous=before).group_of("late") is not None


def test_with_fewer_statements_than_seven_all_of_them_are_needed() -> None:
    votes = [*camps([10, 10], TWO_CAMPS), *(("late", s, AGREE) for s in range(5))]
    result = opinion_map(votes)
    assert result.min_votes == 6 and result.group_of("late") is None


def test_below_fifteen_the_most_active_voters_fill_up() -> None:
    votes = [(p, s, AGREE if p % 2 else DISAGREE) for p in range(10) for s in range(3)]
    votes += [(p, s, AGREE) for p in range(10, 20) for s in range(8)]
    result = opinion_map(votes)  # 10 people with 8 votes, 10 with 3: 5 of those fill up
    assert result.placed == 15


def test_no_votes_and_unanimity() -> None:
    assert opinion_map([]).reason == "no_votes"
    same = opinion_map([(p, s, AGREE) for p in range(20) for s in range(8)])
    assert same.groups == () and same.reason == "too_few_participants"
    assert same.silhouette is None and same.placed == 20


def test_votes_outside_agree_disagree_pass_are_refused() -> None:
    with pytest.raises(ValueError):
        opinion_map([("a", 1, 2)])


def test_a_hidden_statement_stays_as_a_column_of_passes() -> None:
    votes = camps([20, 15], WIDE, noise=0.2, skip=0.2, seed=4)
    people = sorted({p for p, _, _ in votes})
    hidden = opinion_map(votes, hidden={0})
    # The same as everyone having passed on statement 0 (Pol.is zero-out-columns).
    passed = [(p, s, c) for p, s, c in votes if s != 0] + [(p, 0, PASS) for p in people]
    as_passes = opinion_map(passed)
    assert hidden.positions == as_passes.positions
    dropped = opinion_map([(p, s, c) for p, s, c in votes if s != 0])
    assert dropped.positions != hidden.positions  # it counts in sqrt(statements / votes)
    shown = [s.statement for g in hidden.groups for s in g.representative]
    shown += [s.statement for s in (*hidden.consensus, *hidden.consensus_disagree)]
    assert 0 not in shown


def test_consensus_both_ways_needs_a_majority_of_every_group() -> None:
    stances = [
        [AGREE, AGREE, DISAGREE, DISAGREE, AGREE, DISAGREE, AGREE, AGREE],
        [DISAGREE, DISAGREE, AGREE, AGREE, AGREE, DISAGREE, DISAGREE, AGREE],
    ]
    result = opinion_map(camps([30, 10], stances, noise=0.1, seed=2))
    assert [s.statement for s in result.consensus][:2] in ([4, 7], [7, 4])
    assert {s.statement for s in result.consensus} == {4, 7}
    assert [s.statement for s in result.consensus_disagree] == [5]
    assert all(s.share_out > 0.5 for s in (*result.consensus, *result.consensus_disagree))
    # Group-aware consensus: the product of the groups' smoothed shares.
    assert all(s.share_in <= s.share_out for s in result.consensus)


conversation = st.lists(
    st.lists(st.sampled_from([AGREE, DISAGREE, PASS, None]), min_size=6, max_size=6),
    min_size=4,
    max_size=25,
)


def as_votes(rows: list[list[int | None]], names: list[int]) -> list[tuple[int, int, int]]:
    return [
        (names[p], s, choice)
        for p, row in enumerate(rows)
        for s, choice in enumerate(row)
        if choice is not None
    ]


@settings(max_examples=60, deadline=None)
@given(conversation, st.randoms(use_true_random=False))
def test_permuting_participants_does_not_change_the_grouping(
    rows: list[list[int | None]], rng: random.Random
) -> None:
    names = list(range(len(rows)))
    votes = as_votes(rows, names)
    shuffled = list(votes)
    rng.shuffle(shuffled)
    a, b = opinion_map(votes), opinion_map(shuffled)
    assert [g.members for g in a.groups] == [g.members for g in b.groups]
    assert [s.statement for s in a.consensus] == [s.statement for s in b.consensus]


@settings(max_examples=60, deadline=None)
@given(conversation)
def test_groups_partition_the_placed_participants(rows: list[list[int | None]]) -> None:
    votes = as_votes(rows, list(range(len(rows))))
    result = opinion_map(votes)
    members = [m for g in result.groups for m in g.members]
    assert len(members) == len(set(members))
    assert len(members) == (result.placed if result.groups else 0)
    assert 0 <= len(result.groups) <= 5
    voted = {(p, s) for p, s, _ in votes}
    for group in result.groups:
        for statement in group.representative:
            assert any((m, statement.statement) in voted for m in group.members)


def plane_is_unique(rows: list[list[int | None]]) -> bool:
    """Whether the vote matrix's two leading principal axes span one plane only.

    When the second and third eigenvalues of the statements' covariance tie (small
    integer matrices often do: 4 voters on 6 statements gave 12, 2, 2), every plane
    through the first axis and any mix of the tied two is an equally exact PCA; which
    one ``eigh`` returns depends on the column order, so renaming statements tilts the
    map, and the groups and silhouette found on it differ. No choice of axes made from
    the matrix alone can be independent of column order there: a renaming that maps
    the data onto itself may rotate the tied axes. Equal eigenvalues at zero do no
    harm (every participant sits at 0 on such an axis).
    """
    value = np.array([[c or 0 for c in row] for row in rows], dtype=np.float64)
    voted = np.array([[c is not None for c in row] for row in rows])
    seen = voted.sum(axis=0)
    means = np.divide((value * voted).sum(axis=0), seen, out=np.zeros(6), where=seen > 0)
    centred = np.where(voted, value - means, 0.0)
    eigen = np.sort(np.linalg.eigvalsh(centred.T @ centred))[::-1]
    return bool(eigen[1] - eigen[2] > 1e-6 * max(1.0, eigen[0]) or eigen[1] < 1e-9)


@settings(max_examples=40, deadline=None)
@given(conversation, st.permutations(list(range(6))))
def test_renaming_statements_does_not_change_the_groups(
    rows: list[list[int | None]], order: list[int]
) -> None:
    assume(plane_is_unique(rows))  # else the map's plane itself is not unique
    votes = as_votes(rows, list(range(len(rows))))
    renamed = [(p, f"s{order[s]}", c) for p, s, c in votes]
    a, b = opinion_map(votes), opinion_map(renamed)
    assert sorted(g.size for g in a.groups) == sorted(g.size for g in b.groups)
    assert [g.members for g in a.groups] == [g.members for g in b.groups]
    assert (a.silhouette is None) == (b.silhouette is None)
    if a.silhouette is not None and b.silhouette is not None:
        assert a.silhouette == pytest.approx(b.silhouette, abs=1e-6)


def test_tied_axes_are_why_renaming_may_move_the_map() -> None:
    """The counterexample hypothesis found: the plane is not unique (eigenvalues
    12, 2, 2), so the map may differ after renaming; the property excludes it."""
    rows: list[list[int | None]] = [
        [1, -1, -1, 0, 1, 0],
        [1, 0, -1, 1, 0, 1],
        [-1, 1, 1, -1, 0, 0],
        [-1, 0, 1, 0, -1, -1],
    ]
    assert not plane_is_unique(rows)
    assert plane_is_unique([[*row[:5], 1] for row in rows])


def test_the_same_votes_always_give_the_same_map() -> None:
    votes = camps([25, 25, 10], [*TWO_CAMPS, [PASS] * 6], noise=0.2, seed=11)
    first, second = opinion_map(votes), opinion_map(list(reversed(votes)))
    assert first == second


# --- Stability across updates (Pol.is carries its state from one update to the next) ---

from consultations.rules.opinion_clusters import KSmoother, follow_labels, smooth_k  # noqa: E402
from tests.unit.consultations.polis_data import adjusted_rand_index  # noqa: E402


@pytest.mark.parametrize(
    ("previous", "scores", "expected"),
    [
        (None, {2: 0.5, 3: 0.4}, KSmoother(2, 1, 2)),  # first time: the best k at once
        (KSmoother(2, 5, 2), {2: 0.4, 3: 0.5}, KSmoother(3, 1, 2)),  # 3 wins once: keep 2
        (KSmoother(3, 2, 2), {2: 0.4, 3: 0.5}, KSmoother(3, 3, 2)),  # three in a row: keep 2
        (KSmoother(3, 3, 2), {2: 0.4, 3: 0.5}, KSmoother(3, 4, 3)),  # the fourth: show 3
        (KSmoother(3, 3, 2), {2: 0.5, 3: 0.4}, KSmoother(2, 1, 2)),  # streak broken
        (None, {2: 0.5, 3: 0.5}, KSmoother(3, 1, 3)),  # a tie: the larger k (Pol.is max-key)
    ],
)
def test_k_changes_only_after_four_updates_in_a_row(
    previous: KSmoother | None, scores: dict[int, float], expected: Any
) -> None:
    assert smooth_k(scores, previous) == expected


def test_labels_follow_members_not_sizes() -> None:
    before: dict[str, frozenset[Hashable]] = {
        "A": frozenset({1, 2, 3}),
        "B": frozenset({4, 5, 6, 7}),
    }
    now = [frozenset({4, 5, 6, 7, 8, 9}), frozenset({1, 2})]  # B grew, A shrank
    assert follow_labels(now, before) == ["B", "A"]
    split = [frozenset({1, 2, 3}), frozenset({4, 5}), frozenset({6, 7})]
    assert follow_labels(split, before) == ["A", "B", "C"]
    assert follow_labels(now, None) == ["A", "B"]  # no history: largest first


def test_a_new_vote_does_not_renumber_the_groups() -> None:
    votes = camps(
        [30, 20, 12], [*TWO_CAMPS, [PASS, AGREE, PASS, AGREE, DISAGREE, AGREE]], noise=0.15, seed=8
    )
    first = opinion_map(votes)
    again = opinion_map([*votes, ("c2-p0", 99, AGREE)], previous=first.state)
    for group in first.groups:
        moved = {g.label for g in again.groups if set(g.members) & set(group.members)}
        assert group.label in moved
    assert [g.label for g in again.groups] == [g.label for g in first.groups]
    # Swapped letters in the previous state are kept: labels follow members.
    assert first.state is not None
    swapped = {"A": first.state.groups["B"], "B": first.state.groups["A"]}
    swapped |= {k: v for k, v in first.state.groups.items() if k not in "AB"}
    relabelled = opinion_map(votes, previous=replace(first.state, groups=swapped))
    assert relabelled.group_of(first.groups[0].members[0]) == "B"


def test_the_state_round_trips_through_json() -> None:
    result = opinion_map(camps([20, 15], WIDE, noise=0.1, seed=6))
    assert result.state is not None
    from consultations.rules.opinion import MapState

    assert MapState.from_json(result.state.to_json()) == result.state


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([0, 0, 1, 1], [0, 0, 1, 1], 1.0),
        ([0, 0, 1, 1], [1, 1, 0, 0], 1.0),  # names do not matter
        ([0, 0, 1, 1], [0, 0, 1, 2], 0.5714285714285715),  # scikit-learn's documented value
        ([0, 0, 1, 1], [0, 1, 0, 1], -0.5),
        ([0, 0, 0, 0], [0, 0, 0, 0], 1.0),
    ],
)
def test_adjusted_rand_index(a: list[int], b: list[int], expected: Any) -> None:
    assert adjusted_rand_index(a, b) == pytest.approx(expected)


def test_recomputing_the_same_votes_from_the_stored_state_gives_the_same_map() -> None:
    # What the portal stores is the map's output state plus the k smoother it
    # started from; a second computation of the same votes must not move anything.
    votes = camps(
        [25, 20, 10], [*TWO_CAMPS, [PASS, AGREE, PASS, AGREE, DISAGREE, AGREE]], noise=0.2, seed=9
    )
    earlier = opinion_map(votes[:-40])
    assert earlier.state is not None
    now = opinion_map(votes, previous=earlier.state)
    assert now.state is not None
    again = opinion_map(votes, previous=replace(now.state, smoother=earlier.state.smoother))
    assert [(g.label, g.members) for g in again.groups] == [
        (g.label, g.members) for g in now.groups
    ]
    assert again.state == now.state
