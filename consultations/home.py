"""Consultations on the personal home: those of a community and the areas above
it with their stage, what waits for the people who run them (topics to triage,
objections to answer), and a person's own topics, co-signatures and posts (my
activity). Each function is one or two statements whatever the data size."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import BindParameter, ScalarSelect, Select, bindparam, func, or_, select
from sqlalchemy.orm import Session

from consultations.models import Consultation, Cosignature, Objection, Post, Topic
from consultations.rules.journey import Stage, StageFacts, stage
from participation.areas import Area
from participation.rules.reach import lineage
from participation.scopes import under_any

#: A consultation that became final stays on the home this long.
RECENT = timedelta(days=30)


@dataclass(frozen=True)
class ConsultationStage:
    id: int
    title: str
    meets_at: datetime
    stage: Stage
    area_name: str


@cache
def _consultations_statement(
    limit: int,
) -> Select[
    int, str, datetime, datetime, int | None, bool | None, datetime | None, datetime | None, str
]:
    """``community_consultations``' statement, built once with the lineage and the
    time as parameters (building it cost more CPU than running it)."""
    since: BindParameter[datetime] = bindparam("since")
    return (
        select(
            Consultation.id,
            Consultation.title,
            Consultation.meets_at,
            Consultation.deliberation_opens_at,
            Consultation.box_id,
            Consultation.passed,
            Consultation.notice_ends_at,
            Consultation.final_at,
            Area.name,
        )
        .join(Area, Area.id == Consultation.area_id)
        .where(
            Area.path.in_(bindparam("lineage", expanding=True)),
            or_(Consultation.final_at.is_(None), Consultation.final_at >= since),
        )
        .order_by(Consultation.meets_at.desc(), Consultation.id.desc())
        .limit(limit)
    )


def community_consultations(
    session: Session, community_path: str, now: datetime, limit: int = 10
) -> list[ConsultationStage]:
    """Consultations of the community or an area above it that are under way, or
    became final in the last 30 days, the latest meeting first."""
    rows = session.execute(
        _consultations_statement(limit),
        {"lineage": lineage(community_path), "since": now - RECENT},
    )
    return [
        ConsultationStage(
            id_,
            title,
            meets_at,
            stage(StageFacts(meets_at, opens_at, box_id, passed, notice_ends_at, final_at), now),
            name,
        )
        for id_, title, meets_at, opens_at, box_id, passed, notice_ends_at, final_at, name in rows
    ]


def topics_to_triage(session: Session, paths: Sequence[str] | None) -> int:
    """Topics that reached their threshold and wait for a decision, within ``paths``."""
    return session.scalar(select(topics_to_triage_count(paths))) or 0


def topics_to_triage_count(paths: Sequence[str] | None) -> ScalarSelect[int]:
    """``topics_to_triage`` as a scalar subquery (the to-do list counts in one statement)."""
    return (
        select(func.count())
        .select_from(Topic)
        .join(Area, Area.id == Topic.area_id)
        .where(Topic.status == "triage", under_any(Area.path, paths))
        .scalar_subquery()
    )


def objections_to_answer(session: Session, paths: Sequence[str] | None) -> int:
    """Objections to a resolution on public notice not answered yet, within ``paths``."""
    return session.scalar(select(objections_to_answer_count(paths))) or 0


def objections_to_answer_count(paths: Sequence[str] | None) -> ScalarSelect[int]:
    """``objections_to_answer`` as a scalar subquery (the to-do list counts in one statement)."""
    return (
        select(func.count())
        .select_from(Objection)
        .join(Consultation, Consultation.id == Objection.consultation_id)
        .join(Area, Area.id == Consultation.area_id)
        .where(Objection.answered_at.is_(None), under_any(Area.path, paths))
        .scalar_subquery()
    )


def my_topics(
    session: Session, account_id: int, offset: int, limit: int
) -> tuple[list[Topic], int]:
    """Topics the person proposed, newest first, and how many."""
    where = Topic.proposer_id == account_id
    total = session.scalar(select(func.count()).select_from(Topic).where(where)) or 0
    rows = session.scalars(
        select(Topic).where(where).order_by(Topic.id.desc()).offset(offset).limit(limit)
    ).all()
    return list(rows), total


def my_cosignatures(
    session: Session, account_id: int, offset: int, limit: int
) -> tuple[list[tuple[Cosignature, Topic]], int]:
    """The topics the person co-signed (proposals of others), newest first, and how many."""
    where = (Cosignature.account_id == account_id, Topic.proposer_id != account_id)
    base = select(Cosignature, Topic).join(Topic, Topic.id == Cosignature.topic_id).where(*where)
    total = (
        session.scalar(
            select(func.count())
            .select_from(Cosignature)
            .join(Topic, Topic.id == Cosignature.topic_id)
            .where(*where)
        )
        or 0
    )
    rows = session.execute(base.order_by(Cosignature.id.desc()).offset(offset).limit(limit)).all()
    return [(c, t) for c, t in rows], total


def my_posts(
    session: Session, account_id: int, offset: int, limit: int
) -> tuple[list[tuple[Post, str]], int]:
    """The person's posts in consultations (with the consultation's title),
    newest first, and how many."""
    where = Post.author_id == account_id
    total = session.scalar(select(func.count()).select_from(Post).where(where)) or 0
    rows = session.execute(
        select(Post, Consultation.title)
        .join(Consultation, Consultation.id == Post.consultation_id)
        .where(where)
        .order_by(Post.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return [(p, t) for p, t in rows], total
