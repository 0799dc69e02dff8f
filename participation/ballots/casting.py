"""Casting a ballot: eligibility, validation, one person one vote, a receipt."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Executable, Insert, Table, bindparam, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from participation.accounts import RoleGrant
from participation.areas import Area
from participation.ballots import mixing
from participation.ballots.models import BallotBox, BallotItem, Participation, Presence
from participation.ballots.presence import NOT_PRESENT
from participation.ballots.rules.ballot_forms import BallotForm, budget_use, check_ballot
from participation.ballots.rules.bulletin import receipt_hash
from participation.ballots.rules.eligibility import BoxScope, Eligibility, Roll, VoterFacts, assess
from participation.ballots.rules.mixing import ballot_bound
from participation.errors import N_, DomainError
from participation.rolls import DeputyEntry, RollEntry
from participation.rules.permissions import Role

# Reason codes -> English messages (translated by the web layer).
INELIGIBLE = {
    "not_open": N_("Voting has not started yet."),
    "closed": N_("Voting has closed."),
    "not_verified": N_("Only verified residents may vote here. Verify your account first."),
    "outside_area": N_("This vote is for residents of another area."),
    "not_deputy": N_("Only the deputies of this congress session may vote here."),
    "not_representative": N_("Only the deliberation representatives may vote here."),
    "not_present": NOT_PRESENT,
}
INVALID = {
    "unknown_item": N_("The ballot names an item that is not on it."),
    "too_few": N_("Choose at least %(min)s."),
    "too_many": N_("Choose at most %(max)s."),
    "duplicate": N_("An item was chosen twice."),
    "over_budget": N_(
        "The chosen projects cost %(total)s yuan: %(over)s yuan over the budget of %(budget)s yuan."
    ),
    "under_min_share": N_("The chosen projects must use at least the stated share of the budget."),
    "bad_choice": N_("Mark each item with one of the offered choices."),
    "bad_points": N_("Points must be whole numbers, zero or more."),
    "over_points": N_("You gave out more points than you have."),
    "over_item_points": N_("You gave one item more points than allowed."),
    "empty": N_("The ballot is empty."),
}


@dataclass(frozen=True)
class Receipt:
    code: str  # shown to the voter once; only its hash is stored

    @property
    def hash(self) -> str:
        return receipt_hash(self.code)


# Casting is the portal's hottest write, so its statements are Core statements
# built once (SQLAlchemy caches their compiled form) and run on the session's
# connection: no ORM identity map, unit of work or per-call statement building.
_areas = Area.__table__
_roll = RollEntry.__table__
_participations = cast(Table, Participation.__table__)
_RESIDENT_FACTS = (
    select(_areas.c.path, _roll.c.household_code)
    .join_from(_roll, _areas, _roll.c.community_id == _areas.c.id)
    .where(_roll.c.account_id == bindparam("account_id"))
)
# Boxes that require presence: one primary-key lookup on the presence list,
# joined to the box so a published box refuses too; on PostgreSQL it holds the
# box row shared until the ballot commits, so publishing (which takes the row
# for update) either waits for the ballot or is seen by it. SQLite has a single
# writer already, and SQLAlchemy leaves FOR SHARE out there.
_boxes = cast(Table, BallotBox.__table__)
_presence = cast(Table, Presence.__table__)
_PRESENT_AND_UNPUBLISHED = (
    select(literal(1))
    .select_from(_presence.join(_boxes, _boxes.c.id == _presence.c.box_id))
    .where(
        _presence.c.box_id == bindparam("box_id"),
        _presence.c.member_key == bindparam("voter_key"),
        _boxes.c.published_at.is_(None),
    )
    .with_for_update(read=True, of=_boxes)
)
_PUBLISHED_AT = select(_boxes.c.published_at).where(_boxes.c.id == bindparam("box_id"))


def _insert_participation(dialect: str) -> Insert:
    """Insert a participation unless the voter key already voted: both SQLite and
    PostgreSQL say ``ON CONFLICT DO NOTHING``, and the row count tells who won,
    without a savepoint or a failed statement inside the transaction.
    (SQLAlchemy keeps an INSERT's row count only when asked to.)"""
    if dialect == "postgresql":
        statement: Insert = postgresql.insert(_participations).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(_participations).on_conflict_do_nothing()
    else:
        raise NotImplementedError(f"casting needs INSERT ... ON CONFLICT; {dialect} lacks it")
    return statement.execution_options(preserve_rowcount=True)


_INSERT_PARTICIPATION = {name: _insert_participation(name) for name in ("sqlite", "postgresql")}


def _run(session: Session, statement: Executable, params: dict[str, Any]) -> Any:
    return session.connection().execute(statement, params)


def voter_facts(session: Session, account_id: int, roll: Roll | None = None) -> VoterFacts:
    """What the rolls say about an account; with ``roll``, only what that roll needs."""
    facts = VoterFacts(account_id=account_id)
    if roll in (None, Roll.RESIDENTS, Roll.HOUSEHOLDS):
        row = _run(session, _RESIDENT_FACTS, {"account_id": account_id}).first()
        if row is not None:
            facts = replace(facts, community_path=row[0], household_code=row[1])
    if roll in (None, Roll.DEPUTIES):
        congress_ids = frozenset(
            session.scalars(
                select(DeputyEntry.congress_id).where(DeputyEntry.account_id == account_id)
            )
        )
        facts = replace(facts, congress_ids=congress_ids)
    if roll in (None, Roll.REPRESENTATIVES):
        rep_paths = tuple(
            session.scalars(
                select(Area.path)
                .join(RoleGrant, RoleGrant.area_id == Area.id)
                .where(
                    RoleGrant.account_id == account_id,
                    RoleGrant.role == Role.REPRESENTATIVE.value,
                )
            )
        )
        facts = replace(facts, representative_paths=rep_paths)
    return facts


def box_scope(session: Session, box: BallotBox) -> BoxScope:
    area = session.get(Area, box.area_id)
    assert area is not None
    return BoxScope(Roll(box.roll), area.path, box.opens_at, box.closes_at, box.congress_id)


def eligibility(session: Session, box: BallotBox, account_id: int, now: datetime) -> Eligibility:
    facts = voter_facts(session, account_id, Roll(box.roll))
    verdict = assess(facts, box_scope(session, box), now)
    if verdict.ok and box.requires_presence:
        assert verdict.voter_key is not None
        if session.get(Presence, {"box_id": box.id, "member_key": verdict.voter_key}) is None:
            return Eligibility(None, "not_present")
    return verdict


def item_costs(session: Session, box: BallotBox) -> dict[str, int]:
    rows = session.execute(
        select(BallotItem.key, BallotItem.cost)
        .where(BallotItem.box_id == box.id)
        .order_by(BallotItem.position)
    ).all()
    return {key: cost for key, cost in rows}


def has_voted(session: Session, box: BallotBox, voter_key: str) -> bool:
    return session.get(Participation, {"box_id": box.id, "voter_key": voter_key}) is not None


@dataclass(frozen=True)
class CastTarget:
    """What casting needs to know of a box. A box never changes these once it
    exists, so the web layer may keep them between requests."""

    box_id: int
    scope: BoxScope
    form: BallotForm
    costs: dict[str, int]  # item key -> cost, in ballot order
    recorded: bool
    requires_presence: bool = False
    # Every sealed ballot of the box is padded to this size (see cast_target).
    sealed_size: int = 0


def cast_target(session: Session, box: BallotBox) -> CastTarget:
    costs = item_costs(session, box)
    return CastTarget(
        box.id,
        box_scope(session, box),
        box.form,
        costs,
        box.secrecy == "recorded",
        box.requires_presence,
        mixing.sealed_size(ballot_bound(box.form, list(costs))),
    )


@dataclass(frozen=True)
class PreparedCast:
    """A checked ballot, ready to record: eligibility and validity already hold.
    It is sealed here, before the write lock is taken (see mixing.seal)."""

    voter_key: str
    content: dict[str, Any]
    receipt: Receipt
    sealed: bytes


def _spend_params(
    form: BallotForm, costs: Mapping[str, int], raw: Mapping[str, Any]
) -> dict[str, str]:
    """The total, the cap and the amount over, for a refused budget ballot's message."""
    use = budget_use(form, costs, raw.get("approved", []))
    if use is None:
        return {}
    return {"total": f"{use.total:,}", "budget": f"{use.budget:,}", "over": f"{use.over:,}"}


def prepare_cast(
    session: Session, target: CastTarget, account_id: int, raw: Mapping[str, Any], now: datetime
) -> PreparedCast:
    """Check eligibility and the ballot (reads only). Raises DomainError when refused."""
    facts = voter_facts(session, account_id, target.scope.roll)
    verdict = assess(facts, target.scope, now)
    if not verdict.ok:
        assert verdict.reason is not None
        raise DomainError(f"ballot.{verdict.reason}", INELIGIBLE[verdict.reason], status=403)
    form = target.form
    checked = check_ballot(form, target.costs, raw)
    if not checked.ok:
        assert checked.reason is not None
        spend = _spend_params(form, target.costs, raw)
        raise DomainError(
            f"ballot.{checked.reason}",
            INVALID[checked.reason],
            params={"min": form.min_choices, "max": form.max_choices or 0, **spend},
        )
    assert verdict.voter_key is not None and checked.content is not None
    receipt = Receipt("-".join(secrets.token_hex(2).upper() for _ in range(4)))
    sealed = mixing.seal(
        target.box_id,
        receipt.hash,
        json.dumps(checked.content, ensure_ascii=False, sort_keys=True),
        verdict.voter_key if target.recorded else None,
        target.sealed_size,
    )
    return PreparedCast(verdict.voter_key, checked.content, receipt, sealed)


def record_cast(session: Session, target: CastTarget, prepared: PreparedCast) -> Receipt:
    """Store a prepared ballot (two inserts). The participation's primary key
    decides races: the loser gets ``ballot.already_voted`` and nothing is stored
    (its participation insert did nothing, and the ballot is never inserted).
    A box that requires presence first looks the voter up on its presence list
    (``ballot.not_present``, or ``ballot.closed`` once published; see presence.py).
    The ballot is stored sealed, and now and then a mixed batch of the box's
    sealed ballots is opened (see mixing.py)."""
    connection = session.connection()
    if target.requires_presence:
        params = {"box_id": target.box_id, "voter_key": prepared.voter_key}
        if connection.execute(_PRESENT_AND_UNPUBLISHED, params).first() is None:
            published = connection.execute(_PUBLISHED_AT, params).scalar() is not None
            reason = "closed" if published else "not_present"
            raise DomainError(f"ballot.{reason}", INELIGIBLE[reason], status=403)
    counted = connection.execute(
        _INSERT_PARTICIPATION[connection.dialect.name],
        {"box_id": target.box_id, "voter_key": prepared.voter_key},
    ).rowcount
    if counted != 1:
        raise DomainError(
            "ballot.already_voted",
            N_("You have already voted in this ballot (or a member of your household has)."),
            status=409,
        )
    mixing.store_sealed(session, target.box_id, prepared.sealed)
    mixing.open_due(session, target.box_id)
    return prepared.receipt


def cast_ballot(
    session: Session, box: BallotBox, account_id: int, raw: Mapping[str, Any], now: datetime
) -> Receipt:
    """Record one ballot for ``account_id`` and return its receipt.

    Invariants: an ineligible or invalid ballot writes nothing; one voter key
    counts once per box, also under concurrent casts; the ballot is written in
    the clear only in a mixed batch of several voters' ballots, carrying no voter,
    time or order unless the box is recorded.
    """
    target = cast_target(session, box)
    return record_cast(session, target, prepare_cast(session, target, account_id, raw, now))
