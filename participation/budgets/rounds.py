"""Community budget rounds: creating, finding and listing them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from participation import audit
from participation.areas import Area, get_area
from participation.ballots.models import BallotBox
from participation.ballots.rules.eligibility import Roll
from participation.budgets.models import BudgetRound
from participation.budgets.rules import BUDGET_RULES, RoundPhase
from participation.errors import N_, DomainError
from participation.paging import newest_after, newest_page


@dataclass(frozen=True)
class NewRound:
    area_id: int
    year: int
    title: str
    budget_yuan: int
    rule: str
    roll: str
    description: str = ""
    max_choices: int | None = None
    min_share_percent: int | None = None


def create_round(session: Session, new: NewRound, actor_id: int | None) -> BudgetRound:
    """Open a round in the proposal phase. Budget positive; rule greedy or mes."""
    problems: dict[str, str] = {}
    if not new.title.strip():
        problems["title"] = N_("Enter a title.")
    if new.budget_yuan <= 0:
        problems["budget_yuan"] = N_("Enter the budget as a positive whole number of yuan.")
    if new.rule not in BUDGET_RULES:
        problems["rule"] = N_("Choose a counting rule.")
    if new.roll not in (Roll.RESIDENTS.value, Roll.HOUSEHOLDS.value):
        problems["roll"] = N_("Choose who votes.")
    if new.max_choices is not None and new.max_choices < 1:
        problems["max_choices"] = N_("Enter a whole number.")
    if new.min_share_percent is not None and not 1 <= new.min_share_percent <= 100:
        problems["min_share_percent"] = N_("Enter a percentage from 1 to 100.")
    if problems:
        raise DomainError("round.invalid", N_("Please correct the marked fields."), fields=problems)
    get_area(session, new.area_id)
    row = BudgetRound(
        area_id=new.area_id,
        year=new.year,
        title=new.title.strip(),
        description=new.description.strip(),
        budget_yuan=new.budget_yuan,
        rule=new.rule,
        roll=new.roll,
        max_choices=new.max_choices,
        min_share_percent=new.min_share_percent,
        phase=RoundPhase.PROPOSAL.value,
        created_by=actor_id,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor_id=actor_id, action="budget.round_created", target=round_ref(row))
    return row


def round_ref(budget_round: BudgetRound) -> str:
    return f"budget_round:{budget_round.id}"


def get_round(session: Session, round_id: int) -> BudgetRound:
    found = session.get(BudgetRound, round_id)
    if found is None:
        raise DomainError("round.not_found", N_("No such budget round."), status=404)
    return found


_ROUND_WITH_BOX = (
    select(BudgetRound, BallotBox)
    .outerjoin(BallotBox, BallotBox.id == BudgetRound.box_id)
    .where(BudgetRound.id == bindparam("round_id"))
)


def round_with_box(session: Session, round_id: int) -> tuple[BudgetRound, BallotBox | None]:
    """The round and its ballot box (None before voting), in one statement. Hold
    the box while it is needed: the session keeps it weakly, and ``get_box`` then
    finds it there without a statement."""
    found = session.execute(_ROUND_WITH_BOX, {"round_id": round_id}).first()
    if found is None:
        raise DomainError("round.not_found", N_("No such budget round."), status=404)
    return found[0], found[1]


def rounds(session: Session) -> Sequence[BudgetRound]:
    return session.scalars(select(BudgetRound).order_by(BudgetRound.id.desc())).all()


def page_of_rounds(
    session: Session, *, page: int = 1, per_page: int = 50
) -> tuple[Sequence[BudgetRound], int, int]:
    """One page of the rounds, newest first (the back office's list), how many there
    are and the page number (:func:`participation.paging.newest_page`)."""
    return newest_page(session, BudgetRound, BudgetRound.id, page=page, per_page=per_page)


def rounds_after(session: Session, *, after: int = 0, limit: int = 100) -> Sequence[BudgetRound]:
    """At most ``limit`` rounds, newest first, older than the one of id ``after``
    (0: from the newest): the open-data API's pages."""
    return newest_after(session, BudgetRound, BudgetRound.id, after=after, limit=limit)


def rounds_with_areas(session: Session) -> list[tuple[BudgetRound, Area]]:
    """Every round, newest first, with its area, in one query (for the list page)."""
    rows = session.execute(
        select(BudgetRound, Area)
        .join(Area, Area.id == BudgetRound.area_id)
        .order_by(BudgetRound.id.desc())
    ).all()
    return [(budget_round, area) for budget_round, area in rows]
