"""The indicator tree and its weights.

Weights are integers in per-mille (‰) so that "sums to 1" is exact: the weights
of the children of one parent (and of the top level) must add up to 1000.
A leaf's effective weight is the product of the weights on its path, kept as a
Fraction; the effective weights of all leaves then sum to exactly 1.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

WHOLE = 1000  # per-mille


@dataclass(frozen=True)
class IndicatorSpec:
    key: str
    parent: str | None
    weight: int  # per-mille of its parent


@dataclass(frozen=True)
class WeightProblem:
    parent: str | None  # the level whose weights are wrong (None: top level)
    total: int  # what they add up to, per-mille
    reason: str  # "sum" | "negative" | "unknown_parent" | "duplicate" | "empty" | "cycle"


def check_tree(specs: list[IndicatorSpec]) -> list[WeightProblem]:
    """Every problem with the tree; an empty list means it may be saved.

    Invariant: no problems implies every level sums to exactly 1000 and every
    node reaches the top level without a cycle.
    """
    if not specs:
        return [WeightProblem(None, 0, "empty")]
    problems: list[WeightProblem] = []
    keys = [s.key for s in specs]
    if len(set(keys)) != len(keys):
        problems.append(WeightProblem(None, 0, "duplicate"))
    by_key = {s.key: s for s in specs}
    totals: dict[str | None, int] = defaultdict(int)
    for spec in specs:
        if spec.weight < 0:
            problems.append(WeightProblem(spec.parent, spec.weight, "negative"))
        if spec.parent is not None and spec.parent not in by_key:
            problems.append(WeightProblem(spec.parent, 0, "unknown_parent"))
        totals[spec.parent] += spec.weight
    for parent, total in sorted(totals.items(), key=lambda kv: kv[0] or ""):
        if total != WHOLE:
            problems.append(WeightProblem(parent, total, "sum"))
    for spec in specs:
        seen: set[str] = set()
        node: IndicatorSpec | None = spec
        while node is not None and node.parent is not None:
            if node.key in seen:
                problems.append(WeightProblem(spec.key, 0, "cycle"))
                break
            seen.add(node.key)
            node = by_key.get(node.parent)
    return problems


def leaf_weights(specs: list[IndicatorSpec]) -> dict[str, Fraction]:
    """Effective weight of each leaf (indicators without children). Needs a valid tree."""
    by_key = {s.key: s for s in specs}
    parents = {s.parent for s in specs}
    result: dict[str, Fraction] = {}
    for spec in specs:
        if spec.key in parents:
            continue
        weight = Fraction(1)
        node: IndicatorSpec | None = spec
        while node is not None:
            weight *= Fraction(node.weight, WHOLE)
            node = by_key.get(node.parent) if node.parent is not None else None
        result[spec.key] = weight
    return result


def parse_permille(text: str) -> int | None:
    """'0.25', '25%', '250‰' or '250' (per-mille) -> 250; None when unreadable."""
    raw = text.strip().replace("％", "%")
    try:
        if raw.endswith("%"):
            value = Fraction(raw[:-1]) * 10
        elif raw.endswith("‰"):
            value = Fraction(raw[:-1])
        elif "." in raw or raw in {"0", "1"}:
            value = Fraction(raw) * WHOLE
        else:
            value = Fraction(raw)
    except (ValueError, ZeroDivisionError):
        return None
    return int(value) if value.denominator == 1 else None
