"""How year-end satisfaction votes and evaluations attach to the items they judged.

The judging process calls :func:`attach_judgement` once per item and judging source;
calling it again returns the first judgement (idempotent, race-safe). A judgement
that asks for more work is shown on the item; the rectification itself enters the
plan as a new item through ``receive_item`` (SourceKind.RECTIFICATION or SATISFACTION).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from participation.errors import N_, DomainError
from participation.plan.delivery import get_item
from participation.plan.records import Judgement
from participation.plan.sources import SourceRecord


class JudgementKind(StrEnum):
    SATISFACTION = "satisfaction"  # 年终满意度测评
    EVALUATION = "evaluation"  # 第三方评估


JUDGEMENT_LABELS = {
    JudgementKind.SATISFACTION: N_("Year-end satisfaction vote"),
    JudgementKind.EVALUATION: N_("Third-party evaluation"),
}


@dataclass(frozen=True)
class JudgementOf:
    item_id: int
    kind: JudgementKind
    source_ref: str
    verdict: str
    # The record the verdict was reached in, and its id (e.g. "evaluation", 12).
    source_record: SourceRecord | None = None
    source_id: int | None = None
    needs_rectification: bool = False


def attach_judgement(session: Session, judged: JudgementOf, *, now: datetime) -> Judgement:
    """Attach a verdict to the item it judged; the same source twice yields one row."""
    get_item(session, judged.item_id)
    if not judged.verdict.strip() or not judged.source_ref.strip():
        raise DomainError("plan.judgement_invalid", N_("A judgement needs a verdict and a source."))

    def existing() -> Judgement | None:
        return session.scalar(
            select(Judgement).where(
                Judgement.item_id == judged.item_id,
                Judgement.kind == judged.kind.value,
                Judgement.source_ref == judged.source_ref,
            )
        )

    found = existing()
    if found is not None:
        return found
    row = Judgement(
        item_id=judged.item_id,
        kind=judged.kind.value,
        source_ref=judged.source_ref,
        source_record=judged.source_record or "",
        source_id=judged.source_id,
        verdict=judged.verdict.strip()[:200],
        needs_rectification=judged.needs_rectification,
        judged_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        again = existing()
        if again is None:
            raise
        return again
    return row


def judgements_of(session: Session, item_id: int) -> Sequence[Judgement]:
    return session.scalars(
        select(Judgement).where(Judgement.item_id == item_id).order_by(Judgement.judged_at)
    ).all()
