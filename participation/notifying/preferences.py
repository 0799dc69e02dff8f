"""How each person wants to be told: per kind, inbox only or also e-mail; and
account-wide, one daily digest instead of one e-mail per notice."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, ColumnExpressionArgument, and_, delete, exists, not_, select
from sqlalchemy.orm import Session

from participation.notifying.kinds import CHOOSABLE
from participation.notifying.models import NoticePreference, NoticeSetting


@dataclass(frozen=True)
class Preferences:
    #: Kinds the person keeps in the inbox only (no e-mail copy).
    inbox_only: frozenset[str]
    digest: bool

    def emails(self, kind: str) -> bool:
        return kind not in self.inbox_only


def preferences_of(session: Session, account_id: int) -> Preferences:
    """The account's choices (a person who chose nothing gets e-mail of every kind)."""
    quiet = session.scalars(
        select(NoticePreference.kind).where(
            NoticePreference.account_id == account_id, NoticePreference.email.is_(False)
        )
    )
    digest = session.scalar(
        select(NoticeSetting.digest).where(NoticeSetting.account_id == account_id)
    )
    return Preferences(frozenset(quiet), bool(digest))


def save_preferences(
    session: Session, account_id: int, email: Mapping[str, bool], digest: bool
) -> Preferences:
    """Store the account's choices for every choosable kind (kinds not named keep
    e-mail). Replaces what was stored: the form always sends the whole set."""
    session.execute(delete(NoticePreference).where(NoticePreference.account_id == account_id))
    session.add_all(
        NoticePreference(account_id=account_id, kind=kind, email=False)
        for kind in CHOOSABLE
        if not email.get(kind, True)
    )
    setting = session.get(NoticeSetting, account_id)
    if setting is None:
        session.add(NoticeSetting(account_id=account_id, digest=digest))
    else:
        setting.digest = digest
    session.flush()
    return preferences_of(session, account_id)


def quiet(
    account_id: ColumnExpressionArgument[Any], kind: ColumnExpressionArgument[Any]
) -> ColumnElement[bool]:
    """SQL: the account keeps this kind in the inbox only."""
    return exists().where(
        NoticePreference.account_id == account_id,
        NoticePreference.kind == kind,
        NoticePreference.email.is_(False),
    )


def _digest(account_id: ColumnExpressionArgument[Any]) -> ColumnElement[bool]:
    return exists().where(NoticeSetting.account_id == account_id, NoticeSetting.digest.is_(True))


def mails_now(
    account_id: ColumnExpressionArgument[Any], kind: ColumnExpressionArgument[Any]
) -> ColumnElement[bool]:
    """SQL: the account wants this kind's e-mail copy at once (no digest, not inbox only)."""
    return and_(not_(quiet(account_id, kind)), not_(_digest(account_id)))


def mailed_now(session: Session, account_ids: Collection[int], kind: str) -> set[int]:
    """Of ``account_ids``, those who want an e-mail copy of ``kind`` at once."""
    if not account_ids:
        return set()
    ids = sorted(set(account_ids))
    held: set[int] = set()
    for start in range(0, len(ids), 1000):
        part = ids[start : start + 1000]
        held.update(
            session.scalars(
                select(NoticePreference.account_id).where(
                    NoticePreference.account_id.in_(part),
                    NoticePreference.kind == kind,
                    NoticePreference.email.is_(False),
                )
            )
        )
        held.update(
            session.scalars(
                select(NoticeSetting.account_id).where(
                    NoticeSetting.account_id.in_(part), NoticeSetting.digest.is_(True)
                )
            )
        )
    return set(ids) - held
