"""Scoring an evaluation from its stored responses, publishing the report, exports.

Publication freezes the figures (with the aggregates that recompute them) in
``Evaluation.report_json``: the public report, the PDF, the CSV and the open
data all read that one document, so they can never disagree.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultations.evaluations.models import Evaluation, EvaluationResponse
from consultations.evaluations.questionnaire import (
    indicator_specs,
    indicators_of,
    question_spec,
    questions_of,
)
from consultations.evaluations.rules.sampling import margin_of_error
from consultations.evaluations.rules.scoring import OVERALL, ResponseRow, WeightPlan, score
from consultations.evaluations.sampling_plan import quota_cells
from participation import audit
from participation.errors import N_, DomainError
from participation.plan.judgements import JudgementKind, JudgementOf, attach_judgement


def response_rows(session: Session, evaluation_id: int) -> list[ResponseRow]:
    rows = session.execute(
        select(EvaluationResponse.cell, EvaluationResponse.answers_json, EvaluationResponse.seconds)
        .where(EvaluationResponse.evaluation_id == evaluation_id)
        .order_by(EvaluationResponse.id)
    ).all()
    return [ResponseRow(cell, json.loads(answers), seconds) for cell, answers, seconds in rows]


def compute_report(session: Session, evaluation: Evaluation) -> dict[str, Any]:
    """The report's figures from the stored responses (nothing is written)."""
    cells = quota_cells(session, evaluation.id)
    dims = tuple(d for d in evaluation.quota_dimensions.split(",") if d)
    plan = WeightPlan(evaluation.weighting, dims, {c.cell: c.population for c in cells})
    questions = [question_spec(q) for q in questions_of(session, evaluation.id)]
    indicators = indicator_specs(indicators_of(session, evaluation.id))
    report = score(
        questions,
        indicators,
        response_rows(session, evaluation.id),
        plan,
        min_group=evaluation.min_group,
    )
    report["plan"] = {
        "population": evaluation.population,
        "target": evaluation.target_sample,
        "confidence": evaluation.confidence_permille / 1000,
        "margin": evaluation.margin_permille / 1000,
        "response_rate": evaluation.response_rate_permille / 1000,
        "achieved_margin": margin_of_error(
            report["kept"],
            confidence=evaluation.confidence_permille / 1000,
            population=evaluation.population or None,
        ),
        "cells": [
            {
                "cell": c.cell,
                "cap": c.cap,
                "population": c.population,
                # Small cells are shown as "<min" so no one can be singled out.
                "achieved": report["cells"].get(c.cell, 0)
                if report["cells"].get(c.cell, 0) >= evaluation.min_group
                else None,
            }
            for c in cells
        ],
    }
    del report["cells"]
    return report


def publish_report(
    session: Session, evaluation: Evaluation, findings: str, actor_id: int, now: datetime
) -> None:
    if evaluation.status != "closed":
        raise DomainError(
            "evaluation.not_closed",
            N_("Close the evaluation before publishing its report."),
            status=409,
        )
    if not findings.strip():
        raise DomainError(
            "evaluation.no_findings",
            N_("Write the findings before publishing."),
            fields={"findings": N_("Write the findings before publishing.")},
        )
    evaluation.report_json = json.dumps(compute_report(session, evaluation), ensure_ascii=False)
    evaluation.findings = findings.strip()
    evaluation.status, evaluation.published_at = "published", now
    audit.record(
        session,
        actor_id=actor_id,
        action="evaluation.published",
        target=f"evaluation:{evaluation.id}",
    )
    judge_plan_item(session, evaluation, now)


def _one_decimal(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def overall_verdict(report: dict[str, Any]) -> str:
    """ "综合指数 82.5 分（95% 区间 80.1–84.9，有效样本 987 份）": the weighted overall
    index as the report page states it (unweighted when no weights apply)."""
    figure = report.get("figures", {}).get(OVERALL) or {}
    mean, low, high = (
        figure.get("weighted_mean"),
        figure.get("weighted_low"),
        figure.get("weighted_high"),
    )
    if mean is None:
        mean, low, high = figure.get("mean"), figure.get("low"), figure.get("high")
    if mean is None:
        return "综合指数：有效样本不足"
    return (
        f"综合指数 {_one_decimal(mean)} 分（95% 区间 {_one_decimal(low)}–{_one_decimal(high)}，"
        f"有效样本 {int(figure.get('n') or 0)} 份）"
    )


def judge_plan_item(session: Session, evaluation: Evaluation, now: datetime) -> None:
    """A published evaluation of a plan item attaches its overall score to that item
    (once per evaluation; the rectification demands follow with the response)."""
    if evaluation.plan_item_id is None:
        return
    attach_judgement(
        session,
        JudgementOf(
            item_id=evaluation.plan_item_id,
            kind=JudgementKind.EVALUATION,
            source_ref=f"evaluation:{evaluation.id}",
            source_record="evaluation",
            source_id=evaluation.id,
            verdict=overall_verdict(published_report(evaluation)),
        ),
        now=now,
    )


def published_report(evaluation: Evaluation) -> dict[str, Any]:
    if evaluation.status != "published" or not evaluation.report_json:
        raise DomainError(
            "evaluation.unpublished", N_("The report is not published yet."), status=404
        )
    return dict(json.loads(evaluation.report_json))


REPORT_COLUMNS = [
    "indicator",
    "name",
    "n",
    "mean",
    "low95",
    "high95",
    "weighted_mean",
    "weighted_low95",
    "weighted_high95",
    "sum_w",
    "sum_wy",
    "sum_w2",
    "sum_w2y",
    "sum_w2y2",
]


def report_rows(session: Session, evaluation: Evaluation) -> list[list[Any]]:
    """Indicator figures, weighted and unweighted, with the aggregates behind them."""
    report = published_report(evaluation)
    names = {i.key: i.name for i in indicators_of(session, evaluation.id)}
    rows: list[list[Any]] = [list(REPORT_COLUMNS)]
    for key, figure in report["figures"].items():
        agg = figure["weighted_aggregates"]
        rows.append(
            [key, names.get(key, "总指数" if key == OVERALL else key), figure["n"]]
            + [
                _round(figure[k])
                for k in ("mean", "low", "high", "weighted_mean", "weighted_low", "weighted_high")
            ]
            + [agg[k] for k in ("sw", "swy", "sw2", "sw2y", "sw2y2")]
        )
    return rows


def microdata_rows(session: Session, evaluation: Evaluation) -> list[list[Any]]:
    """Anonymised microdata, header first: one row per response (random order by random
    id), cell and scored answers only; open text is left out (it may name people), and
    rows of cells below the minimum group size have their cell hidden."""
    published_report(evaluation)
    questions = [q for q in questions_of(session, evaluation.id) if q.kind != "text"]
    rows = response_rows(session, evaluation.id)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.cell] = counts.get(row.cell, 0) + 1
    table: list[list[Any]] = [["cell", "seconds", *[q.key for q in questions]]]
    for row in rows:
        cell = row.cell if counts[row.cell] >= evaluation.min_group else "(small group)"
        table.append([cell, row.seconds, *[row.answers.get(q.key, "") for q in questions]])
    return table


def _round(value: float | None) -> Decimal | str:
    # Two decimals, as a number (a spreadsheet keeps it numeric; CSV shows "3.40").
    return "" if value is None else Decimal(f"{value:.2f}")
