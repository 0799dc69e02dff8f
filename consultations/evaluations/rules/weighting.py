"""Weights to the roll's margins: post-stratification and raking, with trimming.

Weights are scaled to mean 1 over respondents. Post-stratification gives each
respondent in cell c the weight (N_c/N)/(n_c/n). Raking (iterative proportional
fitting) adjusts the weights one dimension at a time until every margin matches
its target share; trimming then caps each weight to [low, high] × the mean and
raking continues, so the result both fits the margins (when it can) and keeps no
weight beyond the caps. The design effect (Kish) n·Σw²/(Σw)² is reported.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Weighting:
    weights: list[float]
    method: str  # "none" | "post-stratification" | "raking"
    iterations: int
    converged: bool
    missing_cells: tuple[str, ...] = ()  # population cells with no respondent

    @property
    def design_effect(self) -> float:
        return design_effect(self.weights)


def design_effect(weights: Sequence[float]) -> float:
    total = math.fsum(weights)
    if not weights or total == 0:
        return 1.0
    return len(weights) * math.fsum(w * w for w in weights) / (total * total)


def _to_mean_one(weights: list[float]) -> list[float]:
    total = math.fsum(weights)
    if total == 0:
        return weights
    scale = len(weights) / total
    return [w * scale for w in weights]


def trim_weights(weights: list[float], low: float, high: float) -> list[float]:
    """Cap weights to [low, high] at mean 1: clip and rescale until both hold
    (a fixed point exists whenever low ≤ 1 ≤ high)."""
    weights = _to_mean_one(weights)
    for _ in range(200):
        if all(low - 1e-9 <= w <= high + 1e-9 for w in weights):
            break
        weights = _to_mean_one([min(high, max(low, w)) for w in weights])
    return weights


def post_stratify(cells: Sequence[str], population: Mapping[str, int]) -> Weighting:
    """Invariant: the weighted share of every represented cell equals its population
    share among the represented cells."""
    counts = Counter(cells)
    present = {c: n for c, n in population.items() if counts.get(c)}
    total_pop = sum(present.values())
    n = sum(counts[c] for c in present)
    weights = [
        (present[c] / total_pop) / (counts[c] / n) if c in present and total_pop else 0.0
        for c in cells
    ]
    missing = tuple(sorted(c for c, size in population.items() if size and not counts.get(c)))
    return Weighting(_to_mean_one(weights), "post-stratification", 1, True, missing)


def rake(
    rows: Sequence[Mapping[str, str]],
    margins: Mapping[str, Mapping[str, float]],
    *,
    trim: tuple[float, float] = (0.3, 3.0),
    max_iterations: int = 100,
    tolerance: float = 1e-6,
) -> Weighting:
    """Rake to ``margins`` (dimension -> value -> target share, shares sum to 1).

    Values without respondents cannot be reached; their targets are dropped and the
    others rescaled. Converged means every margin is within ``tolerance``.
    """
    columns = {dim: [row.get(dim, "") for row in rows] for dim in margins}
    return rake_columns(
        columns, margins, len(rows), trim=trim, max_iterations=max_iterations, tolerance=tolerance
    )


def rake_columns(
    columns: Mapping[str, Sequence[str]],
    margins: Mapping[str, Mapping[str, float]],
    n: int,
    *,
    trim: tuple[float, float] = (0.3, 3.0),
    max_iterations: int = 100,
    tolerance: float = 1e-6,
) -> Weighting:
    """:func:`rake` on the respondents' values per dimension (one list per dimension)."""
    if n == 0:
        return Weighting([], "raking", 0, True)
    # Per dimension: each respondent's value as an integer code, and the target share
    # per code (NaN for values without a target: their weights are left alone).
    codes: list[npt.NDArray[np.intp]] = []
    targets: list[npt.NDArray[np.float64]] = []
    missing: list[str] = []
    for dim, shares in margins.items():
        values, inverse = np.unique(np.asarray(columns[dim]), return_inverse=True)
        seen = set(values.tolist())
        kept = {v: s for v, s in shares.items() if v in seen and s > 0}
        missing += [f"{dim}={v}" for v, s in shares.items() if v not in seen and s > 0]
        total = sum(kept.values())
        if not total:
            continue
        codes.append(inverse.reshape(-1))
        targets.append(
            np.array([kept[v] / total if v in kept else np.nan for v in values.tolist()])
        )
    weights = np.ones(n)
    low, high = trim
    converged = False
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 (reported below)
        for code, target in zip(codes, targets, strict=True):
            sums = np.bincount(code, weights=weights, minlength=len(target))
            with np.errstate(divide="ignore", invalid="ignore"):
                factors = np.where(
                    np.isnan(target) | (sums == 0), 1.0, target * weights.sum() / sums
                )
            weights = weights * factors[code]
        weights = np.asarray(trim_weights(weights.tolist(), low, high))
        if _worst_gap(weights, codes, targets) < tolerance and bool(
            np.all((weights >= low - 1e-9) & (weights <= high + 1e-9))
        ):
            converged = True
            break
    return Weighting(weights.tolist(), "raking", iteration, converged, tuple(missing))


def _worst_gap(
    weights: npt.NDArray[np.float64],
    codes: Sequence[npt.NDArray[np.intp]],
    targets: Sequence[npt.NDArray[np.float64]],
) -> float:
    total = weights.sum()
    worst = 0.0
    for code, target in zip(codes, targets, strict=True):
        shares = np.bincount(code, weights=weights, minlength=len(target)) / total
        gaps = np.abs(shares - target)
        worst = max(worst, float(np.nanmax(gaps)) if not np.all(np.isnan(gaps)) else 0.0)
    return worst


def weighted_shares(weights: Sequence[float], values: Sequence[str]) -> dict[str, float]:
    total = math.fsum(weights)
    sums: dict[str, float] = defaultdict(float)
    for w, v in zip(weights, values, strict=True):
        sums[v] += w
    return {v: s / total for v, s in sums.items()} if total else {}
