"""Who may cast a ballot in a box, and under which key one-person-one-vote is kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from participation.rules.areas import is_within


class Roll(StrEnum):
    RESIDENTS = "residents"  # verified residents of the area, one vote each
    HOUSEHOLDS = "households"  # one vote per household (户代表)
    DEPUTIES = "deputies"  # the deputies of one congress session
    REPRESENTATIVES = "representatives"  # the deliberation representatives of the area


@dataclass(frozen=True)
class VoterFacts:
    """What the roll says about one account (gathered by the service layer)."""

    account_id: int
    community_path: str | None = None  # verified residents only
    household_code: str | None = None
    congress_ids: frozenset[int] = frozenset()
    representative_paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class BoxScope:
    roll: Roll
    area_path: str
    opens_at: datetime
    closes_at: datetime
    congress_id: int | None = None


@dataclass(frozen=True)
class Eligibility:
    voter_key: str | None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


def assess(voter: VoterFacts, box: BoxScope, now: datetime) -> Eligibility:
    """Decide whether ``voter`` may vote in ``box`` at ``now``.

    The voter key identifies the counted unit: the account for personal rolls,
    the household for household votes, so two members of one household share
    one key and only the first ballot counts. Reasons: ``not_open``, ``closed``,
    ``not_verified``, ``outside_area``, ``not_deputy``, ``not_representative``.
    Invariant: the box is open on ``[opens_at, closes_at)``.
    """
    if now < box.opens_at:
        return Eligibility(None, "not_open")
    if now >= box.closes_at:
        return Eligibility(None, "closed")
    if box.roll is Roll.DEPUTIES:
        if box.congress_id is None or box.congress_id not in voter.congress_ids:
            return Eligibility(None, "not_deputy")
        return Eligibility(f"account:{voter.account_id}")
    if box.roll is Roll.REPRESENTATIVES:
        if not any(
            is_within(box.area_path, p) or is_within(p, box.area_path)
            for p in voter.representative_paths
        ):
            return Eligibility(None, "not_representative")
        return Eligibility(f"account:{voter.account_id}")
    if voter.community_path is None:
        return Eligibility(None, "not_verified")
    if not is_within(voter.community_path, box.area_path):
        return Eligibility(None, "outside_area")
    if box.roll is Roll.HOUSEHOLDS:
        return Eligibility(f"household:{voter.household_code}")
    return Eligibility(f"account:{voter.account_id}")
