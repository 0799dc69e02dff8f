"""Ballot boxes and what is stored of a vote.

Secrecy: who voted (:class:`Participation`) and what was voted
(:class:`CastBallot`) live in separate tables with no shared key, no timestamp
and no insertion order: both have random or voter-derived primary keys and, on
SQLite, no rowid (rows are stored in key order). On PostgreSQL both tables are
rewritten in key order when the box closes (see closing.py), so the physical
order of rows does not survive either.

A cast writes the participation and the ballot in one transaction, so the
ballot is written there only sealed (:class:`SealedBallot`, ciphertext under a
key that is not in the database); it is opened into :class:`CastBallot` and
:class:`BallotReceipt` only in shuffled batches of several voters (mixing.py).
The receipt hashes are kept apart from the contents: a receipt shows that a
ballot was counted, never what it said.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from participation import rolls as _rolls  # noqa: F401  (tables our keys refer to)
from participation.ballots.rules.ballot_forms import BallotForm
from participation.db import Base, utcnow


class BallotBox(Base):
    __tablename__ = "ballot_boxes"
    # The public list reads a page the latest to close first (boxes.boxes_by_closing).
    __table_args__ = (Index("ix_ballot_boxes_closes_at", "closes_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    roll: Mapped[str] = mapped_column(String(20))
    congress_id: Mapped[int | None] = mapped_column(ForeignKey("congresses.id"), index=True)
    opens_at: Mapped[datetime] = mapped_column()
    closes_at: Mapped[datetime] = mapped_column()
    form_json: Mapped[str] = mapped_column(Text)
    rule_json: Mapped[str] = mapped_column(Text)
    secrecy: Mapped[str] = mapped_column(String(10), default="secret")
    # Paper ballots handed out; a round returning more than this is void.
    paper_issued: Mapped[int | None] = mapped_column()
    # Only members on the box's presence list may vote (see presence.py).
    requires_presence: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Filled once, when the box is closed and its bulletin published.
    published_at: Mapped[datetime | None] = mapped_column()
    eligible_count: Mapped[int | None] = mapped_column()
    # Every ballot (a city-wide vote: hundreds of thousands), so loaded only when
    # read; pages show ``tally``, stored apart in the same transaction.
    bulletin_json: Mapped[str | None] = mapped_column(Text, deferred=True)
    bulletin_root: Mapped[str | None] = mapped_column(String(64))
    tally_json: Mapped[str | None] = mapped_column(Text)

    @property
    def tally(self) -> dict[str, Any] | None:
        """The published tally (the bulletin's ``tally``), None before publication."""
        if self.tally_json is not None:
            return dict(json.loads(self.tally_json))
        if self.bulletin_root is None or not self.bulletin_json:
            return None
        return dict(json.loads(self.bulletin_json)["tally"])

    @property
    def form(self) -> BallotForm:
        return BallotForm.from_json(json.loads(self.form_json))

    @property
    def rule(self) -> dict[str, Any]:
        return dict(json.loads(self.rule_json))

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at


class BallotItem(Base):
    __tablename__ = "ballot_items"
    __table_args__ = (UniqueConstraint("box_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    box_id: Mapped[int] = mapped_column(ForeignKey("ballot_boxes.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    cost: Mapped[int] = mapped_column(default=0)  # yuan


class Participation(Base):
    """That a voter key has voted in a box: the one-person-one-vote record."""

    __tablename__ = "participations"
    __table_args__ = {"sqlite_with_rowid": False}

    box_id: Mapped[int] = mapped_column(ForeignKey("ballot_boxes.id"), primary_key=True)
    voter_key: Mapped[str] = mapped_column(String(80), primary_key=True)


class CastBallot(Base):
    """What was voted, under a random id; ``voter_key`` only in recorded boxes.
    Written only by opening sealed ballots in mixed batches (mixing.py)."""

    __tablename__ = "cast_ballots"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    box_id: Mapped[int] = mapped_column(ForeignKey("ballot_boxes.id"), index=True)
    content: Mapped[str] = mapped_column(Text)
    voter_key: Mapped[str | None] = mapped_column(String(80))


class BallotReceipt(Base):
    """That a ballot with this receipt was counted in a box; nothing of its content."""

    __tablename__ = "ballot_receipts"
    __table_args__ = {"sqlite_with_rowid": False}

    box_id: Mapped[int] = mapped_column(ForeignKey("ballot_boxes.id"), primary_key=True)
    receipt_hash: Mapped[str] = mapped_column(String(64), primary_key=True)


class SealedBallot(Base):
    """A ballot cast but not yet opened: receipt hash, content (and voter key in a
    recorded box) sealed together under the box's key (participation.sealing)."""

    __tablename__ = "sealed_ballots"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    box_id: Mapped[int] = mapped_column(ForeignKey("ballot_boxes.id"), index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class Presence(Base):
    """A member present at the meeting a box belongs to (see presence.py)."""

    __tablename__ = "ballot_presence"
    __table_args__ = {"sqlite_with_rowid": False}

    box_id: Mapped[int] = mapped_column(ForeignKey("ballot_boxes.id"), primary_key=True)
    # A voter key ("account:N") for members who may vote online, or another
    # stable key for members without an account (counted present all the same).
    member_key: Mapped[str] = mapped_column(String(80), primary_key=True)


class PaperBatch(Base):
    """A batch of paper ballots, entered independently by two tellers."""

    __tablename__ = "paper_batches"
    __table_args__ = (UniqueConstraint("box_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    box_id: Mapped[int] = mapped_column(ForeignKey("ballot_boxes.id"), index=True)
    label: Mapped[str] = mapped_column(String(60))
    # A recount after a discrepancy starts a new round; older entries are kept.
    round: Mapped[int] = mapped_column(default=1)


class PaperEntry(Base):
    """One teller's entry of a batch: the ballots as read from paper (JSON list)."""

    __tablename__ = "paper_entries"
    __table_args__ = (UniqueConstraint("batch_id", "round", "teller_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("paper_batches.id"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    teller_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    ballots: Mapped[str] = mapped_column(Text)
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
