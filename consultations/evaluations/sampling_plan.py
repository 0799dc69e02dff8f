"""The sampling plan: who may respond, how many are needed, quota cells and invitations.

The population is the resident roll of the evaluation's area; quota cells are
drawn from it (community × age band, or one of them). Caps default to a
proportional allocation of the needed sample plus 10 %, and may be set by hand.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from consultations.evaluations.models import Evaluation, Invitation, QuotaCell
from consultations.evaluations.questionnaire import require_draft
from consultations.evaluations.rules.quotas import age_band, cell_of, parse_caps
from consultations.evaluations.rules.sampling import sample_size
from participation import audit
from participation.areas import Area, get_area
from participation.errors import N_, DomainError
from participation.rolls import RollEntry

DIMENSIONS = {"community": N_("Community"), "age": N_("Age band")}
WEIGHTINGS = {
    "none": N_("No weighting"),
    "post-stratification": N_("Post-stratification on the quota cells"),
    "raking": N_("Raking to the roll's margins (weights trimmed to 0.3–3)"),
}
ACCESS = {"residents": N_("Verified residents of the area"), "tokens": N_("Single-use invitations")}
CAP_SLACK = 1.1


@dataclass(frozen=True)
class PlanInput:
    access: str
    confidence: str  # "0.90" | "0.95" | "0.99"
    margin_percent: str
    response_rate_percent: str
    dimensions: tuple[str, ...]
    weighting: str
    caps_text: str = ""  # "cell = cap" per line; empty: proportional


def roll_cells(
    session: Session, evaluation: Evaluation, dimensions: tuple[str, ...], today: date
) -> Counter[str]:
    """People on the roll in the evaluation's area, per quota cell."""
    area = get_area(session, evaluation.area_id)
    rows = session.execute(
        select(Area.name, RollEntry.birth_date)
        .join(RollEntry, RollEntry.community_id == Area.id)
        .where(Area.path.startswith(area.path))
    ).all()
    return Counter(
        cell_of({"community": name, "age": age_band(born, today)}, dimensions)
        for name, born in rows
    )


def _share(text: str, low: float, high: float) -> float | None:
    try:
        value = float(text.strip().rstrip("%")) / 100
    except ValueError:
        return None
    return value if low <= value <= high else None


def set_plan(
    session: Session, evaluation: Evaluation, plan: PlanInput, actor_id: int, today: date
) -> list[QuotaCell]:
    """Save the plan and its quota cells (replacing earlier ones)."""
    require_draft(evaluation)
    fields: dict[str, str] = {}
    if plan.access not in ACCESS:
        fields["access"] = N_("Choose who may respond.")
    if plan.confidence not in ("0.90", "0.95", "0.99"):
        fields["confidence"] = N_("Choose a confidence level.")
    margin = _share(plan.margin_percent, 0.01, 0.2)
    if margin is None:
        fields["margin"] = N_("Enter a margin of error between 1 and 20 percent.")
    rate = _share(plan.response_rate_percent, 0.05, 1.0)
    if rate is None:
        fields["response_rate"] = N_("Enter an expected response rate between 5 and 100 percent.")
    if any(d not in DIMENSIONS for d in plan.dimensions):
        fields["dimensions"] = N_("Choose quota dimensions from the list.")
    if plan.weighting not in WEIGHTINGS:
        fields["weighting"] = N_("Choose a weighting method.")
    if plan.weighting != "none" and not plan.dimensions:
        fields["weighting"] = N_("Weighting needs at least one quota dimension.")
    if fields:
        raise DomainError(
            "evaluation.plan_invalid", N_("Please correct the marked fields."), fields=fields
        )
    assert margin is not None and rate is not None
    population = roll_cells(session, evaluation, plan.dimensions, today)
    total = sum(population.values())
    size = sample_size(
        confidence=float(plan.confidence),
        margin=margin,
        population=total or None,
        response_rate=rate,
    )
    caps: dict[str, int] = {}
    if plan.dimensions and plan.caps_text.strip():
        parsed = parse_caps(plan.caps_text)
        if parsed is None:
            raise DomainError(
                "evaluation.caps",
                N_("Write each quota cell as: cell = cap."),
                fields={"caps": N_("Write each quota cell as: cell = cap.")},
            )
        caps = parsed
    elif plan.dimensions and total:
        caps = {
            cell: math.ceil(size.needed * n / total * CAP_SLACK) for cell, n in population.items()
        }
    evaluation.access = plan.access
    evaluation.confidence_permille = round(float(plan.confidence) * 1000)
    evaluation.margin_permille = round(margin * 1000)
    evaluation.response_rate_permille = round(rate * 1000)
    evaluation.population = total
    evaluation.target_sample = size.needed
    evaluation.quota_dimensions = ",".join(plan.dimensions)
    evaluation.weighting = plan.weighting
    session.execute(delete(QuotaCell).where(QuotaCell.evaluation_id == evaluation.id))
    cells = [
        QuotaCell(
            evaluation_id=evaluation.id, cell=cell, cap=cap, population=population.get(cell, 0)
        )
        for cell, cap in sorted(caps.items())
    ]
    session.add_all(cells)
    session.flush()
    audit.record(
        session, actor_id=actor_id, action="evaluation.plan", target=f"evaluation:{evaluation.id}"
    )
    return cells


def quota_cells(session: Session, evaluation_id: int) -> list[QuotaCell]:
    return list(
        session.scalars(
            select(QuotaCell)
            .where(QuotaCell.evaluation_id == evaluation_id)
            .order_by(QuotaCell.cell)
        )
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def issue_invitations(
    session: Session,
    evaluation: Evaluation,
    *,
    count: int,
    days: int,
    cell: str,
    actor_id: int,
    now: datetime,
) -> list[str]:
    """New single-use tokens (returned once, stored only as hashes)."""
    if evaluation.status not in ("draft", "collecting"):
        raise DomainError("evaluation.closed", N_("Responses are no longer collected."), status=409)
    if not 1 <= count <= 5000 or not 1 <= days <= 365:
        raise DomainError(
            "evaluation.invitations",
            N_("Issue between 1 and 5,000 invitations, valid for 1 to 365 days."),
            fields={"count": N_("Issue between 1 and 5,000 invitations, valid for 1 to 365 days.")},
        )
    cells = {c.cell for c in quota_cells(session, evaluation.id)}
    if cells and cell not in cells:
        raise DomainError(
            "evaluation.invitation_cell",
            N_("Choose the quota cell the invited people belong to."),
            fields={"cell": N_("Choose the quota cell the invited people belong to.")},
        )
    tokens = [secrets.token_urlsafe(12) for _ in range(count)]
    session.add_all(
        Invitation(
            token_hash=token_hash(t),
            evaluation_id=evaluation.id,
            cell=cell,
            expires_at=now + timedelta(days=days),
        )
        for t in tokens
    )
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="evaluation.invitations",
        target=f"evaluation:{evaluation.id}",
        count=count,
    )
    return tokens
