"""Per-respondent score columns as numpy arrays: the fast path of scoring.

A column holds every respondent's score with missing values as 0 in ``filled``
and a 0/1 ``present`` mask, so sums need no filtering. The formulas are those of
:mod:`.estimates` (which states them on plain Python values and is what the
hand-computed tests check); these functions apply them to whole arrays at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import repeat

import numpy as np
import numpy.typing as npt

from consultations.evaluations.rules.answers import (
    QuestionKind,
    QuestionSpec,
    score_answer,
    score_table,
)
from consultations.evaluations.rules.estimates import Aggregates

Floats = npt.NDArray[np.float64]


@dataclass
class Vec:
    filled: Floats
    present: Floats  # 1.0 where answered, 0.0 where not

    @classmethod
    def empty(cls, n: int) -> Vec:
        return cls(np.zeros(n), np.zeros(n))

    def take(self, mask: npt.NDArray[np.bool_]) -> Vec:
        return Vec(self.filled[mask], self.present[mask])


def answer_column(question: QuestionSpec, codes: Sequence[str]) -> Vec:
    """Scores of one question's answers (codes as stored; "" when skipped)."""
    n = len(codes)
    if question.kind in (QuestionKind.SCALE5, QuestionKind.SINGLE):
        table = score_table(question)
        index = {code: i for i, code in enumerate(table)}
        # One dictionary lookup per answer, in C; -1 (not scored) picks the trailing 0.
        positions = np.fromiter(map(index.get, codes, repeat(-1)), dtype=np.int64, count=n)
        values = np.array([*table.values(), 0.0])
        return Vec(values[positions], (positions >= 0).astype(np.float64))
    scores = [score_answer(question, code) for code in codes]
    return Vec(
        np.fromiter((0.0 if s is None else s for s in scores), dtype=np.float64, count=n),
        np.fromiter((0.0 if s is None else 1.0 for s in scores), dtype=np.float64, count=n),
    )


def mean_of(columns: Sequence[Vec], n: int) -> Vec:
    """Each respondent's mean over the columns they answered."""
    totals, counts = np.zeros(n), np.zeros(n)
    for column in columns:
        totals += column.filled
        counts += column.present
    answered = counts > 0
    means = np.divide(totals, counts, out=np.zeros(n), where=answered)
    return Vec(means, answered.astype(np.float64))


def weighted_mean_of(columns: Mapping[str, Vec], weights: Mapping[str, Fraction], n: int) -> Vec:
    """Weighted mean over the columns, renormalised over those answered."""
    totals, mass = np.zeros(n), np.zeros(n)
    for key, fraction in weights.items():
        column = columns.get(key)
        if column is None or fraction == 0:
            continue
        w = float(fraction)
        totals += w * column.filled
        mass += w * column.present
    answered = mass > 0
    return Vec(
        np.divide(totals, mass, out=np.zeros(n), where=answered), answered.astype(np.float64)
    )


def aggregate(column: Vec, weights: Floats | None = None) -> Aggregates:
    """The published sums (see :class:`.estimates.Aggregates`)."""
    y, p = column.filled, column.present
    n = int(p.sum())
    if weights is None:
        total = float(y.sum())
        return Aggregates(n, float(n), total, float(n), total, float(np.dot(y, y)))
    ws = weights * p
    wy = ws * y
    w2y = ws * wy
    return Aggregates(
        n,
        float(ws.sum()),
        float(wy.sum()),
        float(np.dot(ws, ws)),
        float(w2y.sum()),
        float(np.dot(w2y, y)),
    )
