"""The privacy notice's version and each person's consent to it.

The notice's text lives in the templates next to this version: a change of the
text that people must agree to again comes with a new ``NOTICE_VERSION``.
Consents are appended, never edited: the latest row is what the person agreed to.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from participation.db import Base, utcnow
from participation.errors import N_

#: The version of the privacy notice (个人信息保护告知) people agree to now.
NOTICE_VERSION = "2026-12"
MUST_AGREE = N_("Please read the privacy notice and tick the box to agree.")


class PrivacyConsent(Base):
    """That an account agreed to a version of the privacy notice, and when."""

    __tablename__ = "privacy_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    version: Mapped[str] = mapped_column(String(20))
    consented_at: Mapped[datetime] = mapped_column(default=utcnow)


def record_consent(session: Session, account_id: int, version: str, at: datetime) -> None:
    """Append the person's consent to ``version`` (agreeing again is recorded again)."""
    session.add(PrivacyConsent(account_id=account_id, version=version, consented_at=at))


def latest_version(session: Session, account_id: int) -> str:
    """The version of the notice this account agreed to last ("" if never)."""
    found = session.scalar(
        select(PrivacyConsent.version)
        .where(PrivacyConsent.account_id == account_id)
        .order_by(PrivacyConsent.id.desc())
        .limit(1)
    )
    return found or ""


def consents_of(session: Session, account_id: int) -> Sequence[PrivacyConsent]:
    return session.scalars(
        select(PrivacyConsent)
        .where(PrivacyConsent.account_id == account_id)
        .order_by(PrivacyConsent.id)
    ).all()
