"""What organizers type into the builder: quota caps ("cell = cap", one per line) and
the bounds of a number question."""

from __future__ import annotations

import math

import pytest

from consultations.evaluations.rules.answers import QuestionKind, QuestionSpec, question_problems
from consultations.evaluations.rules.quotas import MAX_CAP, parse_caps


def test_caps_are_read_with_full_width_signs_and_digits() -> None:
    assert parse_caps("东社区 = ²\n\n西社区＝３\n一社区 / 45-59 = 10") == {
        "东社区": 2,  # NFKC, as web.kit.forms reads every number
        "西社区": 3,
        "一社区 / 45-59": 10,
    }
    assert parse_caps("") == {}


@pytest.mark.parametrize(
    "text",
    [
        "东社区 = ٣",
        "东社区 = 三",
        "东社区 = -1",
        "东社区 = 1.5",
        "东社区",
        "= 3",
        f"东社区 = {MAX_CAP + 1}",
        "东社区 = 99999999999999999999",
    ],
)
def test_anything_else_is_unreadable(text: str) -> None:
    assert parse_caps(text) is None


@pytest.mark.parametrize(
    ("low", "high"), [(math.nan, 10.0), (0.0, math.inf), (-math.inf, 5.0), (3.0, 3.0)]
)
def test_a_number_question_needs_two_distinct_finite_bounds(low: float, high: float) -> None:
    """Python reads "nan" and "1e400" as floats: they used to make a question whose
    answers could not be scored (NaN is stored as NULL by SQLite)."""
    spec = QuestionSpec("q1", QuestionKind.NUMBER, "A", (), low, high, True)
    assert "number_range" in question_problems(spec, {"A"})
