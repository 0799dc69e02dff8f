"""Who is told: queries of account ids, composed into a fan-out's INSERT … SELECT
(never loaded into Python)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, ColumnExpressionArgument, Select, String, literal, or_, select
from sqlalchemy import cast as sql_cast

from participation.accounts import Account, RoleGrant
from participation.areas import Area
from participation.ballots.models import BallotBox, Participation
from participation.ballots.rules.eligibility import Roll
from participation.notifying.models import Follow
from participation.rolls import DeputyEntry, RollEntry
from participation.rules.permissions import Role

#: A query of one column, account ids (duplicates and NULLs allowed).
Recipients = Select[Any]


def verified_residents(area_path: str) -> Recipients:
    """Active accounts verified on the roll of a community at or below ``area_path``."""
    return (
        select(RollEntry.account_id)
        .join(Area, Area.id == RollEntry.community_id)
        .join(Account, Account.id == RollEntry.account_id)
        .where(Area.path.startswith(area_path, autoescape=True), Account.is_active.is_(True))
    )


def followers(kind: str, target_id: int) -> Recipients:
    return select(Follow.account_id).where(
        Follow.target_kind == kind, Follow.target_id == target_id
    )


def _voted(box_id: int, voter_key: ColumnExpressionArgument[str]) -> ColumnElement[bool]:
    return (
        select(Participation.voter_key)
        .where(Participation.box_id == box_id, Participation.voter_key == voter_key)
        .exists()
    )


def _account_key(account_id: ColumnExpressionArgument[Any]) -> ColumnElement[str]:
    return literal("account:", String).concat(sql_cast(account_id, String))


def voters(box: BallotBox, area_path: str, *, not_voted: bool = False) -> Recipients:
    """The accounts that may vote in ``box`` (its roll, as ``casting.assess`` decides),
    with ``not_voted`` only those whose vote (or household's) is not in yet."""
    roll = Roll(box.roll)
    if roll in (Roll.RESIDENTS, Roll.HOUSEHOLDS):
        query = verified_residents(area_path)
        key = (
            literal("household:", String).concat(RollEntry.household_code)
            if roll is Roll.HOUSEHOLDS
            else _account_key(RollEntry.account_id)
        )
    elif roll is Roll.DEPUTIES:
        query = (
            select(DeputyEntry.account_id)
            .join(Account, Account.id == DeputyEntry.account_id)
            .where(DeputyEntry.congress_id == box.congress_id, Account.is_active.is_(True))
        )
        key = _account_key(DeputyEntry.account_id)
    else:  # representatives of the box's area, above or below it
        query = (
            select(RoleGrant.account_id)
            .join(Area, Area.id == RoleGrant.area_id)
            .join(Account, Account.id == RoleGrant.account_id)
            .where(
                RoleGrant.role == Role.REPRESENTATIVE.value,
                Account.is_active.is_(True),
                or_(
                    Area.path.startswith(area_path, autoescape=True),
                    literal(area_path, String).startswith(Area.path),
                ),
            )
        )
        key = _account_key(RoleGrant.account_id)
    if not_voted:
        query = query.where(~_voted(box.id, key))
    return query
