"""Responses and drafts kept sealed: nothing a respondent answered is readable
from the database files next to who they are.

Submitting a response writes the respondent's participation in the same
transaction, so the response is stored only sealed (:class:`SealedResponse`)
and opened into :class:`EvaluationResponse` when collection closes: all at
once, shuffled, under fresh random ids. Nothing reads responses before then
(scores, reports and microdata need a closed evaluation; the count shown while
collecting is the count of participations). Drafts, which are tied to a person
by design, keep their answers sealed too.

Every sealed plaintext is padded to the evaluation's largest possible answers
(:func:`sealed_size`), so the length of a ciphertext says nothing of its answers.

Invariants: a response is never lost or doubled (its sealed row is deleted in
the transaction that inserts it opened); opened responses carry no person, time
or order.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from consultations.evaluations.models import EvaluationResponse, Question, SealedResponse
from consultations.evaluations.questionnaire import question_spec, questions_of
from consultations.evaluations.rules.answers import QuestionKind
from participation import sealing
from participation.ballots.rules.mixing import answers_bound, shuffled

#: The longest answer kept, in characters (open text, and anything in a draft).
LONGEST_ANSWER = 2000
_DRAFT_PREFIX = "sealed:"
_rng = secrets.SystemRandom()


def _limits(questions: Sequence[Question]) -> dict[str, int]:
    """Longest answer per question, in characters."""
    limits = {}
    for row in questions:
        spec = question_spec(row)
        if spec.kind is QuestionKind.SCALE5:
            limits[row.key] = 1
        elif spec.kind is QuestionKind.SINGLE:
            limits[row.key] = max((len(o.key) for o in spec.options), default=0)
        elif spec.kind is QuestionKind.MULTI:
            limits[row.key] = sum(len(o.key) + 1 for o in spec.options)
        else:  # numbers and open text
            limits[row.key] = LONGEST_ANSWER if spec.kind is QuestionKind.TEXT else 40
    return limits


def sealed_size(session: Session, evaluation_id: int) -> int:
    """Padded plaintext size of the evaluation's sealed responses and drafts: the
    largest answers JSON and an envelope (cell, seconds), in 64-byte blocks."""
    bound = answers_bound(_limits(questions_of(session, evaluation_id))) + 512
    return -(-bound // 64) * 64


def _response_purpose(evaluation_id: int) -> str:
    return f"evaluation-response:{evaluation_id}"


def _draft_purpose(evaluation_id: int) -> str:
    return f"evaluation-draft:{evaluation_id}"


def _encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True).encode()


def seal_response(
    session: Session, evaluation_id: int, cell: str, answers: Mapping[str, str], seconds: int
) -> None:
    payload = _encode({"cell": cell, "answers": dict(answers), "seconds": seconds})
    session.execute(
        insert(SealedResponse).values(
            id=secrets.token_hex(16),
            evaluation_id=evaluation_id,
            sealed=sealing.seal(
                _response_purpose(evaluation_id), payload, sealed_size(session, evaluation_id)
            ),
        )
    )


def open_responses(session: Session, evaluation_id: int) -> int:
    """Open every sealed response of the evaluation (at close); returns how many."""
    rows = session.execute(
        select(SealedResponse.id, SealedResponse.sealed).where(
            SealedResponse.evaluation_id == evaluation_id
        )
    ).all()
    if not rows:
        return 0
    purpose = _response_purpose(evaluation_id)
    opened = [json.loads(sealing.open_or_refuse(purpose, row.sealed)) for row in rows]
    session.execute(delete(SealedResponse).where(SealedResponse.evaluation_id == evaluation_id))
    session.execute(
        insert(EvaluationResponse),
        [
            {
                "id": secrets.token_hex(16),
                "evaluation_id": evaluation_id,
                "cell": r["cell"],
                "answers_json": json.dumps(r["answers"], ensure_ascii=False, sort_keys=True),
                "seconds": r["seconds"],
            }
            for r in shuffled(opened, _rng)
        ],
    )
    return len(opened)


def seal_draft(session: Session, evaluation_id: int, answers: Mapping[str, str]) -> str:
    """The stored form of a draft's answers."""
    sealed = sealing.seal(
        _draft_purpose(evaluation_id), _encode(dict(answers)), sealed_size(session, evaluation_id)
    )
    return _DRAFT_PREFIX + base64.b64encode(sealed).decode()


def open_draft(evaluation_id: int, stored: str) -> dict[str, str]:
    """A draft's answers (drafts saved before sealing are plain JSON; a draft
    sealed under another secret key reads as empty)."""
    if not stored.startswith(_DRAFT_PREFIX):
        return dict(json.loads(stored))
    sealed = base64.b64decode(stored.removeprefix(_DRAFT_PREFIX))
    try:
        return dict(json.loads(sealing.unseal(_draft_purpose(evaluation_id), sealed)))
    except sealing.SealingError:
        return {}  # sealed under an earlier secret key: the respondent starts afresh
