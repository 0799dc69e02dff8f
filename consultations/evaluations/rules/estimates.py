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
from operator import mul

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
    if weights is None:
        ys = [y for y in values if y is not None]
        total = math.fsum(ys)
        squares = math.fsum(y * y for y in ys)
        return Aggregates(len(ys), float(len(ys)), total, float(len(ys)), total, squares)
    pairs = [(w, y) for w, y in zip(weights, values, strict=True) if y is not None]
    ws = [w for w, _ in pairs]
    ys = [y for _, y in pairs]
    wy = list(map(mul, ws, ys))
    w2 = list(map(mul, ws, ws))
    w2y = list(map(mul, w2, ys))
    return Aggregates(
        len(pairs),
        math.fsum(ws),
        math.fsum(wy),
        math.fsum(w2),
        math.fsum(w2y),
        math.fsum(map(mul, w2y, ys)),
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


def respondent_index(
    indicator_scores: Mapping[str, Sequence[float | None]],
    leaf_weights: Mapping[str, Fraction],
    respondents: int,
) -> list[float | None]:
    """Each respondent's overall index: the leaf scores weighted by the leaves'
    effective weights, renormalised over the leaves they answered (None if none)."""
    totals = [0.0] * respondents
    mass = [0.0] * respondents
    for key, fraction in leaf_weights.items():
        weight = float(fraction)
        column = indicator_scores.get(key)
        if column is None or weight == 0:
            continue
        for i, score in enumerate(column):
            if score is not None:
                totals[i] += weight * score
                mass[i] += weight
    return [t / m if m > 0 else None for t, m in zip(totals, mass, strict=True)]


def indicator_means(
    question_scores: Mapping[str, Sequence[float | None]],
    question_indicator: Mapping[str, str],
    respondents: int,
) -> dict[str, list[float | None]]:
    """Each respondent's score per indicator: the mean of its answered questions."""
    sums: dict[str, list[float]] = {}
    counts: dict[str, list[int]] = {}
    for question, column in question_scores.items():
        key = question_indicator[question]
        s = sums.setdefault(key, [0.0] * respondents)
        c = counts.setdefault(key, [0] * respondents)
        for i, score in enumerate(column):
            if score is not None:
                s[i] += score
                c[i] += 1
    return {
        key: [t / n if n else None for t, n in zip(sums[key], counts[key], strict=True)]
        for key in sums
    }
