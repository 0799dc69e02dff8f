"""Panel review rules: the recorded draw and the two-track tally, by hand and by property."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consultations.evaluations.rules.panel import (
    PanelScore,
    Track,
    draw_order,
    tally,
    track_score,
)

E, P = Track.EXPERT, Track.PUBLIC
WEIGHTS = {E: 600, P: 400}


def test_track_score_drops_highest_and_lowest_from_five() -> None:
    assert track_score([80, 90]) == 85
    assert track_score([50, 80, 80, 90, 100]) == pytest.approx((80 + 80 + 90) / 3)
    assert track_score([]) is None


def test_tally_by_hand() -> None:
    scores = [
        PanelScore(1, E, 90),
        PanelScore(1, E, 80),
        PanelScore(1, P, 70),
        PanelScore(2, E, 70),
        PanelScore(2, P, 100),
        PanelScore(2, P, 90),
        PanelScore(3, E, 95),
    ]
    results = tally(scores, [3, 2, 1], WEIGHTS)
    # 1: 0.6·85 + 0.4·70 = 79; 2: 0.6·70 + 0.4·95 = 80; 3: no public scores yet
    assert [(r.project_id, r.rank) for r in results] == [(2, 1), (1, 2), (3, None)]
    assert results[0].combined == pytest.approx(80.0)
    assert results[1].combined == pytest.approx(79.0)
    assert results[2].combined is None and results[2].expert_count == 1


def test_ties_go_to_the_earlier_drawn_place() -> None:
    scores = [PanelScore(pid, t, 80) for pid in (1, 2) for t in (E, P)]
    assert [r.project_id for r in tally(scores, [2, 1], WEIGHTS)] == [2, 1]
    assert [r.project_id for r in tally(scores, [1, 2], WEIGHTS)] == [1, 2]


def test_draw_is_reproducible_from_the_seed() -> None:
    order = draw_order([11, 12, 13, 14], "6f1c2a")
    assert order == draw_order([14, 13, 12, 11], "6f1c2a")
    assert sorted(order) == [11, 12, 13, 14]


@given(st.lists(st.integers(1, 10_000), unique=True, max_size=30), st.text(min_size=1, max_size=20))
def test_draw_is_a_permutation_independent_of_input_order(ids: list[int], seed: str) -> None:
    order = draw_order(ids, seed)
    assert sorted(order) == sorted(ids)
    assert draw_order(list(reversed(ids)), seed) == order


@given(
    st.lists(
        st.tuples(st.integers(1, 4), st.sampled_from([E, P]), st.integers(0, 100)), max_size=40
    )
)
def test_combined_scores_stay_within_the_track_scores(
    triples: list[tuple[int, Track, int]],
) -> None:
    results = tally([PanelScore(*t) for t in triples], [1, 2, 3, 4], WEIGHTS)
    assert sorted(r.project_id for r in results) == [1, 2, 3, 4]
    ranked = [r for r in results if r.rank is not None]
    assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))
    for r in ranked:
        assert r.combined is not None and r.expert is not None and r.public is not None
        assert min(r.expert, r.public) - 1e-9 <= r.combined <= max(r.expert, r.public) + 1e-9
    combined = [r.combined for r in ranked if r.combined is not None]
    assert [r.combined for r in ranked] == sorted(combined, reverse=True)
