"""Building an evaluation: subject, indicators, questionnaire and status.

Invariants: indicators, questions and the plan change only while the
evaluation is a draft; the indicator tree is replaced whole, and only when
every level sums to 1; every scored question maps to an indicator; an
evaluation opens only with a valid tree and at least one scored question.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from consultations.evaluations.models import Evaluation, Indicator, Organization, Question
from consultations.evaluations.organizations import require_member
from consultations.evaluations.rules.answers import (
    Option,
    QuestionKind,
    QuestionSpec,
    question_problems,
)
from consultations.evaluations.rules.weights import IndicatorSpec, check_tree, parse_permille
from participation import audit
from participation.areas import get_area
from participation.errors import N_, DomainError
from participation.plan.models import PlanItem

SUBJECT_KINDS = ("policy", "service", "department", "project")
STATUSES = ("draft", "collecting", "closed", "published")
KEY = re.compile(r"^[A-Za-z0-9_.-]{1,20}$")

QUESTION_PROBLEMS = {
    "no_indicator": N_("Every scored question must belong to an indicator."),
    "unknown_indicator": N_("Choose one of the evaluation's indicators."),
    "few_options": N_("Give at least two options, one per line."),
    "score_range": N_("Option scores must be between 0 and 100."),
    "number_range": N_("Give the number that scores 0 and the one that scores 100."),
}


@dataclass(frozen=True)
class NewEvaluation:
    title: str
    subject_kind: str
    subject: str
    department: str
    area_id: int
    conflict_declaration: str
    previous_id: int | None = None
    plan_item_id: int | None = None


def create_evaluation(
    session: Session, org: Organization, new: NewEvaluation, actor_id: int
) -> Evaluation:
    require_member(session, org, actor_id)
    fields: dict[str, str] = {}
    if not new.title.strip() or len(new.title) > 200:
        fields["title"] = N_("Enter a title of at most 200 characters.")
    if new.subject_kind not in SUBJECT_KINDS:
        fields["subject_kind"] = N_("Choose what is evaluated.")
    if not new.subject.strip():
        fields["subject"] = N_("Name the policy, service, department or project evaluated.")
    if not new.department.strip():
        fields["department"] = N_("Name the responsible department.")
    if len(new.conflict_declaration.strip()) < 4:
        fields["conflict_declaration"] = N_(
            "Declare any conflict of interest (or state that there is none)."
        )
    try:
        get_area(session, new.area_id)
    except DomainError:
        fields["area_id"] = N_("Choose an area.")
    if new.previous_id is not None and session.get(Evaluation, new.previous_id) is None:
        fields["previous_id"] = N_("No such evaluation.")
    if new.plan_item_id is not None and session.get(PlanItem, new.plan_item_id) is None:
        fields["plan_item_id"] = N_("No such governance plan item.")
    if fields:
        raise DomainError(
            "evaluation.invalid", N_("Please correct the marked fields."), fields=fields
        )
    evaluation = Evaluation(
        org_id=org.id,
        area_id=new.area_id,
        title=new.title.strip(),
        subject_kind=new.subject_kind,
        subject=new.subject.strip(),
        department=new.department.strip(),
        conflict_declaration=new.conflict_declaration.strip(),
        previous_id=new.previous_id,
        plan_item_id=new.plan_item_id,
        created_by=actor_id,
    )
    session.add(evaluation)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="evaluation.created",
        target=f"evaluation:{evaluation.id}",
    )
    return evaluation


def get_evaluation(session: Session, evaluation_id: int) -> Evaluation:
    evaluation = session.get(Evaluation, evaluation_id)
    if evaluation is None:
        raise DomainError("evaluation.not_found", N_("No such evaluation."), status=404)
    return evaluation


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


def design_problems(session: Session, evaluation: Evaluation) -> list[str]:
    """Why the evaluation cannot open yet (messages), [] when it can."""
    specs = indicator_specs(indicators_of(session, evaluation.id))
    questions = [question_spec(q) for q in questions_of(session, evaluation.id)]
    problems = []
    if not specs or check_tree(specs):
        problems.append(N_("The indicator weights must sum to 1 at every level."))
    if not any(q.scored for q in questions):
        problems.append(N_("Add at least one scored question."))
    keys = {s.key for s in specs}
    if any(question_problems(q, keys) for q in questions):
        problems.append(N_("Every scored question must belong to an indicator."))
    if evaluation.target_sample <= 0:
        problems.append(N_("Save the sampling plan first."))
    return problems


def open_evaluation(session: Session, evaluation: Evaluation, actor_id: int, now: datetime) -> None:
    require_draft(evaluation)
    problems = design_problems(session, evaluation)
    if problems:
        raise DomainError("evaluation.not_ready", problems[0])
    evaluation.status, evaluation.opened_at = "collecting", now
    audit.record(
        session, actor_id=actor_id, action="evaluation.opened", target=f"evaluation:{evaluation.id}"
    )


def close_evaluation(
    session: Session, evaluation: Evaluation, actor_id: int, now: datetime
) -> None:
    if evaluation.status != "collecting":
        raise DomainError(
            "evaluation.not_collecting",
            N_("The evaluation is not collecting responses."),
            status=409,
        )
    evaluation.status, evaluation.closed_at = "closed", now
    from consultations.evaluations.responding import scramble_storage  # responding imports us

    scramble_storage(session, evaluation.id)
    audit.record(
        session, actor_id=actor_id, action="evaluation.closed", target=f"evaluation:{evaluation.id}"
    )
