"""Keeping the index: reindex records by id, drain the change log, rebuild all.

Reindexing a record replaces its row (delete, then insert when it is public), so it
is idempotent and a record that stopped being public loses its row. Services take
the session and never commit; the job and the command commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from search import changes
from search.models import SearchChange, SearchDoc, SearchMark, doc_id
from search.rules.words import index_words
from search.sources import FAMILY_KINDS, KINDS, SOURCES

changes.install()  # a process that indexes also notes the changes it makes

#: Change notes handled per run of the job, and records loaded per query.
DRAIN_LIMIT = 5_000
BATCH = 500
KIND_INDEX = {kind: n for n, kind in enumerate(KINDS)}


def reindex(session: Session, family: str, ids: Sequence[int]) -> int:
    """Replace the index rows of these records of ``family``; the number now indexed."""
    kept = 0
    for start in range(0, len(ids), BATCH):
        chunk = list(ids[start : start + BATCH])
        docs = SOURCES[family].load(session, chunk)
        session.execute(
            delete(SearchDoc).where(
                SearchDoc.kind.in_(FAMILY_KINDS[family]), SearchDoc.ref_id.in_(chunk)
            )
        )
        if docs:
            session.execute(
                insert(SearchDoc),
                [
                    {
                        "id": doc_id(d.day, KIND_INDEX[d.kind], d.ref_id),
                        "kind": d.kind,
                        "ref_id": d.ref_id,
                        "parent_id": d.parent_id,
                        "area_id": d.area_id,
                        "area_path": d.area_path,
                        "year": d.year,
                        "day": d.day,
                        "title": d.title[:300],
                        "words": index_words(*d.texts),
                    }
                    for d in docs
                ],
            )
        kept += len(docs)
    return kept


@dataclass(frozen=True)
class Drained:
    notes: int
    records: int
    indexed: int


def _marks(session: Session) -> dict[str, int]:
    return {f: i for f, i in session.execute(select(SearchMark.family, SearchMark.last_id))}


def _set_mark(session: Session, marks: dict[str, int], family: str, last_id: int) -> None:
    if family in marks:
        session.execute(
            update(SearchMark).where(SearchMark.family == family).values(last_id=last_id)
        )
    else:
        session.execute(insert(SearchMark).values(family=family, last_id=last_id))
    marks[family] = last_id


def drain(session: Session, limit: int = DRAIN_LIMIT) -> Drained:
    """Reindex the records named by the oldest ``limit`` change notes and delete those
    notes (notes written meanwhile stay for the next run); then the records of each
    family above its mark (inserted without the unit of work), up to ``limit``."""
    notes = session.execute(
        select(SearchChange.id, SearchChange.kind, SearchChange.ref_id)
        .order_by(SearchChange.id)
        .limit(limit)
    ).all()
    by_family: dict[str, set[int]] = {}
    for _, family, ref_id in notes:
        if family in SOURCES:  # a family a later release dropped is skipped
            by_family.setdefault(family, set()).add(ref_id)
    if notes:
        session.execute(delete(SearchChange).where(SearchChange.id <= notes[-1][0]))
    marks = _marks(session)
    for family, source in SOURCES.items():
        table_id = source.table.id  # type: ignore[attr-defined]
        above = list(
            session.scalars(
                select(table_id)
                .where(table_id > marks.get(family, 0))
                .order_by(table_id)
                .limit(limit)
            )
        )
        if above:
            by_family.setdefault(family, set()).update(above)
            _set_mark(session, marks, family, above[-1])
    indexed = sum(reindex(session, f, sorted(ids)) for f, ids in by_family.items())
    return Drained(len(notes), sum(len(ids) for ids in by_family.values()), indexed)


def pending(session: Session) -> int:
    """Change notes not yet handled."""
    return session.scalar(select(func.count()).select_from(SearchChange)) or 0


def reindex_all(session: Session, progress: Callable[[str, int], None] | None = None) -> int:
    """Rebuild the whole index from the records (after bulk loads); the rows indexed."""
    last_note = session.scalar(select(func.max(SearchChange.id)))
    session.execute(delete(SearchDoc))
    marks = _marks(session)
    total = 0
    for family, source in SOURCES.items():
        table_id = source.table.id  # type: ignore[attr-defined]
        after = 0
        done = 0
        while True:
            ids = list(
                session.scalars(
                    select(table_id).where(table_id > after).order_by(table_id).limit(BATCH * 4)
                )
            )
            if not ids:
                break
            done += reindex(session, family, ids)
            after = ids[-1]
            _set_mark(session, marks, family, after)
            if progress:
                progress(family, done)
        total += done
    if last_note is not None:
        session.execute(delete(SearchChange).where(SearchChange.id <= last_note))
    return total
