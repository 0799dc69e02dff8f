"""Creating ballot boxes and reading them back."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, load_only

from participation import audit
from participation.areas import Area
from participation.ballots.models import BallotBox, BallotItem
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from participation.errors import N_, DomainError
from participation.paging import Window, last_page, page_ahead


@dataclass(frozen=True)
class NewItem:
    title: str
    cost: int = 0
    description: str = ""
    key: str | None = None


@dataclass(frozen=True)
class NewBox:
    title: str
    area: Area
    roll: Roll
    opens_at: datetime
    closes_at: datetime
    form: BallotForm
    rule: Mapping[str, Any]
    items: Sequence[NewItem]
    description: str = ""
    secrecy: str = "secret"
    congress_id: int | None = None
    requires_presence: bool = False  # only members on its presence list may vote
    fields: dict[str, str] = field(default_factory=dict)


def create_box(session: Session, new: NewBox, created_by: int | None) -> BallotBox:
    """Create a box with its items.

    Invariants: it opens before it closes; it has at least one item (two for
    choice forms); deputy boxes name their congress; a choice form's bounds fit
    its items.
    """
    problems: dict[str, str] = {}
    if not new.title.strip():
        problems["title"] = N_("Enter a title.")
    if new.closes_at <= new.opens_at:
        problems["closes_at"] = N_("Voting must close after it opens.")
    minimum = 1 if new.form.kind in (FormKind.YES_NO, FormKind.SATISFACTION) else 2
    if len(new.items) < minimum:
        problems["items"] = N_("Add at least two items to choose from.")
    if new.roll is Roll.DEPUTIES and new.congress_id is None:
        problems["congress_id"] = N_("Choose the congress session whose deputies vote.")
    if new.form.max_choices is not None and new.form.max_choices < max(1, new.form.min_choices):
        problems["max_choices"] = N_("The most choices cannot be fewer than the fewest.")
    if new.secrecy not in ("secret", "recorded"):
        problems["secrecy"] = N_("Choose secret or recorded voting.")
    if problems:
        raise DomainError("box.invalid", N_("Please correct the marked fields."), fields=problems)
    if new.form.kind is FormKind.BUDGET:
        _refuse_second_budget_vote(session, new)
    box = BallotBox(
        title=new.title.strip(),
        description=new.description.strip(),
        area_id=new.area.id,
        roll=new.roll.value,
        congress_id=new.congress_id,
        opens_at=new.opens_at,
        closes_at=new.closes_at,
        form_json=json.dumps(new.form.to_json()),
        rule_json=json.dumps(dict(new.rule), sort_keys=True),
        secrecy=new.secrecy,
        requires_presence=new.requires_presence,
        created_by=created_by,
    )
    session.add(box)
    session.flush()
    for position, item in enumerate(new.items, start=1):
        session.add(
            BallotItem(
                box_id=box.id,
                key=item.key or str(position),
                position=position,
                title=item.title.strip(),
                description=item.description.strip(),
                cost=item.cost,
            )
        )
    session.flush()
    return box


def add_box(session: Session, new: NewBox, *, actor_id: int, ip: str = "") -> BallotBox:
    """A person creates a ballot in the back office: create_box, audited (the budget,
    livelihood and consultation services create theirs under their own actions)."""
    box = create_box(session, new, actor_id)
    audit.record(
        session,
        actor_id=actor_id,
        action="ballot.create",
        target=f"ballot:{box.id}",
        ip=ip,
        title=box.title,
    )
    return box


def _refuse_second_budget_vote(session: Session, new: NewBox) -> None:
    """Invariant: an area runs at most one community-budget vote at a time. Two
    boxes over one budget would let residents split the same money twice and
    leave two results; a round's vote is its one box."""
    overlapping = session.scalars(
        select(BallotBox).where(
            BallotBox.area_id == new.area.id,
            BallotBox.opens_at < new.closes_at,
            BallotBox.closes_at > new.opens_at,
        )
    )
    clash = next((b for b in overlapping if b.form.kind is FormKind.BUDGET), None)
    if clash is not None:
        raise DomainError(
            "box.budget_overlap",
            N_("This area already has a community-budget vote at that time: %(title)s."),
            params={"title": clash.title},
            fields={"opens_at": N_("Choose a time after the other budget vote closes.")},
            status=409,
        )


def get_box(session: Session, box_id: int) -> BallotBox:
    box = session.get(BallotBox, box_id)
    if box is None:
        raise DomainError("box.not_found", N_("No such ballot."), status=404)
    return box


def items_of(session: Session, box: BallotBox) -> Sequence[BallotItem]:
    return session.scalars(
        select(BallotItem).where(BallotItem.box_id == box.id).order_by(BallotItem.position)
    ).all()


def page_of_boxes(
    session: Session, *, page: int = 1, per_page: int = 50
) -> tuple[Sequence[BallotBox], int, int]:
    """One page of the ballot boxes, the newest first (the back office's list): the
    boxes (title, closing and publication loaded), how many there are in all, and
    the page number (a page past the end shows the last). Two statements."""
    total = session.scalar(select(func.count(BallotBox.id))) or 0
    page = last_page(page, total, per_page)
    rows = session.scalars(
        select(BallotBox)
        .options(
            load_only(BallotBox.title, BallotBox.closes_at, BallotBox.published_at, raiseload=True)
        )
        .order_by(BallotBox.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return rows, total, page


def boxes_by_closing(session: Session, *, page: int, per_page: int) -> Window[BallotBox]:
    """A page of the ballot boxes, the latest to close first (the public list): only
    the columns the list shows, read along the index on ``closes_at`` and stopped
    after the page. One statement (a page past the end: two, showing the last), the
    same however many boxes a city holds."""
    query = (
        select(BallotBox)
        .options(
            load_only(
                BallotBox.title, BallotBox.opens_at, BallotBox.closes_at, BallotBox.published_at
            )
        )
        .order_by(BallotBox.closes_at.desc(), BallotBox.id.desc())
    )
    found = page_ahead(session, query, page=page, per_page=per_page)
    return Window([box for (box,) in found.items], found.number, found.has_next)


def published_boxes(
    session: Session, *, after: int = 0, limit: int | None = None
) -> Sequence[BallotBox]:
    """Boxes whose results are published, oldest first (the open-data API): those
    with an id above ``after``, at most ``limit`` of them (keyset paging by id)."""
    query = (
        select(BallotBox)
        .where(BallotBox.published_at.is_not(None), BallotBox.id > after)
        .order_by(BallotBox.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return session.scalars(query).all()
