"""Integrity flags and the published exclusion rule.

- Speeding: finishing in less than one third of the median completion time
  of all submitted responses.
- Straight-lining: giving the same answer to every five-point question, when
  the questionnaire has at least five of them.
Flagged responses are kept (never deleted or edited) and excluded from scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from statistics import median

from participation.errors import N_

SPEEDING_SHARE = 1 / 3
STRAIGHT_LINE_MIN = 5
EXCLUSION_RULE = N_(
    "Responses finished in less than one third of the median time, or giving the same "
    "answer to every five-point question (five or more), are flagged and left out of "
    "the scores. They are kept and counted in the sample figures."
)


class Flag(StrEnum):
    SPEEDING = "speeding"
    STRAIGHT_LINING = "straight_lining"


def median_seconds(durations: Sequence[int]) -> float | None:
    return float(median(durations)) if durations else None


def flags_for(duration: int, typical: float | None, scale_answers: Sequence[str]) -> set[Flag]:
    """Flags of one response, given the median duration of all responses."""
    found: set[Flag] = set()
    if typical is not None and duration < typical * SPEEDING_SHARE:
        found.add(Flag.SPEEDING)
    if (
        len(scale_answers) >= STRAIGHT_LINE_MIN
        and scale_answers[0]
        and len(set(scale_answers)) == 1
    ):
        found.add(Flag.STRAIGHT_LINING)
    return found
