"""The opinion map against Pol.is's own math output on five real conversations
(../shared/polis/, see its README). Skipped, with the reason, when that folder
is absent; CI lays it beside the checkout.

What is compared, per conversation:
- the projection: ours equals Pol.is's up to the sign of each axis;
- representative statements and consensus computed for Pol.is's groups: they
  must overlap Pol.is's own lists by at least 80 % (in fact they are identical);
- the groups themselves (ARI). Pol.is's groups are a local optimum of k-means
  that depends on the history of updates (each update starts k-means from the
  previous update's groups; the first from whoever voted first). Where the
  fresh start does not lead to Pol.is's grouping, no method without that
  history can reproduce it; the test then states and checks that reason
  (Pol.is's grouping is a k-means fixed point that a fresh start does not
  reach, or Pol.is shows a k that the silhouette no longer picks, which only its
  k smoother's history explains) instead of the ARI. ARI now: 0.63, 1.00, 0.74, 0.93, 0.98 in the
  order of CONVERSATIONS.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable
from typing import Any

import numpy as np
import pytest

from consultations.rules import opinion_clusters as oc
from consultations.rules.opinion import MapState, OpinionMap, describe_groups, opinion_map
from tests.support.shared import needs_shared
from tests.unit.consultations.polis_data import (
    CONVERSATIONS,
    Conversation,
    adjusted_rand_index,
    ari_against_polis,
    consensus_overlap,
    load,
    polis_consensus,
    polis_folder,
    repness_overlap,
)

FOLDER = polis_folder()
pytestmark = needs_shared("polis", "README.md")  # real Pol.is conversations


@pytest.fixture(scope="module", params=CONVERSATIONS)
def conv(request: pytest.FixtureRequest) -> Conversation:
    assert FOLDER is not None
    return load(FOLDER, request.param)


def polis_positions(
    conv: Conversation,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
    base = conv.math["base-clusters"]
    points = np.array([base["x"], base["y"]], dtype=np.float64).T
    weights = np.array([len(m) for m in base["members"]], dtype=np.float64)
    index = {b: i for i, b in enumerate(base["id"])}
    labels = np.zeros(len(points), dtype=np.int64)
    for g in conv.math["group-clusters"]:
        for b in g["members"]:
            labels[index[b]] = g["id"]
    return points, weights, labels, base


def our_map(conv: Conversation) -> OpinionMap:
    # Pol.is's in-conv includes people it grouped in earlier updates (before they
    # had 7 votes): the same state the portal carries from one map to the next.
    before = MapState(grouped=frozenset(conv.math["in-conv"]))
    return opinion_map(conv.votes, hidden=conv.hidden, previous=before)


def test_the_projection_is_pollis_up_to_axis_signs(conv: Conversation) -> None:
    result = our_map(conv)
    _, _, _, base = polis_positions(conv)
    theirs, ours = [], []
    for members, x, y in zip(base["members"], base["x"], base["y"], strict=True):
        if len(members) == 1:  # a base cluster of one is that participant's position
            theirs.append((x, y))
            ours.append(result.positions[members[0]])
    a, b = np.array(theirs), np.array(ours)
    for axis in range(2):
        assert abs(np.corrcoef(a[:, axis], b[:, axis])[0, 1]) > 0.99


def test_grouped_participants_are_pollis_in_conv(conv: Conversation) -> None:
    result = our_map(conv)
    assert {m for g in result.groups for m in g.members} == set(conv.math["in-conv"])


def test_representative_statements_of_pollis_groups_match_pollis(conv: Conversation) -> None:
    groups: dict[str, Collection[Hashable]] = {
        str(g): members for g, members in conv.polis_groups().items()
    }
    reps, _, _ = describe_groups(conv.votes, groups, conv.hidden)
    hit = total = 0
    for gid, theirs in conv.math["repness"].items():
        expected = [(r["tid"], r["repful-for"]) for r in theirs]
        got = [(s.statement, "agree" if s.direction == 1 else "disagree") for s in reps[gid]]
        hit += len(set(expected) & set(got))
        total += len(expected)
    assert hit / total >= 0.8, (hit, total)


def test_group_aware_consensus_of_pollis_groups_matches_pollis(conv: Conversation) -> None:
    groups: dict[str, Collection[Hashable]] = {
        str(g): members for g, members in conv.polis_groups().items()
    }
    _, agree, disagree = describe_groups(conv.votes, groups, conv.hidden)
    # Pol.is's published group-aware consensus is the product we compute from its group votes.
    published = conv.math["group-aware-consensus"]
    expected_agree, expected_disagree = polis_consensus(conv)
    for s in agree:
        assert s.share_in == pytest.approx(published[str(s.statement)], rel=1e-9)
    ours_a, ours_d = [s.statement for s in agree], [s.statement for s in disagree]
    total = len(expected_agree) + len(expected_disagree)
    hit = len(set(ours_a) & set(expected_agree)) + len(set(ours_d) & set(expected_disagree))
    assert total == 0 or hit / total >= 0.8
    assert ours_a == expected_agree and ours_d == expected_disagree


def test_groups_match_pollis_or_pollis_history_explains_why_not(conv: Conversation) -> None:
    result = our_map(conv)
    ari = ari_against_polis(conv, result)
    if ari >= 0.9:  # same groups: then, end to end, the same statements too
        assert repness_overlap(conv, result) >= 0.8
        assert consensus_overlap(conv, result) >= 0.8
        return
    # The known reason: Pol.is's groups come from its update history. Each update
    # starts k-means from the previous update's groups (and keeps the number of
    # groups until a new one wins four updates in a row); the votes do not record
    # when Pol.is ran its updates, so that history cannot be replayed. Checked on
    # Pol.is's own base-cluster positions: its grouping is where k-means stops when
    # started from it (a fixed point), but not where it goes from a fresh start
    # (the first k distinct positions, in participant order), which is ours.
    points, weights, labels, base = polis_positions(conv)
    k = int(labels.max()) + 1
    centres = np.array(
        [np.average(points[labels == g], axis=0, weights=weights[labels == g]) for g in range(k)]
    )
    again, _ = oc.kmeans(points, centres, weights)
    assert adjusted_rand_index(list(again), list(labels)) == 1.0
    order = np.argsort([min(m) for m in base["members"]], kind="stable")
    points, weights, labels = points[order], weights[order], labels[order]
    fresh, _ = oc.group_kmeans(points, weights, k)
    if adjusted_rand_index(list(fresh), list(labels)) < 0.9:
        return  # history of starts: a fresh start does not reach Pol.is's groups
    # Or history of k: on Pol.is's own positions the silhouette picks another k
    # (ours), and Pol.is still shows its k because the smoother holds a k until
    # another one has won four updates in a row.
    scores = {
        kk: oc.silhouette(points, oc.group_kmeans(points, weights, kk)[0])
        for kk in range(2, oc.max_k(len(points)) + 1)
    }
    assert len(result.groups) != k
    assert max(scores, key=lambda kk: scores[kk]) == len(result.groups)
