"""Responding: who may respond, save and continue, and the one stored response.

Invariants (as for secret ballots): one response per person (per roll entry,
or per invitation), also under concurrent submissions; a refused submission
stores nothing (no participation, no response, no quota place, no token use);
the stored response carries no person, time or order, and is readable only once
collection closes (it is stored sealed until then, see sealed.py); a full quota cell takes
no further response, decided by a guarded update so that two concurrent
submissions cannot both take its last place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultations.evaluations.models import (
    Evaluation,
    EvaluationParticipation,
    Invitation,
    Question,
    QuotaCell,
    ResponseDraft,
)
from consultations.evaluations.questionnaire import question_spec, questions_of
from consultations.evaluations.rules.answers import check_answer
from consultations.evaluations.rules.quotas import QuotaVerdict, age_band, cell_of, quota_verdict
from consultations.evaluations.sampling_plan import token_hash
from consultations.evaluations.sealed import open_draft, seal_draft, seal_response
from participation.areas import Area, get_area
from participation.errors import N_, DomainError
from participation.rolls import RollEntry

ANSWER_PROBLEMS = {
    "required": N_("Please answer this question."),
    "bad_choice": N_("Choose one of the offered answers."),
    "bad_number": N_("Enter a number."),
    "too_long": N_("The answer is too long (at most 2,000 characters)."),
}


@dataclass(frozen=True)
class Respondent:
    key: str  # "resident:<roll entry id>" or "token:<hash>"
    cell: str
    token_hash: str | None = None


def _require_collecting(evaluation: Evaluation) -> None:
    if evaluation.status != "collecting":
        raise DomainError(
            "evaluation.not_collecting",
            N_("This evaluation is not collecting responses."),
            status=409,
        )


def resident_respondent(
    session: Session, evaluation: Evaluation, account_id: int, today: date
) -> Respondent:
    """A verified resident of the evaluation's area."""
    if evaluation.access != "residents":
        raise DomainError(
            "evaluation.invitation_only",
            N_("This evaluation is by invitation: use the link you received."),
            status=403,
        )
    area = get_area(session, evaluation.area_id)
    row = session.execute(
        select(RollEntry.id, RollEntry.birth_date, Area.name, Area.path)
        .join(Area, Area.id == RollEntry.community_id)
        .where(RollEntry.account_id == account_id)
    ).first()
    if row is None:
        raise DomainError(
            "evaluation.not_verified",
            N_("Only verified residents may respond. Verify your account first."),
            status=403,
        )
    if not row.path.startswith(area.path):
        raise DomainError(
            "evaluation.outside_area",
            N_("This evaluation is for residents of another area."),
            status=403,
        )
    dims = tuple(d for d in evaluation.quota_dimensions.split(",") if d)
    cell = (
        cell_of({"community": row.name, "age": age_band(row.birth_date, today)}, dims)
        if dims
        else ""
    )
    return Respondent(f"resident:{row.id}", cell)


def token_respondent(
    session: Session, evaluation: Evaluation, token: str, now: datetime
) -> Respondent:
    if evaluation.access != "tokens":
        raise DomainError(
            "evaluation.no_tokens", N_("This evaluation does not use invitations."), status=403
        )
    digest = token_hash(token)
    invitation = session.get(Invitation, digest)
    if invitation is None or invitation.evaluation_id != evaluation.id:
        raise DomainError("evaluation.bad_token", N_("This invitation is not valid."), status=403)
    if invitation.used:
        raise DomainError(
            "evaluation.token_used", N_("This invitation has already been used."), status=409
        )
    if invitation.expires_at <= now:
        raise DomainError(
            "evaluation.token_expired", N_("This invitation has expired."), status=403
        )
    return Respondent(f"token:{digest}", invitation.cell, digest)


QUOTA_FULL = N_("Thank you, but the quota for your group (%(cell)s) is already full.")
NOT_IN_PLAN = N_("Thank you, but your group (%(cell)s) is not part of this evaluation's sample.")


def quota_refusal(
    session: Session, evaluation: Evaluation, respondent: Respondent
) -> DomainError | None:
    """Why the respondent's quota cell cannot take them now (None: it can), so that the
    page can say so before they answer; submission decides again, atomically."""
    cells = session.execute(
        select(QuotaCell.cell, QuotaCell.cap, QuotaCell.filled).where(
            QuotaCell.evaluation_id == evaluation.id
        )
    ).all()
    verdict = quota_verdict(
        respondent.cell, {c: cap for c, cap, _ in cells}, {c: filled for c, _, filled in cells}
    )
    if verdict is QuotaVerdict.OK:
        return None
    message = QUOTA_FULL if verdict is QuotaVerdict.FULL else NOT_IN_PLAN
    return DomainError(
        f"evaluation.quota_{verdict.value}",
        message,
        status=409,
        params={"cell": respondent.cell or "—"},
    )


def has_responded(session: Session, evaluation: Evaluation, respondent: Respondent) -> bool:
    key = {"evaluation_id": evaluation.id, "respondent_key": respondent.key}
    return session.get(EvaluationParticipation, key) is not None


def draft_of(
    session: Session, evaluation: Evaluation, respondent: Respondent
) -> ResponseDraft | None:
    return session.get(
        ResponseDraft, {"evaluation_id": evaluation.id, "respondent_key": respondent.key}
    )


def save_draft(
    session: Session,
    evaluation: Evaluation,
    respondent: Respondent,
    answers: Mapping[str, str],
    now: datetime,
) -> None:
    """Keep unfinished answers (unchecked: they are checked on submission)."""
    _require_collecting(evaluation)
    if has_responded(session, evaluation, respondent):
        raise DomainError(
            "evaluation.already_responded", N_("You have already responded."), status=409
        )
    keys = {q.key for q in questions_of(session, evaluation.id)}
    kept = {k: v[:2000] for k, v in answers.items() if k in keys}
    stored = seal_draft(session, evaluation.id, kept)
    draft = draft_of(session, evaluation, respondent)
    if draft is None:
        session.add(
            ResponseDraft(
                evaluation_id=evaluation.id,
                respondent_key=respondent.key,
                answers_json=stored,
                started_at=now,
            )
        )
    else:
        draft.answers_json = stored
    session.flush()


def draft_answers(evaluation: Evaluation, draft: ResponseDraft) -> dict[str, str]:
    """The answers a draft keeps (stored sealed)."""
    return open_draft(evaluation.id, draft.answers_json)


def check_answers(questions: Sequence[Question], answers: Mapping[str, str]) -> dict[str, str]:
    """Every answer normalised to a string, one per question ("" when skipped); raises
    with a message per question when any is not acceptable."""
    problems: dict[str, str] = {}
    clean: dict[str, str] = {}
    for row in questions:
        spec = question_spec(row)
        value = answers.get(row.key, "").strip()
        reason = check_answer(spec, value)
        if reason:
            problems[row.key] = ANSWER_PROBLEMS[reason]
        clean[row.key] = value
    if problems:
        raise DomainError(
            "evaluation.answers_invalid", N_("Some answers need your attention."), fields=problems
        )
    return clean


def submit_response(
    session: Session,
    evaluation: Evaluation,
    respondent: Respondent,
    answers: Mapping[str, str],
    *,
    now: datetime,
    started_at: datetime | None,
) -> None:
    """Store one response (see the module's invariants). Does not commit."""
    _require_collecting(evaluation)
    clean = check_answers(questions_of(session, evaluation.id), answers)
    draft = draft_of(session, evaluation, respondent)
    began = draft.started_at if draft is not None else started_at
    seconds = max(0, int((now - began).total_seconds())) if began else 0
    has_quotas = session.scalar(
        select(QuotaCell.id).where(QuotaCell.evaluation_id == evaluation.id).limit(1)
    )
    try:
        with session.begin_nested():
            session.add(
                EvaluationParticipation(evaluation_id=evaluation.id, respondent_key=respondent.key)
            )
            session.flush()
            if respondent.token_hash is not None:
                used = session.execute(
                    update(Invitation)
                    .where(
                        Invitation.token_hash == respondent.token_hash,
                        Invitation.used.is_(False),
                        Invitation.expires_at > now,
                    )
                    .values(used=True)
                )
                if used.rowcount != 1:  # type: ignore[attr-defined]
                    raise DomainError(
                        "evaluation.token_used",
                        N_("This invitation has expired or has already been used."),
                        status=409,
                    )
            if has_quotas is not None:
                taken = session.execute(
                    update(QuotaCell)
                    .where(
                        QuotaCell.evaluation_id == evaluation.id,
                        QuotaCell.cell == respondent.cell,
                        QuotaCell.filled < QuotaCell.cap,
                    )
                    .values(filled=QuotaCell.filled + 1)
                )
                if taken.rowcount != 1:  # type: ignore[attr-defined]
                    refusal = quota_refusal(session, evaluation, respondent)
                    raise refusal or DomainError(
                        "evaluation.quota_full",
                        QUOTA_FULL,
                        status=409,
                        params={"cell": respondent.cell},
                    )
            seal_response(session, evaluation.id, respondent.cell, clean, seconds)
            session.execute(
                update(Evaluation)
                .where(Evaluation.id == evaluation.id)
                .values(response_count=Evaluation.response_count + 1)
            )
            session.execute(
                delete(ResponseDraft).where(
                    ResponseDraft.evaluation_id == evaluation.id,
                    ResponseDraft.respondent_key == respondent.key,
                )
            )
            session.flush()
    except IntegrityError:
        raise DomainError(
            "evaluation.already_responded",
            N_("You have already responded to this evaluation."),
            status=409,
        ) from None
