"""Where responses are kept: rewritten in key order once collection closes."""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from consultations.evaluations.models import EvaluationParticipation, EvaluationResponse


def scramble_storage(session: Session, evaluation_id: int) -> None:
    """Rewrite the evaluation's participations and responses in key order.

    PostgreSQL appends rows in insertion order, so an untouched table would list
    responses in the order they came, next to participations in the same order.
    Re-inserting both sorted by their keys (respondent key; random response id)
    leaves only key order, as for ballots (participation/ballots/closing.py).
    On SQLite the tables have no rowid and are kept in key order already.
    """
    for model, key in (
        (EvaluationParticipation, EvaluationParticipation.respondent_key),
        (EvaluationResponse, EvaluationResponse.id),
    ):
        table = model.__table__
        rows = [
            dict(r._mapping)
            for r in session.execute(
                select(table).where(table.c.evaluation_id == evaluation_id).order_by(key)
            )
        ]
        session.execute(delete(model).where(model.evaluation_id == evaluation_id))
        if rows:
            session.execute(insert(model), rows)
    session.flush()
