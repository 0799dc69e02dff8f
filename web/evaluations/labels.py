"""Display names for evaluations (English msgids, translated where shown)."""

from __future__ import annotations

from typing import Any

from consultations.evaluations.rules.integrity import EXCLUSION_RULE
from consultations.evaluations.sampling_plan import ACCESS, DIMENSIONS, WEIGHTINGS
from participation.errors import N_

SUBJECT_KINDS = {
    "policy": N_("Service policy"),
    "service": N_("Public service"),
    "department": N_("Department"),
    "project": N_("Project"),
}
STATUSES = {
    "draft": N_("Draft"),
    "collecting": N_("Collecting responses"),
    "closed": N_("Closed, report in preparation"),
    "published": N_("Report published"),
}
ORG_STATUSES = {
    "pending": N_("Awaiting verification"),
    "verified": N_("Verified"),
    "rejected": N_("Rejected"),
}
QUESTION_KINDS = {
    "scale5": N_("Five-point scale"),
    "single": N_("Single choice"),
    "multi": N_("Multiple choice"),
    "number": N_("Numeric answer"),
    "text": N_("Open text"),
}
SCALE5 = [
    ("1", N_("Very dissatisfied")),
    ("2", N_("Dissatisfied")),
    ("3", N_("Neutral")),
    ("4", N_("Satisfied")),
    ("5", N_("Very satisfied")),
]
MEMBER_ROLES = {"admin": N_("Organization admin"), "evaluator": N_("Evaluator")}


def labels() -> dict[str, Any]:
    """Everything the evaluation templates name, in one context entry."""
    return {
        "subject_kinds": SUBJECT_KINDS,
        "statuses": STATUSES,
        "org_statuses": ORG_STATUSES,
        "question_kinds": QUESTION_KINDS,
        "scale5": SCALE5,
        "dimensions": DIMENSIONS,
        "weightings": WEIGHTINGS,
        "access": ACCESS,
        "member_roles": MEMBER_ROLES,
        "exclusion_rule": EXCLUSION_RULE,
    }
