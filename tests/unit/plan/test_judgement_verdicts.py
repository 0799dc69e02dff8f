"""How a year-end vote's and an evaluation's results read on the plan items they judged."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consultations.evaluations.reports import overall_verdict
from participation.livelihood.year_end import satisfaction_verdict

COUNTS = [["Satisfied", 12], ["Basically satisfied", 5], ["Dissatisfied", 3], ["Abstain", 1]]


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        ("Satisfied", "满意（满意 12，基本满意 5，不满意 3，弃权 1）"),
        ("Basically satisfied", "基本满意（满意 12，基本满意 5，不满意 3，弃权 1）"),
        ("Dissatisfied", "不满意（满意 12，基本满意 5，不满意 3，弃权 1）"),
    ],
)
def test_satisfaction_verdict_states_the_grade_and_every_count(outcome: str, expected: str) -> None:
    assert satisfaction_verdict(outcome, COUNTS) == expected


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=4, max_size=4))
def test_satisfaction_verdict_keeps_every_count_in_order(counts: list[int]) -> None:
    detail = [[label, n] for (label, _), n in zip(COUNTS, counts, strict=True)]
    verdict = satisfaction_verdict("Dissatisfied", detail)
    inside = verdict.removeprefix("不满意（").removesuffix("）")
    assert [int(part.split(" ")[1]) for part in inside.split("，")] == counts


@pytest.mark.parametrize(
    ("figure", "expected"),
    [
        (
            {"n": 987, "weighted_mean": 82.46, "weighted_low": 80.1, "weighted_high": 84.94},
            "综合指数 82.5 分（95% 区间 80.1–84.9，有效样本 987 份）",
        ),
        (
            {"n": 8, "mean": 40.625, "low": 20.0, "high": 61.25, "weighted_mean": None},
            "综合指数 40.6 分（95% 区间 20.0–61.2，有效样本 8 份）",
        ),
        ({"n": 0, "mean": None, "weighted_mean": None}, "综合指数：有效样本不足"),
    ],
)
def test_overall_verdict_prefers_the_weighted_index(figure: dict[str, Any], expected: str) -> None:
    assert overall_verdict({"figures": {"_overall": figure}}) == expected


def test_overall_verdict_of_a_report_without_figures() -> None:
    assert overall_verdict({}) == "综合指数：有效样本不足"
