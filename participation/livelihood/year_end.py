"""The year-end satisfaction vote of a cycle: deputies grade each adopted project;
a dissatisfied grade opens a rectification item under the project's plan item."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from participation.areas import Area
from participation.ballots.boxes import NewBox, NewItem, create_box, get_box
from participation.ballots.models import BallotBox
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from participation.errors import N_, DomainError
from participation.livelihood.models import LivelihoodCandidate, LivelihoodCycle
from participation.livelihood.session import adopted_of, publish_if_closed, tally_of
from participation.plan.intake import (
    ItemFromSource,
    item_for_source,
    items_for_sources,
    receive_item,
)
from participation.plan.judgements import JudgementKind, JudgementOf, attach_judgement
from participation.plan.models import PlanItem
from participation.plan.sources import SourceKind


def open_satisfaction(
    session: Session,
    cycle: LivelihoodCycle,
    actor_id: int,
    now: datetime,
    closes_at: datetime | None,
) -> None:
    adopted = adopted_of(session, cycle)
    if not adopted:
        raise DomainError("cycle.nothing_adopted", N_("No project was adopted."), status=409)
    if closes_at is None or closes_at <= now:
        raise DomainError(
            "cycle.closes_at",
            N_("Voting must close after it opens."),
            fields={"closes_at": N_("Voting must close after it opens.")},
        )
    area = session.get(Area, cycle.area_id)
    assert area is not None
    box = create_box(
        session,
        NewBox(
            title=f"{cycle.title} · 满意度测评",
            area=area,
            roll=Roll.DEPUTIES,
            congress_id=cycle.congress_id,
            opens_at=now,
            closes_at=closes_at,
            form=BallotForm(FormKind.SATISFACTION),
            rule={
                "rule": "satisfaction",
                "base": cycle.satisfaction_base,
                "half": cycle.satisfaction_half,
            },
            items=[
                NewItem(c.name, c.funds_yuan, c.department, key=c.ballot_key or f"c{c.id}")
                for c in adopted
            ],
        ),
        actor_id,
    )
    cycle.satisfaction_box_id = box.id


RECTIFICATION_DAYS = 90


def publish_satisfaction(
    session: Session, cycle: LivelihoodCycle, actor_id: int, now: datetime
) -> None:
    assert cycle.satisfaction_box_id is not None
    box = get_box(session, cycle.satisfaction_box_id)
    publish_if_closed(session, box, now)
    judge_items(session, cycle, box, now)
    rectify(session, cycle, box, actor_id, now.date() + timedelta(days=RECTIFICATION_DAYS))


#: The grades as the result sheet states them (the tally keeps English msgids); a
#: judgement's verdict is stored text, in the portal's default language.
GRADE_WORDS = {
    "Satisfied": "满意",
    "Basically satisfied": "基本满意",
    "Dissatisfied": "不满意",
    "Abstain": "弃权",
}


def satisfaction_verdict(outcome: str, detail: Sequence[Sequence[Any]]) -> str:
    """ "基本满意（满意 12，基本满意 5，不满意 3，弃权 1）": the grade, then every count
    in the tally's order (``detail`` is the tally row's ``[[label, count], ...]``)."""
    counts = "，".join(f"{GRADE_WORDS.get(str(k), k)} {n}" for k, n in detail)
    return f"{GRADE_WORDS.get(outcome, outcome)}（{counts}）"


def judge_items(session: Session, cycle: LivelihoodCycle, box: BallotBox, now: datetime) -> int:
    """Attach each adopted project's grade to its plan item (once per vote, idempotent).

    Returns how many items were judged; a project that never became a plan item
    is skipped (there is nothing to attach to).
    """
    tally = tally_of(box)
    assert tally is not None
    by_key = {c.ballot_key: c for c in adopted_of(session, cycle)}
    judged = 0
    for row in tally["rows"]:
        candidate = by_key.get(row["key"])
        if candidate is None:
            continue
        item = item_for_source(
            session, SourceKind.LIVELIHOOD_PROJECT, f"livelihood_candidate:{candidate.id}"
        )
        if item is None:
            continue
        attach_judgement(
            session,
            JudgementOf(
                item_id=item.id,
                kind=JudgementKind.SATISFACTION,
                source_ref=f"ballot:{box.id}",
                source_record="livelihood_cycle",
                source_id=cycle.id,
                verdict=satisfaction_verdict(row["outcome"], row.get("detail") or []),
                needs_rectification=not row["selected"],
            ),
            now=now,
        )
        judged += 1
    return judged


def rectify(
    session: Session, cycle: LivelihoodCycle, box: BallotBox, actor_id: int | None, due_on: date
) -> list[int]:
    """Each project graded dissatisfied opens a rectification item under its plan item,
    owned by its department and due on ``due_on``."""
    tally = tally_of(box)
    assert tally is not None
    by_key = {c.ballot_key: c for c in adopted_of(session, cycle)}
    items = []
    for row in tally["rows"]:
        if row["selected"]:
            continue
        candidate = by_key[row["key"]]
        parent = item_for_source(
            session, SourceKind.LIVELIHOOD_PROJECT, f"livelihood_candidate:{candidate.id}"
        )
        item = receive_item(
            session,
            ItemFromSource(
                area_id=cycle.area_id,
                year=due_on.year,
                title=f"整改：{candidate.name}"[:200],
                source_kind=SourceKind.SATISFACTION,
                source_ref=f"satisfaction:{box.id}:{candidate.id}",
                source_id=cycle.id,
                description="人大代表年终满意度测评结果为不满意，责任部门限期整改。",
                owner_department=candidate.department,
                starts_on=box.closes_at.date(),
                due_on=due_on,
                parent_id=parent.id if parent else None,
            ),
            actor_id=actor_id,
        )
        items.append(item.id)
    return items


def plan_items_of(
    session: Session, candidates: Iterable[LivelihoodCandidate]
) -> dict[str, PlanItem]:
    """The plan items that adopted projects became, by ballot key, in one query."""
    refs = {f"livelihood_candidate:{c.id}": c.ballot_key for c in candidates if c.ballot_key}
    return items_for_sources(session, SourceKind.LIVELIHOOD_PROJECT, refs)


def rectifications_of(
    session: Session, box: BallotBox, candidates: Iterable[LivelihoodCandidate]
) -> dict[str, PlanItem]:
    """The rectification items that the year-end vote ``box`` opened, by ballot key,
    in one query; a project judged satisfactory has none."""
    refs = {f"satisfaction:{box.id}:{c.id}": c.ballot_key for c in candidates if c.ballot_key}
    return items_for_sources(session, SourceKind.SATISFACTION, refs)
