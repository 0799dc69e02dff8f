"""How many people to ask: the sample-size calculator of the sampling plan.

n₀ = z²·p(1−p)/e² (p = 0.5 unless stated: the most cautious), rounded up;
with a finite population N, n = n₀ / (1 + (n₀−1)/N), rounded up; and with an
expected response rate r, ⌈n / r⌉ invitations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist


@dataclass(frozen=True)
class SampleSize:
    infinite: int  # n₀, for an unlimited population
    needed: int  # after the finite-population correction
    invitations: int  # needed / expected response rate


def z_value(confidence: float) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def sample_size(
    *,
    confidence: float,
    margin: float,
    population: int | None = None,
    response_rate: float = 1.0,
    proportion: float = 0.5,
) -> SampleSize:
    """Invariant: needed ≤ infinite, needed ≤ population, invitations ≥ needed."""
    if not 0 < confidence < 1 or not 0 < margin < 1 or not 0 < response_rate <= 1:
        raise ValueError("confidence, margin and response rate must be shares")
    z = z_value(confidence)
    n0 = z * z * proportion * (1 - proportion) / (margin * margin)
    needed = n0 if not population else n0 / (1 + (n0 - 1) / population)
    # A tiny tolerance keeps 384.0000000001 from becoming 385.
    infinite = math.ceil(n0 - 1e-9)
    rounded = min(math.ceil(needed - 1e-9), infinite)
    if population:
        rounded = min(rounded, population)
    return SampleSize(infinite, rounded, math.ceil(rounded / response_rate - 1e-9))


def margin_of_error(n: int, *, confidence: float = 0.95, population: int | None = None) -> float:
    """The margin for a proportion of 0.5 reached with n answers (share, e.g. 0.049)."""
    if n <= 0:
        return 1.0
    fpc = math.sqrt((population - n) / (population - 1)) if population and population > 1 else 1.0
    return z_value(confidence) * math.sqrt(0.25 / n) * fpc
