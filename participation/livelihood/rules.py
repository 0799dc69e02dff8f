"""Pure rules of congress cycles on livelihood projects: phases, the candidate
check, the competitive-list (差额) and quorum checks.

Plain values in, results with reasons out; no database, no web.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from participation.errors import N_


class CyclePhase(StrEnum):
    SOLICITATION = "solicitation"
    SCREENING = "screening"
    SESSION = "session"
    RESULTS = "results"
    EVALUATION = "evaluation"
    CLOSED = "closed"


CYCLE_PHASES = list(CyclePhase)
CYCLE_PHASE_LABELS = {
    CyclePhase.SOLICITATION: N_("Soliciting projects"),
    CyclePhase.SCREENING: N_("Screening"),
    CyclePhase.SESSION: N_("Congress session"),
    CyclePhase.RESULTS: N_("Results in public notice, delivery"),
    CyclePhase.EVALUATION: N_("Year-end satisfaction vote"),
    CyclePhase.CLOSED: N_("Closed"),
}


SUBMITTER_KINDS = ("public", "organization", "deputy")
SUBMITTER_LABELS = {
    "public": N_("Member of the public"),
    "organization": N_("Organization"),
    "deputy": N_("Deputy"),
}


@dataclass(frozen=True)
class CandidateDraft:
    name: str
    background: str
    content: str
    department: str
    funds_yuan: int
    funds_source: str
    complete_by: date
    submitter_kind: str


@dataclass(frozen=True)
class Competitiveness:
    candidates: int
    places: int
    needed: int
    ok: bool


def competitive_list(candidates: int, places: int, extra_percent: int) -> Competitiveness:
    """Is the candidate list competitive enough (差额) to go to the vote?

    The list needs at least ``places × (100 + extra_percent) / 100`` candidates,
    rounded up, and always more candidates than places. Invariant: ``ok`` never
    holds with ``candidates <= places``.
    """
    needed = max(places + 1, -(-places * (100 + extra_percent) // 100))
    return Competitiveness(candidates, places, needed, candidates >= needed)


@dataclass(frozen=True)
class Quorum:
    expected: int  # 应到
    present: int  # 实到
    needed: int  # more than half of those expected
    reached: bool


def quorum(expected: int, present: int) -> Quorum:
    """The session may vote when more than half of all its deputies are present."""
    needed = expected // 2 + 1
    return Quorum(expected, present, needed, expected > 0 and present >= needed)
