"""Following plan items, consultations, budget rounds and teams.

A follow is one row keyed by the account (so closing an account erases them in
one DELETE); following twice is following once. The followed things live in
packages above this one (consultations, volunteers), so targets are named by their
table here, never imported."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from participation.db import Base
from participation.errors import N_, DomainError
from participation.notifying.fanout import insert_or_skip
from participation.notifying.models import Follow


@dataclass(frozen=True)
class TargetKind:
    table: str
    title_column: str
    #: The page of a target, with ``{id}``.
    link: str
    label: str


TARGETS: dict[str, TargetKind] = {
    "plan_item": TargetKind("plan_items", "title", "/plan/items/{id}", N_("Plan item")),
    "consultation": TargetKind("consultations", "title", "/consultations/{id}", N_("Consultation")),
    "budget_round": TargetKind("budget_rounds", "title", "/budgets/{id}", N_("Budget round")),
    "team": TargetKind("vol_teams", "name", "/volunteers/teams/{id}", N_("Volunteer team")),
}
NOT_FOUND = N_("There is nothing to follow here.")


def target_kind(kind: str) -> TargetKind:
    found = TARGETS.get(kind)
    if found is None:
        raise DomainError("follow.not_found", NOT_FOUND, status=404)
    return found


def _table(kind: TargetKind) -> Table:
    return Base.metadata.tables[kind.table]


def _require(session: Session, kind: str, target_id: int) -> None:
    table = _table(target_kind(kind))
    if session.scalar(select(table.c.id).where(table.c.id == target_id)) is None:
        raise DomainError("follow.not_found", NOT_FOUND, status=404)


def link_of(kind: str, target_id: int) -> str:
    return target_kind(kind).link.format(id=target_id)


def follow(session: Session, account_id: int, kind: str, target_id: int, now: datetime) -> None:
    """Follow a target that exists (again: nothing changes, also under a race)."""
    _require(session, kind, target_id)
    session.connection().execute(
        insert_or_skip(session, cast(Table, Follow.__table__))
        .values(account_id=account_id, target_kind=kind, target_id=target_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["account_id", "target_kind", "target_id"])
    )


def unfollow(session: Session, account_id: int, kind: str, target_id: int) -> None:
    target_kind(kind)
    session.execute(
        delete(Follow).where(
            Follow.account_id == account_id,
            Follow.target_kind == kind,
            Follow.target_id == target_id,
        )
    )


def is_following(session: Session, account_id: int, kind: str, target_id: int) -> bool:
    return (
        session.scalar(
            select(Follow.target_id).where(
                Follow.account_id == account_id,
                Follow.target_kind == kind,
                Follow.target_id == target_id,
            )
        )
        is not None
    )


@dataclass(frozen=True)
class Followed:
    kind: str
    target_id: int
    title: str
    link: str
    since: datetime

    @property
    def label(self) -> str:
        return TARGETS[self.kind].label


def following(session: Session, account_id: int) -> Sequence[Followed]:
    """What the account follows, newest first, with titles (one query per kind)."""
    rows = session.execute(
        select(Follow.target_kind, Follow.target_id, Follow.created_at)
        .where(Follow.account_id == account_id)
        .order_by(Follow.created_at.desc(), Follow.target_kind, Follow.target_id)
    ).all()
    titles: dict[tuple[str, int], str] = {}
    for kind in {r.target_kind for r in rows if r.target_kind in TARGETS}:
        spec = TARGETS[kind]
        table = _table(spec)
        ids = [r.target_id for r in rows if r.target_kind == kind]
        for target_id, title in session.execute(
            select(table.c.id, table.c[spec.title_column]).where(table.c.id.in_(ids))
        ):
            titles[(kind, target_id)] = title
    return [
        Followed(r.target_kind, r.target_id, titles[key], link_of(*key), r.created_at)
        for r in rows
        if (key := (r.target_kind, r.target_id)) in titles
    ]
