"""From stored responses to the published report figures (pure).

Steps, in the order they are published on the report page:
1. flag responses (speeding, straight-lining) and leave flagged ones out;
2. score each answer 0–100 (see :mod:`.answers`), each indicator as the mean
   of its answered questions, each parent and the overall index as the
   weighted mean of the leaves below it (renormalised over answered leaves);
3. weight respondents to the roll's margins (:mod:`.weighting`);
4. estimate every figure weighted and unweighted with its 95 % interval from
   published aggregates (:mod:`.estimates`), and hide subgroups below the
   minimum size (:mod:`.suppression`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import compress
from operator import itemgetter
from typing import Any

import numpy as np

from consultations.evaluations.rules import vectors
from consultations.evaluations.rules.answers import QuestionKind, QuestionSpec
from consultations.evaluations.rules.estimates import estimate
from consultations.evaluations.rules.integrity import (
    SPEEDING_SHARE,
    STRAIGHT_LINE_MIN,
    Flag,
    median_seconds,
)
from consultations.evaluations.rules.quotas import SEPARATOR
from consultations.evaluations.rules.suppression import shown
from consultations.evaluations.rules.vectors import Floats, Vec
from consultations.evaluations.rules.weighting import Weighting, post_stratify, rake_columns
from consultations.evaluations.rules.weights import IndicatorSpec, leaf_weights

OVERALL = "_overall"


@dataclass(frozen=True)
class ResponseRow:
    cell: str
    answers: Mapping[str, str]
    seconds: int


@dataclass(frozen=True)
class WeightPlan:
    method: str  # "none" | "post-stratification" | "raking"
    dimensions: tuple[str, ...]  # names of the parts of a cell, in order
    population: Mapping[str, int]  # cell -> people on the roll
    trim: tuple[float, float] = (0.3, 3.0)


def subtree_weights(specs: Sequence[IndicatorSpec], root: str) -> dict[str, Fraction]:
    """Leaf weights relative to ``root`` (the leaves below it, summing to 1)."""
    children: dict[str | None, list[IndicatorSpec]] = defaultdict(list)
    for spec in specs:
        children[spec.parent].append(spec)
    result: dict[str, Fraction] = {}

    def walk(key: str, weight: Fraction) -> None:
        below = children.get(key, [])
        if not below:
            result[key] = weight
        for child in below:
            walk(child.key, weight * Fraction(child.weight, 1000))

    walk(root, Fraction(1))
    return result


def weigh(cells: Sequence[str], plan: WeightPlan) -> Weighting:
    if plan.method == "post-stratification" and plan.population:
        return post_stratify(cells, plan.population)
    if plan.method == "raking" and plan.population and plan.dimensions:
        total = sum(plan.population.values())
        margins: dict[str, dict[str, float]] = {d: defaultdict(float) for d in plan.dimensions}
        for cell, size in plan.population.items():
            for dim, value in zip(plan.dimensions, cell.split(SEPARATOR), strict=False):
                margins[dim][value] += size / total
        # Respondents' values per dimension, computed once per distinct cell.
        parts = {c: c.split(SEPARATOR) for c in set(cells)}
        columns = {
            dim: [p[i] if i < len(p) else "" for p in map(parts.__getitem__, cells)]
            for i, dim in enumerate(plan.dimensions)
        }
        return rake_columns(columns, margins, len(cells), trim=plan.trim)
    return Weighting([1.0] * len(cells), "none", 0, True)


def _figure(column: Vec, weights: Floats) -> dict[str, Any]:
    plain = vectors.aggregate(column)
    weighted = vectors.aggregate(column, weights)
    p, w = estimate(plain), estimate(weighted)
    return {
        "n": p.n,
        "mean": p.mean,
        "low": p.low,
        "high": p.high,
        "weighted_mean": w.mean,
        "weighted_low": w.low,
        "weighted_high": w.high,
        "aggregates": plain.as_dict(),
        "weighted_aggregates": weighted.as_dict(),
    }


def _code_columns(keys: Sequence[str], rows: Sequence[ResponseRow]) -> dict[str, Sequence[str]]:
    """Answers by question. Stored responses name every question ("" when skipped),
    which allows one C-level pass per row and a transposition; others take the slow path."""
    if not keys or not rows:
        return {k: [""] * len(rows) for k in keys}
    getter = itemgetter(*keys)
    try:
        picked = list(map(getter, (r.answers for r in rows)))
    except KeyError:
        return {k: [r.answers.get(k, "") for r in rows] for k in keys}
    if len(keys) == 1:
        return {keys[0]: picked}
    return dict(zip(keys, zip(*picked, strict=True), strict=True))


def _straight_lined(scale_columns: Sequence[Sequence[str]], count: int) -> list[bool]:
    """Rows that gave one and the same (non-empty) answer to every five-point question."""
    if len(scale_columns) < STRAIGHT_LINE_MIN:
        return [False] * count
    # Per row, the set of its scale answers has one member: counted in C, row by row.
    distinct = map(len, map(set, zip(*scale_columns, strict=True)))
    return [d == 1 and bool(first) for d, first in zip(distinct, scale_columns[0], strict=True)]


def _plain_figure(column: Vec) -> dict[str, Any]:
    plain = vectors.aggregate(column)
    p = estimate(plain)
    return {"n": p.n, "mean": p.mean, "low": p.low, "high": p.high, "aggregates": plain.as_dict()}


def score(
    questions: Sequence[QuestionSpec],
    indicators: Sequence[IndicatorSpec],
    rows: Sequence[ResponseRow],
    plan: WeightPlan,
    *,
    min_group: int = 30,
) -> dict[str, Any]:
    """All report figures, JSON-ready. Invariant: figures use unflagged responses only
    (see :mod:`.integrity`, same rule as :func:`flags_for`), and every mean can be
    recomputed from its published aggregates."""
    codes = _code_columns([q.key for q in questions], rows)
    typical = median_seconds([r.seconds for r in rows])
    cutoff = typical * SPEEDING_SHARE if typical is not None else -1.0
    speeding = [r.seconds < cutoff for r in rows]
    straight = _straight_lined(
        [codes[q.key] for q in questions if q.kind is QuestionKind.SCALE5], len(rows)
    )
    keep = [not (a or b) for a, b in zip(speeding, straight, strict=True)]
    mask = np.fromiter(keep, dtype=np.bool_, count=len(keep))
    flag_counts = {Flag.SPEEDING.value: sum(speeding), Flag.STRAIGHT_LINING.value: sum(straight)}
    kept_rows = list(compress(rows, keep))
    n = len(kept_rows)
    cells = [r.cell for r in kept_rows]
    weighting = weigh(cells, plan)
    weights = np.asarray(weighting.weights, dtype=np.float64)
    scored = [q for q in questions if q.scored and q.indicator]
    question_columns = {q.key: vectors.answer_column(q, codes[q.key]).take(mask) for q in scored}
    grouped: dict[str, list[Vec]] = defaultdict(list)
    for q in scored:
        grouped[q.indicator or ""].append(question_columns[q.key])
    leaves = leaf_weights(list(indicators))
    by_leaf = {
        key: vectors.mean_of(grouped[key], n) if key in grouped else Vec.empty(n) for key in leaves
    }
    nodes: dict[str, Vec] = {OVERALL: vectors.weighted_mean_of(by_leaf, leaves, n)}
    for spec in indicators:
        nodes[spec.key] = (
            by_leaf[spec.key]
            if spec.key in leaves
            else vectors.weighted_mean_of(by_leaf, subtree_weights(indicators, spec.key), n)
        )
    figures = {key: _figure(column, weights) for key, column in nodes.items()}
    overall = nodes[OVERALL]
    subgroups: dict[str, list[dict[str, Any]]] = {}
    distinct = {c: c.split(SEPARATOR) for c in set(cells)}
    split = [distinct[c] for c in cells]
    for position, dim in enumerate(plan.dimensions):
        values = np.array([parts[position] if position < len(parts) else "?" for parts in split])
        subgroups[dim] = []
        for value in sorted(set(values.tolist())):
            members = values == value
            size = int(members.sum())
            entry: dict[str, Any] = {"value": value, "n": size, "shown": shown(size, min_group)}
            if entry["shown"]:
                entry |= _figure(overall.take(members), weights[members])
            subgroups[dim].append(entry)
    return {
        "responses": len(rows),
        "kept": n,
        "flags": flag_counts,
        "median_seconds": typical,
        "weighting": {
            "method": weighting.method,
            "iterations": weighting.iterations,
            "converged": weighting.converged,
            "design_effect": weighting.design_effect,
            "missing_cells": list(weighting.missing_cells),
            "max_weight": float(weights.max()) if n else 1.0,
            "min_weight": float(weights.min()) if n else 1.0,
        },
        "figures": figures,
        # Questions unweighted: the weighted figures are those of the indicators.
        "questions": {k: _plain_figure(v) for k, v in question_columns.items()},
        "subgroups": subgroups,
        "cells": dict(Counter(cells)),
        "min_group": min_group,
    }
