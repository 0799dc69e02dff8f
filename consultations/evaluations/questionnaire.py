"""The indicator tree and the questionnaire of an evaluation, while it is a draft.

Invariants: both change only while the evaluation is a draft; the indicator tree
is replaced whole, and only when every level sums to 1; every scored question
maps to an indicator of the tree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from consultations.evaluations.models import Evaluation, Indicator, Question
from consultations.evaluations.rules.answers import (
    Option,
    QuestionKind,
    QuestionSpec,
    question_problems,
)
from consultations.evaluations.rules.weights import IndicatorSpec, check_tree, parse_permille
from participation import audit
from participation.errors import N_, DomainError

KEY = re.compile(r"^[A-Za-z0-9_.-]{1,20}$")

QUESTION_PROBLEMS = {
    "no_indicator": N_("Every scored question must belong to an indicator."),
    "unknown_indicator": N_("Choose one of the evaluation's indicators."),
    "few_options": N_("Give at least two options, one per line."),
    "score_range": N_("Option scores must be between 0 and 100."),
    "number_range": N_("Give the number that scores 0 and the one that scores 100."),
}


def require_draft(evaluation: Evaluation) -> None:
    if evaluation.status != "draft":
        raise DomainError(
            "evaluation.not_draft",
            N_("The evaluation is no longer a draft: its design cannot change."),
            status=409,
        )


def indicators_of(session: Session, evaluation_id: int) -> Sequence[Indicator]:
    return session.scalars(
        select(Indicator)
        .where(Indicator.evaluation_id == evaluation_id)
        .order_by(Indicator.position)
    ).all()


def questions_of(session: Session, evaluation_id: int) -> Sequence[Question]:
    return session.scalars(
        select(Question).where(Question.evaluation_id == evaluation_id).order_by(Question.position)
    ).all()


def indicator_specs(rows: Sequence[Indicator]) -> list[IndicatorSpec]:
    return [IndicatorSpec(i.key, i.parent_key, i.weight) for i in rows]


def question_spec(row: Question) -> QuestionSpec:
    options = tuple(Option(k, label, score) for k, label, score in json.loads(row.options_json))
    return QuestionSpec(
        row.key, QuestionKind(row.kind), row.indicator_key, options, row.low, row.high, row.required
    )


@dataclass(frozen=True)
class IndicatorLine:
    key: str
    name: str
    weight_text: str
    parent: str | None


def parse_indicator_lines(text: str) -> list[IndicatorLine]:
    """'key | name | weight | parent key' per line (parent optional)."""
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.replace("｜", "|").split("|")]
        if len(parts) not in (3, 4) or not KEY.match(parts[0]) or not parts[1]:
            raise DomainError(
                "evaluation.indicator_line",
                N_("Line %(line)s: write key | name | weight | parent key (parent optional)."),
                fields={
                    "indicators": N_(
                        "Write one indicator per line: key | name | weight | parent key."
                    )
                },
                params={"line": number},
            )
        lines.append(
            IndicatorLine(
                parts[0], parts[1], parts[2], (parts[3] or None) if len(parts) == 4 else None
            )
        )
    return lines


def set_indicators(
    session: Session, evaluation: Evaluation, text: str, actor_id: int
) -> list[Indicator]:
    """Replace the indicator tree; refused (nothing stored) unless every level sums to 1."""
    require_draft(evaluation)
    lines = parse_indicator_lines(text)
    specs = []
    for line in lines:
        weight = parse_permille(line.weight_text)
        if weight is None:
            raise DomainError(
                "evaluation.weight_unreadable",
                N_("The weight of %(key)s is not readable: write a decimal such as 0.25, or 250‰."),
                fields={
                    "indicators": N_(
                        "Write weights as decimals such as 0.25, or per-mille such as 250‰."
                    )
                },
                params={"key": line.key},
            )
        specs.append(IndicatorSpec(line.key, line.parent, weight))
    problems = check_tree(specs)
    if problems:
        first = problems[0]
        if first.reason == "sum":
            message = (
                N_("The weights of the top-level indicators add up to %(total)s, not 1.")
                if first.parent is None
                else N_("The weights under %(parent)s add up to %(total)s, not 1.")
            )
        elif first.reason == "empty":
            message = N_("Add at least one indicator.")
        elif first.reason == "duplicate":
            message = N_("Each indicator needs its own key.")
        elif first.reason == "unknown_parent":
            message = N_("An indicator names a parent key that does not exist: %(parent)s.")
        else:
            message = N_("Weights cannot be negative and the tree cannot loop.")
        raise DomainError(
            f"evaluation.weights_{first.reason}",
            message,
            fields={"indicators": message},
            params={"total": f"{first.total / 1000:g}", "parent": first.parent or ""},
        )
    used = {q.indicator_key for q in questions_of(session, evaluation.id) if q.indicator_key} - {
        s.key for s in specs
    }
    if used:
        message = N_(
            "Questions still use indicator %(key)s; keep it or change those questions first."
        )
        raise DomainError(
            "evaluation.indicator_in_use",
            message,
            fields={"indicators": message},
            params={"key": sorted(used)[0]},
        )
    session.execute(delete(Indicator).where(Indicator.evaluation_id == evaluation.id))
    rows = [
        Indicator(
            evaluation_id=evaluation.id,
            key=line.key,
            parent_key=line.parent,
            name=line.name,
            weight=spec.weight,
            position=position,
        )
        for position, (line, spec) in enumerate(zip(lines, specs, strict=True))
    ]
    session.add_all(rows)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="evaluation.indicators",
        target=f"evaluation:{evaluation.id}",
    )
    return rows


@dataclass(frozen=True)
class NewQuestion:
    text: str
    kind: str
    indicator: str
    options_text: str = ""  # "label = score" per line (score optional)
    low: str = ""
    high: str = ""
    required: bool = True


def _options(text: str) -> tuple[list[Option], str | None]:
    options = []
    for n, raw in enumerate(line for line in text.splitlines() if line.strip()):
        label, _, score_text = raw.replace("＝", "=").partition("=")
        score: float | None = None
        if score_text.strip():
            try:
                score = float(score_text.strip())
            except ValueError:
                return [], N_("Write each option as: label = score (the score is optional).")
        options.append(Option(f"o{n + 1}", label.strip(), score))
    return options, None


def add_question(
    session: Session, evaluation: Evaluation, new: NewQuestion, actor_id: int
) -> Question:
    """Add a question at the end; refused (nothing stored) when it is not sound."""
    require_draft(evaluation)
    fields: dict[str, str] = {}
    text = new.text.strip()
    if not text or len(text) > 300:
        fields["text"] = N_("Enter the question (at most 300 characters).")
    try:
        kind = QuestionKind(new.kind)
    except ValueError:
        fields["kind"] = N_("Choose a question type.")
        kind = QuestionKind.TEXT
    options, option_problem = (
        _options(new.options_text)
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTI)
        else ([], None)
    )
    if option_problem:
        fields["options"] = option_problem
    low = high = None
    if kind is QuestionKind.NUMBER:
        try:
            low, high = float(new.low), float(new.high)
        except ValueError:
            fields["low"] = QUESTION_PROBLEMS["number_range"]
    indicator = new.indicator.strip() or None
    keys = {i.key for i in indicators_of(session, evaluation.id)}
    count = (
        session.scalar(
            select(func.count())
            .select_from(Question)
            .where(Question.evaluation_id == evaluation.id)
        )
        or 0
    )
    spec = QuestionSpec(f"q{count + 1}", kind, indicator, tuple(options), low, high, new.required)
    for problem in question_problems(spec, keys):
        field = {
            "no_indicator": "indicator",
            "unknown_indicator": "indicator",
            "number_range": "low",
        }.get(problem, "options")
        fields.setdefault(field, QUESTION_PROBLEMS[problem])
    if fields:
        first = next(iter(fields.values()))
        raise DomainError("evaluation.question_invalid", first, fields=fields)
    row = Question(
        evaluation_id=evaluation.id,
        key=spec.key,
        position=count,
        text=text,
        kind=kind.value,
        indicator_key=indicator,
        options_json=json.dumps([[o.key, o.label, o.score] for o in options], ensure_ascii=False),
        low=low,
        high=high,
        required=new.required,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="evaluation.question_added",
        target=f"evaluation:{evaluation.id}",
    )
    return row


def remove_question(
    session: Session, evaluation: Evaluation, question_id: int, actor_id: int
) -> None:
    require_draft(evaluation)
    row = session.get(Question, question_id)
    if row is None or row.evaluation_id != evaluation.id:
        raise DomainError("evaluation.no_question", N_("No such question."), status=404)
    session.delete(row)
    audit.record(
        session,
        actor_id=actor_id,
        action="evaluation.question_removed",
        target=f"evaluation:{evaluation.id}",
    )


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator as the report shows it: its depth in the tree, its weight in the
    overall index (the product of the weights on its path) and its figure, if any."""

    row: Indicator
    depth: int
    effective: float
    figure: Mapping[str, Any] | None


def indicator_tree(
    session: Session, evaluation_id: int, figures: Mapping[str, Any]
) -> list[IndicatorRow]:
    """The indicator tree in display order (each parent before its children), with
    ``figures`` (a report's, by indicator key) attached."""
    by_parent: dict[str | None, list[Indicator]] = {}
    for row in indicators_of(session, evaluation_id):
        by_parent.setdefault(row.parent_key, []).append(row)
    ordered: list[IndicatorRow] = []

    def walk(parent: str | None, depth: int, share: float) -> None:
        for row in by_parent.get(parent, []):
            effective = share * row.weight / 1000
            ordered.append(IndicatorRow(row, depth, effective, figures.get(row.key)))
            walk(row.key, depth + 1, effective)

    walk(None, 0, 1.0)
    return ordered
