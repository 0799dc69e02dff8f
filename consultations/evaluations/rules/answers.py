"""Questions and how an answer becomes a score from 0 to 100.

The mapping is stated on the questionnaire page (:func:`mapping_text` feeds it):
- five-point scale: 1 → 0, 2 → 25, 3 → 50, 4 → 75, 5 → 100;
- single choice: each option carries its own stated score (or none: not scored);
- multiple choice: the mean of the chosen options' scores;
- number: linear from the stated low (0) to the stated high (100), clamped;
- open text: never scored.
Every scored question belongs to an indicator.

An answer is one string: the option key, the number or the text; several
chosen options are joined with commas (option keys never hold one); "" is no answer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class QuestionKind(StrEnum):
    SCALE5 = "scale5"
    SINGLE = "single"
    MULTI = "multi"
    NUMBER = "number"
    TEXT = "text"


SCALE5_SCORES: dict[str, float] = {"1": 0.0, "2": 25.0, "3": 50.0, "4": 75.0, "5": 100.0}


@dataclass(frozen=True)
class Option:
    key: str
    label: str
    score: float | None = None  # 0–100, or None when the option is not scored


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    kind: QuestionKind
    indicator: str | None  # None only for questions that are not scored
    options: tuple[Option, ...] = field(default=())
    low: float | None = None  # NUMBER: the value that scores 0
    high: float | None = None  # NUMBER: the value that scores 100
    required: bool = True

    @property
    def scored(self) -> bool:
        if self.kind is QuestionKind.TEXT:
            return False
        if self.kind in (QuestionKind.SINGLE, QuestionKind.MULTI):
            return any(o.score is not None for o in self.options)
        return True


def question_problems(question: QuestionSpec, indicators: set[str]) -> list[str]:
    """Reason codes why a question cannot be saved ([] when it can)."""
    problems = []
    if question.scored and not question.indicator:
        problems.append("no_indicator")
    if question.indicator and question.indicator not in indicators:
        problems.append("unknown_indicator")
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTI) and len(question.options) < 2:
        problems.append("few_options")
    for option in question.options:
        if option.score is not None and not 0 <= option.score <= 100:
            problems.append("score_range")
    if question.kind is QuestionKind.NUMBER and (
        question.low is None
        or question.high is None
        or not (math.isfinite(question.low) and math.isfinite(question.high))
        or question.low == question.high
    ):
        problems.append("number_range")
    return problems


def split_choices(raw: str) -> list[str]:
    return [v for v in raw.split(",") if v]


def check_answer(question: QuestionSpec, raw: str) -> str | None:
    """Reason code when an answer is not acceptable, None when it is ("" = skipped)."""
    values = split_choices(raw) if question.kind is QuestionKind.MULTI else [raw] if raw else []
    if not values:
        return "required" if question.required else None
    keys = {o.key for o in question.options}
    if question.kind is QuestionKind.SCALE5:
        return None if len(values) == 1 and values[0] in SCALE5_SCORES else "bad_choice"
    if question.kind is QuestionKind.SINGLE:
        return None if len(values) == 1 and values[0] in keys else "bad_choice"
    if question.kind is QuestionKind.MULTI:
        return None if set(values) <= keys and len(set(values)) == len(values) else "bad_choice"
    if question.kind is QuestionKind.NUMBER:
        try:
            float(values[0])
        except ValueError:
            return "bad_number"
        return None if math.isfinite(float(values[0])) else "bad_number"
    return None if len(values[0]) <= 2000 else "too_long"


def score_answer(question: QuestionSpec, raw: str) -> float | None:
    """The 0–100 score of an accepted answer; None when skipped or not scored."""
    values = split_choices(raw) if question.kind is QuestionKind.MULTI else [raw] if raw else []
    if not values or not question.scored:
        return None
    if question.kind is QuestionKind.SCALE5:
        return SCALE5_SCORES[values[0]]
    if question.kind is QuestionKind.NUMBER:
        assert question.low is not None and question.high is not None
        share = (float(values[0]) - question.low) / (question.high - question.low)
        return 100.0 * min(1.0, max(0.0, share))
    scores: Mapping[str, float | None] = {o.key: o.score for o in question.options}
    chosen = [s for v in values if (s := scores.get(v)) is not None]
    return sum(chosen) / len(chosen) if chosen else None


def score_table(question: QuestionSpec) -> dict[str, float]:
    """Answer code -> score for questions answered by one code (scale, single choice)."""
    if question.kind is QuestionKind.SCALE5:
        return dict(SCALE5_SCORES)
    return {o.key: o.score for o in question.options if o.score is not None}
