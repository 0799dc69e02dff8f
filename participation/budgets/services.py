"""Community budget rounds (社区微实事): moving through the phases, voting in the
ballot engine, results under both rules, funded projects onto the plan.

Services take the session and never commit. The service API of budget rounds
is re-exported here, so the web layer imports one module.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import audit, departments
from participation.areas import Area
from participation.ballots.boxes import NewBox, NewItem, create_box, get_box
from participation.ballots.closing import publish
from participation.ballots.models import BallotBox
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.counting import count_bulletin
from participation.ballots.rules.eligibility import Roll
from participation.budgets.models import BudgetRound, Proposal
from participation.budgets.proposals import (
    PHOTO_MAX_BYTES,
    ProposalPage,
    ProposalView,
    Screening,
    comment,
    comments_of,
    comments_page,
    get_proposal,
    notify,
    photo_of,
    proposal_view,
    proposals_of,
    proposals_page,
    screen,
    submit_proposal,
    support,
)
from participation.budgets.rounds import (
    NewRound,
    create_round,
    get_round,
    page_of_rounds,
    round_ref,
    round_with_box,
    rounds,
    rounds_after,
    rounds_with_areas,
)
from participation.budgets.rules import ENGINE_RULES, ROUND_PHASES, RoundPhase, other_rule
from participation.errors import N_, DomainError
from participation.notifying import audiences, kinds
from participation.notifying.fanout import fan_out
from participation.plan.intake import ItemFromSource, items_for_sources, receive_item
from participation.plan.models import PlanItem
from participation.plan.sources import SourceKind
from participation.rules.phases import next_phase

__all__ = [
    "PHOTO_MAX_BYTES",
    "NewRound",
    "ProposalPage",
    "ProposalView",
    "Results",
    "Screening",
    "advance",
    "comment",
    "comments_of",
    "comments_page",
    "create_round",
    "fund_winners",
    "get_proposal",
    "get_round",
    "notify",
    "page_of_rounds",
    "photo_of",
    "plan_items_of",
    "proposal_view",
    "proposals_of",
    "proposals_page",
    "results",
    "round_ref",
    "round_with_box",
    "rounds",
    "rounds_after",
    "rounds_with_areas",
    "screen",
    "submit_proposal",
    "support",
]


def advance(
    session: Session,
    budget_round: BudgetRound,
    actor_id: int,
    now: datetime,
    closes_at: datetime | None = None,
    expected: str | None = None,
    *,
    ip: str = "",
) -> str:
    """Move the round to its next phase and do what that phase needs.

    ``expected`` is the phase the person saw: a second click (or a second
    worker) finds the round moved on and is refused instead of skipping a phase.
    The move is audited here, once (``budget.round_phase``, from ``ip``).

    screening: no more proposals. voting: every proposal must be screened and at
    least two accepted; opens a ballot box until ``closes_at``. results: the box
    is counted and published (only after it closed) and funded projects become
    plan items. delivery: the round is done. Returns the new phase.
    """
    # Concurrent requests on one round queue here (PostgreSQL row lock; SQLite
    # write transactions are serial already) and see each other's phase.
    session.flush()  # refresh would drop unflushed changes of this transaction
    session.refresh(budget_round, with_for_update=True)
    if expected is not None and budget_round.phase != expected:
        raise DomainError(
            "round.moved_on", N_("The round has already moved on; reload the page."), status=409
        )
    target = next_phase([p.value for p in ROUND_PHASES], budget_round.phase)
    if target is None:
        raise DomainError("round.finished", N_("This round is finished."), status=409)
    if target == RoundPhase.VOTING.value:
        _open_voting(session, budget_round, actor_id, now, closes_at)
    elif target == RoundPhase.RESULTS.value:
        _publish_results(session, budget_round, actor_id, now)
    budget_round.phase = target
    fan_out(
        session,
        event=f"budget.round_phase:{budget_round.id}:{target}",
        kind="budget.round_phase",
        message=kinds.ROUND_MOVED_ON,
        recipients=audiences.followers("budget_round", budget_round.id),
        now=now,
        link=f"/budgets/{budget_round.id}",
        params={"title": budget_round.title},
    )
    audit.record(
        session,
        actor_id=actor_id,
        action="budget.round_phase",
        target=round_ref(budget_round),
        ip=ip,
        phase=target,
    )
    return target


def _open_voting(
    session: Session,
    budget_round: BudgetRound,
    actor_id: int,
    now: datetime,
    closes_at: datetime | None,
) -> None:
    views = proposals_of(session, budget_round)
    pending = [v.proposal.title for v in views if v.proposal.status == "submitted"]
    if pending:
        raise DomainError(
            "round.unscreened",
            N_("Screen every proposal before voting: %(titles)s"),
            params={"titles": "、".join(pending)},
        )
    accepted = [v.proposal for v in views if v.proposal.status == "accepted"]
    if len(accepted) < 2:
        raise DomainError("round.too_few", N_("At least two accepted proposals are needed."))
    if closes_at is None or closes_at <= now:
        raise DomainError(
            "round.closes_at",
            N_("Voting must close after it opens."),
            fields={"closes_at": N_("Voting must close after it opens.")},
        )
    area = session.get(Area, budget_round.area_id)
    assert area is not None
    box = create_box(
        session,
        NewBox(
            title=budget_round.title,
            area=area,
            roll=Roll(budget_round.roll),
            opens_at=now,
            closes_at=closes_at,
            form=BallotForm(
                FormKind.BUDGET,
                min_choices=1,
                max_choices=budget_round.max_choices,
                budget=budget_round.budget_yuan,
                min_share=Fraction(budget_round.min_share_percent, 100)
                if budget_round.min_share_percent
                else None,
            ),
            rule={"rule": ENGINE_RULES[budget_round.rule], "budget": budget_round.budget_yuan},
            items=[
                NewItem(p.title, p.final_cost, p.description[:500], key=f"p{p.id}")
                for p in accepted
            ],
            description=budget_round.description,
        ),
        actor_id,
    )
    budget_round.box_id = box.id


def _publish_results(
    session: Session, budget_round: BudgetRound, actor_id: int, now: datetime
) -> None:
    assert budget_round.box_id is not None
    box = get_box(session, budget_round.box_id)
    if box.published_at is None:
        if now < box.closes_at:
            raise DomainError(
                "round.still_voting",
                N_("Voting is open until %(closes)s; results come after it closes."),
                params={"closes": box.closes_at.strftime("%Y-%m-%d %H:%M UTC")},
                status=409,
            )
        publish(session, box, now)
    budget_round.other_tally_json = json.dumps(
        _recount_other(box, budget_round), ensure_ascii=False, sort_keys=True
    )
    fund_winners(session, budget_round, box, actor_id)


def fund_winners(
    session: Session, budget_round: BudgetRound, box: BallotBox, actor_id: int | None
) -> list[int]:
    """Every funded project becomes a plan item (idempotent per proposal)."""
    tally = box.tally
    assert tally is not None, "funded from a published box"
    funded = set(tally["selected"])
    area = session.get(Area, budget_round.area_id)
    # The community (its residents' committee) delivers its own micro projects: the one
    # department placed in that area when there is exactly one, else the area's name.
    committee = departments.sole_department_of(session, budget_round.area_id)
    area_name = committee.name if committee else area.name if area else ""
    items = []
    for proposal in session.scalars(select(Proposal).where(Proposal.round_id == budget_round.id)):
        if f"p{proposal.id}" not in funded:
            continue
        item = receive_item(
            session,
            ItemFromSource(
                area_id=budget_round.area_id,
                year=budget_round.year,
                title=proposal.title,
                source_kind=SourceKind.COMMUNITY_BUDGET,
                source_ref=f"budget_proposal:{proposal.id}",
                source_id=proposal.id,
                description=proposal.description,
                owner_department=area_name,
                budget_yuan=proposal.final_cost,
                starts_on=date(budget_round.year, 1, 1),
                due_on=date(budget_round.year, 12, 31),
            ),
            actor_id=actor_id,
        )
        notify(
            session,
            proposal.author_id,
            N_("Your proposal “%(title)s” was funded."),
            f"/budgets/proposals/{proposal.id}",
            {"title": proposal.title},
        )
        items.append(item.id)
    return items


def plan_items_of(session: Session, keys: Iterable[str]) -> dict[str, PlanItem]:
    """The plan items that funded proposals became, by ballot key ("p12"), in one
    query; a key whose proposal is not on the plan is left out."""
    refs = {f"budget_proposal:{key.removeprefix('p')}": key for key in keys}
    return items_for_sources(session, SourceKind.COMMUNITY_BUDGET, refs)


def _recount_other(box: BallotBox, budget_round: BudgetRound) -> dict[str, Any]:
    """The published bulletin's ballots counted under the round's other rule: reads
    every ballot (the bulletin), so it runs once, at publication; rounds published
    before that was stored are recounted on demand."""
    bulletin = json.loads(box.bulletin_json or "{}")
    header = dict(bulletin["box"])
    header["rule"] = dict(header["rule"]) | {"rule": ENGINE_RULES[other_rule(budget_round.rule)]}
    ballots = bulletin["ballots"]
    return dict(
        count_bulletin(
            header, [b["content"] for b in ballots], [b["source"] != "online" for b in ballots]
        )
    )


@dataclass(frozen=True)
class Results:
    tally: dict[str, Any]
    other: dict[str, Any]
    other_rule: str


def results(
    session: Session,
    budget_round: BudgetRound,
    cache: MutableMapping[str, Results] | None = None,
) -> Results | None:
    """The published tally and, from the same ballots, the tally under the other rule.

    The other rule's tally is stored at publication (``other_tally_json``), so
    no ballot is read here; a round published before it was stored is recounted
    from the bulletin. ``cache`` (keyed by the bulletin's root hash, which never
    changes) keeps either per process.
    """
    if budget_round.box_id is None:
        return None
    box = get_box(session, budget_round.box_id)
    if not box.bulletin_root:
        return None
    if cache is not None and box.bulletin_root in cache:
        return cache[box.bulletin_root]  # the bulletin (every ballot) is not even read
    alternative = other_rule(budget_round.rule)
    stored = session.scalar(
        select(BudgetRound.other_tally_json).where(BudgetRound.id == budget_round.id)
    )
    tally = box.tally
    assert tally is not None, "a published box has its tally"
    other = json.loads(stored) if stored else _recount_other(box, budget_round)
    found = Results(tally, other, alternative)
    if cache is not None:
        if len(cache) > 100:
            cache.clear()
        cache[box.bulletin_root] = found
    return found
