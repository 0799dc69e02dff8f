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
from itertools import compress, repeat
from operator import itemgetter
from typing import Any

from consultations.evaluations.rules.answers import (
    QuestionKind,
    QuestionSpec,
    score_answer,
    score_table,
)
from consultations.evaluations.rules.estimates import (
    Column,
    aggregate_column,
    estimate,
    mean_of,
    weighted_mean_of,
)
from consultations.evaluations.rules.integrity import (
    SPEEDING_SHARE,
    STRAIGHT_LINE_MIN,
    Flag,
    median_seconds,
)
from consultations.evaluations.rules.quotas import SEPARATOR
from consultations.evaluations.rules.suppression import shown
from consultations.evaluations.rules.weighting import Weighting, post_stratify, rake
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
        rows = [dict(zip(plan.dimensions, c.split(SEPARATOR), strict=False)) for c in cells]
        return rake(rows, margins, trim=plan.trim)
    return Weighting([1.0] * len(cells), "none", 0, True)


def _column(question: QuestionSpec, codes: Sequence[str]) -> Column:
    """Scores of one question's answers."""
    if question.kind in (QuestionKind.SCALE5, QuestionKind.SINGLE):
        # One code per answer: table lookups run in C, the hot path of large evaluations.
        table = score_table(question)
        ones = dict.fromkeys(table, 1)
        return Column(
            list(map(table.get, codes, repeat(0.0))),  # type: ignore[arg-type]
            list(map(ones.get, codes, repeat(0))),  # type: ignore[arg-type]
        )
    return Column.of([score_answer(question, code) for code in codes])


def _figure(column: Column, weights: Sequence[float]) -> dict[str, Any]:
    plain = aggregate_column(column.filled, column.present)
    weighted = aggregate_column(column.filled, column.present, weights)
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


def _plain_figure(column: Column) -> dict[str, Any]:
    plain = aggregate_column(column.filled, column.present)
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
    flag_counts = {Flag.SPEEDING.value: sum(speeding), Flag.STRAIGHT_LINING.value: sum(straight)}
    kept_rows = list(compress(rows, keep))
    n = len(kept_rows)
    cells = [r.cell for r in kept_rows]
    weighting = weigh(cells, plan)
    weights = weighting.weights
    scored = [q for q in questions if q.scored and q.indicator]
    question_columns = {q.key: _column(q, list(compress(codes[q.key], keep))) for q in scored}
    grouped: dict[str, list[Column]] = defaultdict(list)
    for q in scored:
        grouped[q.indicator or ""].append(question_columns[q.key])
    leaves = leaf_weights(list(indicators))
    empty = Column([0.0] * n, [0] * n)
    by_leaf = {key: mean_of(grouped[key], n) if key in grouped else empty for key in leaves}
    nodes: dict[str, Column] = {OVERALL: weighted_mean_of(by_leaf, leaves, n)}
    for spec in indicators:
        nodes[spec.key] = (
            by_leaf[spec.key]
            if spec.key in leaves
            else weighted_mean_of(by_leaf, subtree_weights(indicators, spec.key), n)
        )
    figures = {key: _figure(column, weights) for key, column in nodes.items()}
    overall = nodes[OVERALL]
    subgroups: dict[str, list[dict[str, Any]]] = {}
    for position, dim in enumerate(plan.dimensions):
        groups: dict[str, list[int]] = defaultdict(list)
        for i, cell in enumerate(cells):
            parts = cell.split(SEPARATOR)
            groups[parts[position] if position < len(parts) else "?"].append(i)
        subgroups[dim] = []
        for value, members in sorted(groups.items()):
            entry: dict[str, Any] = {
                "value": value,
                "n": len(members),
                "shown": shown(len(members), min_group),
            }
            if entry["shown"]:
                part = Column(
                    [overall.filled[i] for i in members], [overall.present[i] for i in members]
                )
                entry |= _figure(part, [weights[i] for i in members])
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
            "max_weight": max(weights, default=1.0),
            "min_weight": min(weights, default=1.0),
        },
        "figures": figures,
        # Questions unweighted: the weighted figures are those of the indicators.
        "questions": {k: _plain_figure(v) for k, v in question_columns.items()},
        "subgroups": subgroups,
        "cells": dict(Counter(cells)),
        "min_group": min_group,
    }
