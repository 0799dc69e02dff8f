"""Organizations, evaluations and what is stored of a response.

Secrecy: who responded (:class:`EvaluationParticipation`) and what was answered
(:class:`EvaluationResponse`) live in separate tables with no shared key, no
timestamp and no insertion order (random or respondent-derived primary keys,
no rowid on SQLite), as for secret ballots. A response carries only its quota
cell (a published sample dimension), never the person. Submitting writes the
participation and the response in one transaction, so the response is written
there only sealed (:class:`SealedResponse`, under a key that is not in the
database) and opened into :class:`EvaluationResponse`, shuffled, when collection
closes (see sealed.py). A draft (save and continue) does link a person to
unfinished answers: its answers are sealed too, it is deleted when the response
is submitted, and no page shows drafts to the organization.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from participation import accounts as _accounts  # noqa: F401  (tables our keys refer to)
from participation import areas as _areas  # noqa: F401
from participation import departments
from participation.db import Base, utcnow
from participation.organizations import models as _organizations  # noqa: F401
from participation.plan import models as _plan  # noqa: F401


class Evaluation(Base):
    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("eval_organizations.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    subject_kind: Mapped[str] = mapped_column(String(20))  # policy|service|department|project
    subject: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(120))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    plan_item_id: Mapped[int | None] = mapped_column(ForeignKey("plan_items.id"))
    # A re-evaluation names the evaluation whose rectification it checks.
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("evaluations.id"))
    conflict_declaration: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    # Who may respond: "residents" (verified, in the area) or "tokens" (invitations).
    access: Mapped[str] = mapped_column(String(12), default="residents")
    # Sampling plan: shares in per-mille, population from the roll when saved.
    confidence_permille: Mapped[int] = mapped_column(default=950)
    margin_permille: Mapped[int] = mapped_column(default=50)
    response_rate_permille: Mapped[int] = mapped_column(default=500)
    population: Mapped[int] = mapped_column(default=0)
    target_sample: Mapped[int] = mapped_column(default=0)
    quota_dimensions: Mapped[str] = mapped_column(String(60), default="")  # "community,age"
    weighting: Mapped[str] = mapped_column(String(24), default="raking")
    min_group: Mapped[int] = mapped_column(default=30)
    findings: Mapped[str] = mapped_column(Text, default="")
    # How many have responded: one more with each participation stored, in the same
    # transaction (responding.submit_response), so pages never count the ledger.
    response_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    published_at: Mapped[datetime | None] = mapped_column()
    # The scores frozen at publication, with the aggregates that recompute them.
    report_json: Mapped[str | None] = mapped_column(Text)


class Indicator(Base):
    __tablename__ = "eval_indicators"
    __table_args__ = (UniqueConstraint("evaluation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), index=True)
    key: Mapped[str] = mapped_column(String(20))
    parent_key: Mapped[str | None] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    weight: Mapped[int] = mapped_column()  # per-mille of its parent
    position: Mapped[int] = mapped_column()


class Question(Base):
    __tablename__ = "eval_questions"
    __table_args__ = (UniqueConstraint("evaluation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), index=True)
    key: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column()
    text: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10))
    indicator_key: Mapped[str | None] = mapped_column(String(20))
    options_json: Mapped[str] = mapped_column(Text, default="[]")  # [[key, label, score|null]]
    low: Mapped[float | None] = mapped_column()
    high: Mapped[float | None] = mapped_column()
    required: Mapped[bool] = mapped_column(default=True)


class QuotaCell(Base):
    """A cell of the sample with its cap; ``filled`` only grows, by a guarded update."""

    __tablename__ = "eval_quota_cells"
    __table_args__ = (UniqueConstraint("evaluation_id", "cell"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), index=True)
    cell: Mapped[str] = mapped_column(String(120))
    cap: Mapped[int] = mapped_column()
    filled: Mapped[int] = mapped_column(default=0)
    population: Mapped[int] = mapped_column(default=0)  # people of the roll in the cell


class Invitation(Base):
    """A single-use, expiring invitation; only the token's hash is stored."""

    __tablename__ = "eval_invitations"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), index=True)
    cell: Mapped[str] = mapped_column(String(120), default="")
    expires_at: Mapped[datetime] = mapped_column()
    used: Mapped[bool] = mapped_column(default=False)


class EvaluationParticipation(Base):
    """That a respondent key has responded: the one-response-per-person record."""

    __tablename__ = "eval_participations"
    __table_args__ = {"sqlite_with_rowid": False}

    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), primary_key=True)
    respondent_key: Mapped[str] = mapped_column(String(80), primary_key=True)


class EvaluationResponse(Base):
    """What was answered, under a random id; no person, no time."""

    __tablename__ = "eval_responses"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), index=True)
    cell: Mapped[str] = mapped_column(String(120), default="")
    answers_json: Mapped[str] = mapped_column(Text)  # {question key: [codes]}
    seconds: Mapped[int] = mapped_column()  # time taken, for the speeding flag


class SealedResponse(Base):
    """A submitted response not yet opened: cell, answers and time taken, sealed
    under the evaluation's key (participation.sealing); opened when it closes."""

    __tablename__ = "eval_sealed_responses"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class ResponseDraft(Base):
    """Save and continue: unfinished answers (sealed, see sealed.py), deleted on
    submission."""

    __tablename__ = "eval_drafts"

    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), primary_key=True)
    respondent_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    answers_json: Mapped[str] = mapped_column(Text, default="{}")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)


class DepartmentResponse(Base):
    __tablename__ = "eval_department_responses"

    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    responded_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    responded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Rectification(Base):
    """A demanded fix (整改); each is also a governance plan item."""

    __tablename__ = "eval_rectifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    owner_department: Mapped[str] = mapped_column(String(120))
    owner_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id"), index=True
    )
    due_on: Mapped[date] = mapped_column(Date)
    evidence: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="open")  # open|done
    plan_item_id: Mapped[int | None] = mapped_column(ForeignKey("plan_items.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Panel(Base):
    """A panel review (大众评审) of projects by an expert track and a public track."""

    __tablename__ = "eval_panels"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("eval_organizations.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    expert_weight: Mapped[int] = mapped_column()  # per-mille; public = 1000 − expert
    status: Mapped[str] = mapped_column(String(12), default="draft")  # draft|scoring|closed
    # Recorded at the draw: the random seed and the order it yields (JSON list of ids).
    draw_seed: Mapped[str | None] = mapped_column(String(64))
    drawn_at: Mapped[datetime | None] = mapped_column()
    created_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PanelProject(Base):
    __tablename__ = "eval_panel_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("eval_panels.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(120), default="")
    place: Mapped[int | None] = mapped_column()  # presentation order, from the draw
    # The governance plan item this completed project delivered; judged when scoring closes.
    plan_item_id: Mapped[int | None] = mapped_column(ForeignKey("plan_items.id"))


class PanelMember(Base):
    __tablename__ = "eval_panel_members"
    __table_args__ = (UniqueConstraint("panel_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("eval_panels.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    track: Mapped[str] = mapped_column(String(10))  # expert|public


class PanelRecusal(Base):
    __tablename__ = "eval_panel_recusals"
    __table_args__ = (UniqueConstraint("member_id", "project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("eval_panel_members.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("eval_panel_projects.id"))
    reason: Mapped[str] = mapped_column(String(300))


class PanelScoreRow(Base):
    """One member's score of one project; never replaced (unique per member and project)."""

    __tablename__ = "eval_panel_scores"
    __table_args__ = (UniqueConstraint("member_id", "project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("eval_panel_members.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("eval_panel_projects.id"), index=True)
    score: Mapped[int] = mapped_column()


departments.refers(Evaluation, Evaluation.department_id, Evaluation.department)
departments.refers(Rectification, Rectification.owner_department_id, Rectification.owner_department)
