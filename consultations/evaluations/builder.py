"""Creating an evaluation and moving it through its statuses.

Invariants: an evaluation opens only with a valid indicator tree, at least one
scored question, every scored question mapped to an indicator and a saved
sampling plan (see :mod:`.questionnaire` for the design rules); closing rewrites
its responses in key order (see :mod:`.storage`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from consultations.evaluations.models import Evaluation
from consultations.evaluations.questionnaire import (
    indicator_specs,
    indicators_of,
    question_spec,
    questions_of,
    require_draft,
)
from consultations.evaluations.rules.answers import question_problems
from consultations.evaluations.rules.weights import check_tree
from consultations.evaluations.sealed import open_responses
from consultations.evaluations.storage import scramble_storage
from participation import audit, departments
from participation.areas import Area, get_area
from participation.errors import N_, DomainError
from participation.notifying import audiences, kinds
from participation.notifying.fanout import fan_out
from participation.organizations.models import Organization
from participation.organizations.registry import require_member
from participation.plan.models import PlanItem

SUBJECT_KINDS = ("policy", "service", "department", "project")
STATUSES = ("draft", "collecting", "closed", "published")


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
    if len(new.conflict_declaration.strip()) < 4:
        fields["conflict_declaration"] = N_(
            "Declare any conflict of interest (or state that there is none)."
        )
    area = None
    try:
        area = get_area(session, new.area_id)
    except DomainError:
        fields["area_id"] = N_("Choose an area.")
    # The responsible department serves the evaluated area (the form offers those).
    department = departments.check_serving(session, new.department, area, "department", fields)
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
        department=department.name if department else "",
        department_id=department.id if department else None,
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
    if evaluation.access == "residents":  # token evaluations invite by their tokens
        area = session.get(Area, evaluation.area_id)
        assert area is not None
        fan_out(
            session,
            event=f"evaluation.invited:{evaluation.id}",
            kind="evaluation.invited",
            message=kinds.EVALUATION_INVITED,
            recipients=audiences.verified_residents(area.path),
            now=now,
            link=f"/evaluations/{evaluation.id}",
            params={"title": evaluation.title},
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
    open_responses(session, evaluation.id)
    scramble_storage(session, evaluation.id)
    audit.record(
        session, actor_id=actor_id, action="evaluation.closed", target=f"evaluation:{evaluation.id}"
    )
