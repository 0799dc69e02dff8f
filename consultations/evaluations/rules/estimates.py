"""Means with 95 % confidence intervals, weighted or not, and the index per indicator.

Estimator: the weighted mean ȳ = Σwᵢyᵢ / Σwᵢ with the linearised variance
v = n/(n−1) · Σwᵢ²(yᵢ−ȳ)² / (Σwᵢ)², and the interval ȳ ± 1.96·√v clamped to
[0, 100]. With all weights 1 this is the textbook s²/n. Fewer than two answers
give no interval. The same formulas run on the published aggregates
(n, Σw, Σwy, Σw², Σw²y, Σw²y²), so anyone can recompute every figure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import repeat
from operator import add, mul

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Aggregates:
    """Sums from which an estimate is recomputed (published with the report)."""

    n: int
    sw: float  # Σw
    swy: float  # Σwy
    sw2: float  # Σw²
    sw2y: float  # Σw²y
    sw2y2: float  # Σw²y²

    def as_dict(self) -> dict[str, float]:
        return {
            "n": self.n,
            "sw": self.sw,
            "swy": self.swy,
            "sw2": self.sw2,
            "sw2y": self.sw2y,
            "sw2y2": self.sw2y2,
        }


@dataclass(frozen=True)
class Estimate:
    n: int
    mean: float | None
    low: float | None
    high: float | None

    @property
    def margin(self) -> float | None:
        if self.mean is None or self.low is None or self.high is None:
            return None
        return (self.high - self.low) / 2


def aggregate(values: Sequence[float | None], weights: Sequence[float] | None = None) -> Aggregates:
    """The sums over answered values (None is skipped)."""
    filled = [0.0 if y is None else y for y in values]
    present = [0 if y is None else 1 for y in values]
    return aggregate_column(filled, present, weights)


def aggregate_column(
    filled: Sequence[float], present: Sequence[int], weights: Sequence[float] | None = None
) -> Aggregates:
    """The same sums from a column with missing values as 0 and a 0/1 presence mask.

    A missing value contributes nothing to any sum, so no filtering is needed:
    every pass below runs in C (map over operator functions). Plain ``sum`` is
    exact enough here: at most 10⁶ terms of size ≤ 10⁴ in double precision.
    """
    n = sum(present)
    if weights is None:
        total = sum(filled)
        return Aggregates(n, float(n), total, float(n), total, sum(map(mul, filled, filled)))
    ws = list(map(mul, weights, present))
    wy = list(map(mul, ws, filled))
    w2y = list(map(mul, ws, wy))
    return Aggregates(
        n,
        sum(ws),
        sum(wy),
        sum(map(mul, ws, ws)),
        sum(w2y),
        sum(map(mul, w2y, filled)),
    )


def estimate(agg: Aggregates) -> Estimate:
    """Mean and 95 % interval from the aggregates (see the module docstring)."""
    if agg.n == 0 or agg.sw <= 0:
        return Estimate(agg.n, None, None, None)
    mean = agg.swy / agg.sw
    if agg.n < 2:
        return Estimate(agg.n, mean, None, None)
    # Σw²(y−ȳ)² expanded, so that it follows from the published sums alone.
    spread = max(0.0, agg.sw2y2 - 2 * mean * agg.sw2y + mean * mean * agg.sw2)
    variance = agg.n / (agg.n - 1) * spread / (agg.sw * agg.sw)
    half = Z95 * math.sqrt(variance)
    return Estimate(agg.n, mean, max(0.0, mean - half), min(100.0, mean + half))


@dataclass
class Column:
    """Per-respondent scores: missing values as 0 in ``filled``, and 0/1 in ``present``."""

    filled: list[float]
    present: list[int]

    @classmethod
    def of(cls, values: Sequence[float | None]) -> Column:
        return cls(
            [0.0 if y is None else y for y in values], [0 if y is None else 1 for y in values]
        )

    def values(self) -> list[float | None]:
        return [y if p else None for y, p in zip(self.filled, self.present, strict=True)]


def mean_of(columns: Sequence[Column], respondents: int) -> Column:
    """Each respondent's mean over the columns they answered."""
    totals = [0.0] * respondents
    counts = [0] * respondents
    for column in columns:
        totals = list(map(add, totals, column.filled))
        counts = list(map(add, counts, column.present))
    return Column(
        [t / c if c else 0.0 for t, c in zip(totals, counts, strict=True)],
        [1 if c else 0 for c in counts],
    )


def weighted_mean_of(
    columns: Mapping[str, Column], weights: Mapping[str, Fraction], respondents: int
) -> Column:
    """Each respondent's mean of the columns weighted by ``weights``, renormalised over
    the columns they answered (absent when they answered none with weight)."""
    totals = [0.0] * respondents
    mass = [0.0] * respondents
    for key, fraction in weights.items():
        weight = float(fraction)
        column = columns.get(key)
        if column is None or weight == 0:
            continue
        totals = list(map(add, totals, map(mul, column.filled, repeat(weight))))
        mass = list(map(add, mass, map(mul, column.present, repeat(weight))))
    return Column(
        [t / m if m > 0 else 0.0 for t, m in zip(totals, mass, strict=True)],
        [1 if m > 0 else 0 for m in mass],
    )


def respondent_index(
    indicator_scores: Mapping[str, Sequence[float | None]],
    leaf_weights: Mapping[str, Fraction],
    respondents: int,
) -> list[float | None]:
    """Each respondent's overall index: the leaf scores weighted by the leaves'
    effective weights, renormalised over the leaves they answered (None if none)."""
    columns = {k: Column.of(v) for k, v in indicator_scores.items()}
    return weighted_mean_of(columns, leaf_weights, respondents).values()


def indicator_means(
    question_scores: Mapping[str, Sequence[float | None]],
    question_indicator: Mapping[str, str],
    respondents: int,
) -> dict[str, list[float | None]]:
    """Each respondent's score per indicator: the mean of its answered questions."""
    grouped: dict[str, list[Column]] = {}
    for question, values in question_scores.items():
        grouped.setdefault(question_indicator[question], []).append(Column.of(values))
    return {key: mean_of(cols, respondents).values() for key, cols in grouped.items()}
