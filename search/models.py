"""The search index and its change log.

``search_docs`` holds one row per public record: what the results show (kind,
title, area, day) and the words it is found by (``words``, jieba-segmented,
space-separated; see ``search.rules.words``). The full-text index over ``words``
is the engine's own and is made by the migration (0043), not declared here:

- SQLite: an FTS5 table ``search_fts`` with ``search_docs`` as its external
  content, kept in step by triggers on ``search_docs``;
- PostgreSQL: a stored generated column ``tsv`` (``to_tsvector('simple', words)``:
  the words are already segmented, so no stemming or dictionary) with a GIN index.

``search_changes`` is the change log: one row per changed record, written in the
transaction that changed it (``search.changes``), read and deleted by the indexer.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from participation.db import Base, utcnow


class SearchDoc(Base):
    __tablename__ = "search_docs"
    __table_args__ = (
        UniqueConstraint("kind", "ref_id"),
        Index("ix_search_docs_kind_day", "kind", "day"),
    )

    #: ``doc_id(day, kind, ref_id)``: ids in date order, so that newest-first is the
    #: full-text index's own order (FTS5 walks rowids backwards and stops at a page).
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    #: One of search.sources.KINDS.
    kind: Mapped[str] = mapped_column(String(24))
    #: The record's id in its own table.
    ref_id: Mapped[int] = mapped_column()
    #: The record the link goes through when it has no page of its own (a
    #: livelihood project's cycle), else None.
    parent_id: Mapped[int | None] = mapped_column()
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    #: The area's path (``/1/5/``): "within this area" is a prefix match.
    area_path: Mapped[str] = mapped_column(String(255), default="", index=True)
    year: Mapped[int] = mapped_column(index=True)
    day: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(300))
    words: Mapped[str] = mapped_column(Text, default="")
    indexed_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchChange(Base):
    __tablename__ = "search_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    ref_id: Mapped[int] = mapped_column()


class SearchMark(Base):
    """The highest record id of a family the indexer has looked at: records inserted
    without the unit of work (Core or ORM-enabled INSERT statements, bulk loads) leave
    no change note, so each run also indexes the records above the mark."""

    __tablename__ = "search_marks"

    family: Mapped[str] = mapped_column(String(24), primary_key=True)
    last_id: Mapped[int] = mapped_column(default=0)


#: Bits of a doc id under the day: 4 for the kind, 28 for the record's id.
KIND_BITS, REF_BITS = 4, 28


def doc_id(day: date, kind_index: int, ref_id: int) -> int:
    """The id of a record's index row: its day, then its kind, then its id, so that
    ids sort newest first as days do (and are unique per kind and record)."""
    if not 0 <= ref_id < 1 << REF_BITS or not 0 <= kind_index < 1 << KIND_BITS:
        raise ValueError(f"record id {ref_id} or kind {kind_index} out of range")
    return (day.toordinal() << (KIND_BITS + REF_BITS)) | (kind_index << REF_BITS) | ref_id
