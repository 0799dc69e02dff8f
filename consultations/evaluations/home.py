"""Evaluations on the personal home: those collecting responses from a
community's residents (and whether the person has responded), what waits for
organizations and departments, and the surveys a person answered (my activity).
Each function is one or two statements whatever the data size."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Boolean, ScalarSelect, Select, String, bindparam, func, literal, select
from sqlalchemy.orm import Session

from consultations.evaluations.models import (
    DepartmentResponse,
    Evaluation,
    EvaluationParticipation,
)
from participation.areas import Area
from participation.organizations.models import OrgMember
from participation.rules.reach import lineage
from participation.scopes import under_any


@dataclass(frozen=True)
class InvitingEvaluation:
    id: int
    title: str
    area_name: str
    #: Whether the person has responded; None for visitors.
    responded: bool | None


def _respondent_key(roll_entry_id: int) -> str:
    return f"resident:{roll_entry_id}"  # as responding.resident_respondent


@cache
def _inviting_statement(limit: int, *, personal: bool) -> Select[int, str, str, bool | None]:
    """``inviting``'s statement, built once per shape with the lineage and the
    respondent's key as parameters (building it cost more CPU than running it)."""
    responded = (
        select(EvaluationParticipation.evaluation_id)
        .where(
            EvaluationParticipation.evaluation_id == Evaluation.id,
            EvaluationParticipation.respondent_key == bindparam("respondent", type_=String),
        )
        .exists()
        if personal
        else literal(None, type_=Boolean)
    )
    return (
        select(Evaluation.id, Evaluation.title, Area.name, responded)
        .join(Area, Area.id == Evaluation.area_id)
        .where(
            Evaluation.status == "collecting",
            Evaluation.access == "residents",
            Area.path.in_(bindparam("lineage", expanding=True)),
        )
        .order_by(Evaluation.id.desc())
        .limit(limit)
    )


def inviting(
    session: Session, community_path: str, roll_entry_id: int | None, limit: int = 10
) -> list[InvitingEvaluation]:
    """Evaluations open to the verified residents of the community (by its area or
    one above it) that collect responses now; ``responded`` for a verified resident
    (``roll_entry_id``), None otherwise. One statement (the response is looked up
    beside each row, through the participation's unique key)."""
    personal = roll_entry_id is not None
    params: dict[str, object] = {"lineage": lineage(community_path)}
    if roll_entry_id is not None:
        params["respondent"] = _respondent_key(roll_entry_id)
    rows = session.execute(_inviting_statement(limit, personal=personal), params)
    return [
        InvitingEvaluation(id_, title, name, bool(done) if personal else None)
        for id_, title, name, done in rows
    ]


def reports_to_publish(session: Session, account_id: int) -> int:
    """Closed evaluations of the person's organizations whose report waits to be published."""
    return session.scalar(select(reports_to_publish_count(account_id))) or 0


def reports_to_publish_count(account_id: int) -> ScalarSelect[int]:
    """``reports_to_publish`` as a scalar subquery (the to-do list counts in one statement)."""
    return (
        select(func.count())
        .select_from(Evaluation)
        .join(OrgMember, OrgMember.org_id == Evaluation.org_id)
        .where(OrgMember.account_id == account_id, Evaluation.status == "closed")
        .scalar_subquery()
    )


def responses_owed(session: Session, paths: Sequence[str] | None) -> int:
    """Published evaluations within ``paths`` still without the department's answer."""
    return session.scalar(select(responses_owed_count(paths))) or 0


def responses_owed_count(paths: Sequence[str] | None) -> ScalarSelect[int]:
    """``responses_owed`` as a scalar subquery (the to-do list counts in one statement)."""
    return (
        select(func.count())
        .select_from(Evaluation)
        .join(Area, Area.id == Evaluation.area_id)
        .outerjoin(DepartmentResponse, DepartmentResponse.evaluation_id == Evaluation.id)
        .where(
            Evaluation.status == "published",
            DepartmentResponse.evaluation_id.is_(None),
            under_any(Area.path, paths),
        )
        .scalar_subquery()
    )


def answered_surveys(
    session: Session, roll_entry_id: int, offset: int, limit: int
) -> tuple[list[Evaluation], int]:
    """Evaluations the verified resident (``roll_entry_id``) answered, newest
    first, and how many (that they answered, never what)."""
    where = EvaluationParticipation.respondent_key == _respondent_key(roll_entry_id)
    total = (
        session.scalar(select(func.count()).select_from(EvaluationParticipation).where(where)) or 0
    )
    rows = session.scalars(
        select(Evaluation)
        .join(EvaluationParticipation, EvaluationParticipation.evaluation_id == Evaluation.id)
        .where(where)
        .order_by(Evaluation.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), total
