"""Budget rounds and livelihood cycles set up through their services, and reading
the audit log, for the tests of both areas."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from participation.accounts import Account
from participation.audit import AuditEntry
from participation.budgets import services as budgets
from participation.budgets.rules import ProposalDraft
from participation.livelihood import services as livelihood
from participation.livelihood.models import LivelihoodCycle
from participation.livelihood.rules import CandidateDraft
from participation.rolls import Congress, DeputyEntry, RollEntry
from tests.support.world import World

#: The accounts of the deputies of the congress :func:`seed_cycle` creates.
DEPUTIES = ["deputy", "representative", "volunteer"]
#: When :func:`seed_cycle` moves its cycle on and signs deputies in.
CYCLE_NOW = datetime(2026, 1, 10, 2, 0, tzinfo=UTC)


def seed_round(engine: Engine, world: World) -> tuple[int, list[int]]:
    """A round in its proposal phase with two proposals of a verified resident."""
    people = world["people"]
    community = world["community"]
    with Session(engine, expire_on_commit=False) as s, s.begin():
        s.add(
            RollEntry(
                community_id=community.id,
                name="居民",
                id_hash="0" * 64,
                birth_date=date(1980, 1, 1),
                household_code="H0",
                account_id=people["resident"].id,
            )
        )
        budget_round = budgets.create_round(
            s,
            budgets.NewRound(community.id, 2026, "微实事", 100_000, "greedy", "residents"),
            None,
        )
        ids = [
            budgets.submit_proposal(
                s, budget_round, people["resident"].id, ProposalDraft(t, "说明", "广场", c, "居民")
            ).id
            for t, c in [("长者饭堂", 60_000), ("路灯改造", 30_000)]
        ]
    return budget_round.id, ids


def seed_cycle(engine: Engine, world: World, *, to_session: bool, year: int = 2026) -> int:
    """A cycle of a three-deputy congress with three projects for two places; with
    ``to_session``, screened and in session with two deputies signed in (a quorum)."""
    people = world["people"]
    district = world["district"]
    assert isinstance(people, dict)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        congress = Congress(area_id=district.id, term=1, session_number=1, name="会议")
        s.add(congress)
        s.flush()
        for n, login in enumerate(DEPUTIES):
            account: Account = people[login]
            s.add(
                DeputyEntry(
                    congress_id=congress.id,
                    name=f"代表{n}",
                    id_hash=f"{n:064d}",
                    account_id=account.id,
                )
            )
        cycle = livelihood.create_cycle(
            s, livelihood.NewCycle(congress.id, year, "民生实事", 2), None
        )
        listed = [
            livelihood.submit(
                s,
                cycle,
                CandidateDraft(
                    name, "b", "c", "区住建局", 100, "区财政", date(2026, 12, 31), "public"
                ),
                None,
            )
            for name in ("电梯", "食堂", "公园")
        ]
        if to_session:
            livelihood.advance(s, cycle, None, CYCLE_NOW)  # type: ignore[arg-type]
            for candidate in listed:
                livelihood.screen_candidate(s, candidate, "candidate", "", None, None)  # type: ignore[arg-type]
            livelihood.advance(s, cycle, None, CYCLE_NOW)  # type: ignore[arg-type]
            for login in DEPUTIES[:2]:
                livelihood.sign_in_deputy(s, cycle, people[login].id, CYCLE_NOW)
    return cycle.id


def rows_since(engine: Engine, last_id: int) -> list[AuditEntry]:
    with Session(engine) as s:
        return list(
            s.scalars(select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id))
        )


def last_row(engine: Engine) -> int:
    with Session(engine) as s:
        return max(s.scalars(select(AuditEntry.id)), default=0)


def cycle_in_session(s: Session, congress_id: int, actor_id: int, now: datetime) -> LivelihoodCycle:
    """A one-place cycle of the congress with two projects (甲, 乙), both put on the
    list by ``actor_id`` and moved on at ``now`` into the congress session."""
    cycle = livelihood.create_cycle(s, livelihood.NewCycle(congress_id, 2026, "民生实事", 1), None)
    for name in ("甲", "乙"):
        c = livelihood.submit(
            s,
            cycle,
            CandidateDraft(name, "b", "c", "局", 100, "财政", date(2026, 12, 31), "public"),
            None,
        )
        livelihood.screen_candidate(s, c, "candidate", "", None, actor_id)
    livelihood.advance(s, cycle, actor_id, now)
    livelihood.advance(s, cycle, actor_id, now)
    return cycle
