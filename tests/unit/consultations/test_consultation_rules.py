"""Pure rules of the consultation journey: texts, thresholds, quorum, windows, stages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consultations.rules.journey import (
    Stage,
    StageFacts,
    finality_problem,
    objection_problem,
    quorum_met,
    quorum_needed,
    reaches_threshold,
    stage,
    text_problem,
    window_problem,
)

T = datetime(2027, 3, 1, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("text", "maximum", "minimum", "reason"),
    [
        ("", 140, 1, "empty"),
        ("   ", 140, 1, "empty"),
        ("好", 140, 1, None),
        ("长" * 140, 140, 1, None),
        ("长" * 141, 140, 1, "too_long"),
        ("", 2000, 0, None),
    ],
)
def test_text_limits(text: str, maximum: int, minimum: int, reason: str | None) -> None:
    assert text_problem(text, maximum, minimum) == reason


@pytest.mark.parametrize(
    ("roster", "num", "den", "needed"),
    [(9, 2, 3, 6), (10, 2, 3, 7), (3, 2, 3, 2), (0, 2, 3, 0), (7, 1, 2, 4), (8, 1, 2, 4)],
)
def test_quorum_table(roster: int, num: int, den: int, needed: int) -> None:
    assert quorum_needed(roster, num, den) == needed


@given(st.integers(0, 500), st.integers(1, 10), st.integers(1, 10))
def test_quorum_is_the_smallest_attendance_reaching_the_share(roster: int, a: int, b: int) -> None:
    num, den = min(a, b), max(a, b)
    needed = quorum_needed(roster, num, den)
    assert needed * den >= roster * num
    assert needed == 0 or (needed - 1) * den < roster * num
    assert quorum_met(needed, roster, num, den) == (roster > 0)


def test_an_empty_roster_never_has_a_quorum_and_thresholds_count_the_proposer() -> None:
    assert not quorum_met(0, 0, 2, 3)
    assert reaches_threshold(10, 10) and not reaches_threshold(9, 10)
    assert reaches_threshold(1, 0)


@pytest.mark.parametrize(
    ("now", "reason"),
    [
        (T - H, "not_open"),
        (T, None),
        (T + 2 * H - timedelta(seconds=1), None),
        (T + 2 * H, "closed"),
    ],
)
def test_the_window_is_half_open(now: datetime, reason: str | None) -> None:
    assert window_problem(T, T + 2 * H, now) == reason


def test_objections_only_during_the_notice_and_finality_after_it() -> None:
    assert objection_problem(None, None, T) == "not_on_notice"
    assert objection_problem(T, T + H, T) is None
    assert objection_problem(T, T + H, T + H) == "notice_over"
    assert finality_problem(None, 0, T) == "not_on_notice"
    assert finality_problem(T + H, 0, T) == "notice_running"
    assert finality_problem(T + H, 1, T + H) == "unanswered_objections"
    assert finality_problem(T + H, 0, T + H) is None


def facts(**changes: object) -> StageFacts:
    values: dict[str, object] = {
        "meets_at": T + 48 * H,
        "deliberation_opens_at": T + 24 * H,
        "box_id": None,
        "passed": None,
        "notice_ends_at": None,
        "final_at": None,
    } | changes
    return StageFacts(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "now", "expected"),
    [
        ({}, T, Stage.ANNOUNCED),
        ({}, T + 25 * H, Stage.DELIBERATING),
        ({"box_id": 1}, T + 50 * H, Stage.VOTING),
        ({"box_id": 1, "passed": False}, T + 50 * H, Stage.REJECTED),
        ({"box_id": 1, "passed": True, "notice_ends_at": T + 60 * H}, T + 50 * H, Stage.NOTICE),
        (
            {"box_id": 1, "passed": True, "notice_ends_at": T + 60 * H},
            T + 60 * H,
            Stage.AWAITING_FINAL,
        ),
        ({"box_id": 1, "passed": True, "notice_ends_at": T, "final_at": T}, T, Stage.FINAL),
    ],
)
def test_stages(changes: dict[str, object], now: datetime, expected: Stage) -> None:
    assert stage(facts(**changes), now) is expected
