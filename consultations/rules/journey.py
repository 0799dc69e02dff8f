"""Pure rules of the consultation journey: text limits, thresholds, quorum, windows, stages.

Plain values in, a reason code (or a verdict) out; ``now`` is always passed in.
Reason codes map to translatable messages in :mod:`consultations.messages`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

STATEMENT_MAX = 140  # opinion statements are short, as in Pol.is
TITLE_MAX = 100
POST_MAX = 2000
REASON_MAX = 500


def text_problem(text: str, maximum: int, minimum: int = 1) -> str | None:
    """``empty`` or ``too_long`` for a text outside ``[minimum, maximum]`` characters."""
    length = len(text.strip())
    if length < minimum:
        return "empty"
    if length > maximum:
        return "too_long"
    return None


def reaches_threshold(cosigners: int, threshold: int) -> bool:
    """A topic goes to triage once its co-signatures (proposer included) reach the threshold."""
    return cosigners >= max(1, threshold)


def quorum_needed(roster_size: int, numerator: int, denominator: int) -> int:
    """Smallest attendance that is at least ``numerator/denominator`` of the roster.

    Invariant: integer arithmetic only; ``quorum_needed(9, 2, 3) == 6``,
    ``quorum_needed(10, 2, 3) == 7``.
    """
    if denominator <= 0 or numerator < 0:
        raise ValueError("a quorum is a non-negative fraction")
    return -(-roster_size * numerator // denominator)


def quorum_met(present: int, roster_size: int, numerator: int, denominator: int) -> bool:
    return roster_size > 0 and present >= quorum_needed(roster_size, numerator, denominator)


def window_problem(opens_at: datetime, closes_at: datetime, now: datetime) -> str | None:
    """``not_open`` / ``closed`` outside ``[opens_at, closes_at)``."""
    if now < opens_at:
        return "not_open"
    if now >= closes_at:
        return "closed"
    return None


def objection_problem(
    notice_starts_at: datetime | None, notice_ends_at: datetime | None, now: datetime
) -> str | None:
    """Objections are accepted only while the resolution is on public notice."""
    if notice_starts_at is None or notice_ends_at is None:
        return "not_on_notice"
    if now >= notice_ends_at:
        return "notice_over"
    if now < notice_starts_at:
        return "not_on_notice"
    return None


def finality_problem(
    notice_ends_at: datetime | None, unanswered_objections: int, now: datetime
) -> str | None:
    """A resolution becomes final after its notice period, with every objection answered."""
    if notice_ends_at is None:
        return "not_on_notice"
    if now < notice_ends_at:
        return "notice_running"
    if unanswered_objections:
        return "unanswered_objections"
    return None


class Stage(StrEnum):
    ANNOUNCED = "announced"  # 已发布预告
    DELIBERATING = "deliberating"  # 协商进行中
    VOTING = "voting"  # 表决中
    REJECTED = "rejected"  # 未通过
    NOTICE = "notice"  # 公示中
    AWAITING_FINAL = "awaiting_final"  # 公示期满，待确认
    FINAL = "final"  # 已生效


@dataclass(frozen=True)
class StageFacts:
    meets_at: datetime
    deliberation_opens_at: datetime
    box_id: int | None
    passed: bool | None
    notice_ends_at: datetime | None
    final_at: datetime | None


def stage(facts: StageFacts, now: datetime) -> Stage:
    """Where a consultation stands; later milestones win over earlier ones."""
    if facts.final_at is not None:
        return Stage.FINAL
    if facts.notice_ends_at is not None:
        return Stage.NOTICE if now < facts.notice_ends_at else Stage.AWAITING_FINAL
    if facts.passed is False:
        return Stage.REJECTED
    if facts.box_id is not None:
        return Stage.VOTING
    if now < min(facts.meets_at, facts.deliberation_opens_at):
        return Stage.ANNOUNCED
    return Stage.DELIBERATING
