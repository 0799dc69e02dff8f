"""The resident roll, deputy rolls and their import jobs (models).

ID numbers never appear in clear: ``id_hash`` is a keyed hash (see
:mod:`participation.rules.identity`). A roll entry verifies at most one account,
and an account is verified by at most one entry (``account_id`` is unique).

Each community's number of entries and of verified ones is kept in
``roll_counts`` (:class:`RollCount`), written in the transaction of every write
that changes it, so that the roll's page reads a page of communities' figures in
one small statement instead of counting a city's million entries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from sqlalchemy import (
    Connection,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Mapper, Session, mapped_column

from participation import accounts as _accounts  # noqa: F401  (tables our keys refer to)
from participation.areas import Area
from participation.db import Base, utcnow


class ImportJob(Base):
    """One upload of a roll file; progress is committed as it goes, data only at the end."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "residents" | "deputies" | "areas"
    filename: Mapped[str] = mapped_column(String(255), default="")
    scope_id: Mapped[int | None] = mapped_column()  # congress id for deputy rolls
    status: Mapped[str] = mapped_column(String(16), default="pending")
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    imported_rows: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    errors: Mapped[str] = mapped_column(Text, default="[]")  # JSON [{row, field, reason}]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Touched with every progress report; a running job silent for long has died.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()


class RollEntry(Base):
    __tablename__ = "roll_entries"
    # A community's entries and how many of them verified an account, from the
    # index alone (an area's residents; rebuilding ``roll_counts``).
    __table_args__ = (Index("ix_roll_entries_community_account", "community_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Their old values are loaded before a change (active history): the ORM's
    # writes move the community's counts from the old values to the new.
    community_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), active_history=True)
    name: Mapped[str] = mapped_column(String(60))
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    birth_date: Mapped[date] = mapped_column(Date)
    household_code: Mapped[str] = mapped_column(String(40), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id"), unique=True, active_history=True
    )
    verified_at: Mapped[datetime | None] = mapped_column()
    verified_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    import_job_id: Mapped[int | None] = mapped_column(ForeignKey("import_jobs.id"))


class RollCount(Base):
    """A community's roll entries and how many of them verified an account, equal
    at every commit to counting ``roll_entries`` (a community without entries may
    have no row: zero). Who writes roll entries keeps it:

    - the ORM's own writes (``session.add``, changing or deleting an entry) by the
      mapper events below, in the flush that writes the entry;
    - statements past the ORM by saying what they changed: an import
      (:func:`count_imported`), a verification and an unlinking
      (:func:`count_verified`); a bulk loader rebuilds it (:func:`rebuild_counts`).

    Each change is an upsert adding in the database (``verified = verified + 1``),
    so concurrent writers of one community both count on PostgreSQL too (the
    second waits for the first's commit on that one row)."""

    __tablename__ = "roll_counts"

    community_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    entries: Mapped[int] = mapped_column()
    verified: Mapped[int] = mapped_column()


def _add_counts(connection: Connection | Session, changes: Mapping[int, tuple[int, int]]) -> None:
    """Add (entries, verified) to each community's counts: one statement,
    communities in id order (two writers lock their rows in the same order)."""
    rows = [
        {"community_id": c, "entries": e, "verified": v}
        for c, (e, v) in sorted(changes.items())
        if e or v
    ]
    if not rows:
        return
    bind = connection.get_bind() if isinstance(connection, Session) else connection
    dialect = postgresql if bind.dialect.name == "postgresql" else sqlite
    table = RollCount.__table__
    for start in range(0, len(rows), 1000):  # inside both databases' parameter limits
        new = dialect.insert(table).values(rows[start : start + 1000])
        connection.execute(
            new.on_conflict_do_update(
                index_elements=["community_id"],
                set_={
                    "entries": table.c.entries + new.excluded.entries,
                    "verified": table.c.verified + new.excluded.verified,
                },
            )
        )


def count_imported(session: Session, communities: Sequence[int]) -> None:
    """New unverified entries were inserted past the ORM, one per item of
    ``communities`` (their community ids)."""
    _add_counts(session, {c: (n, 0) for c, n in Counter(communities).items()})


def count_verified(session: Session, community_id: int, change: int) -> None:
    """``change`` entries of a community were linked to an account (1) or
    unlinked (-1) past the ORM."""
    _add_counts(session, {community_id: (0, change)})


def rebuild_counts(session: Session) -> int:
    """Count every community's entries afresh; returns the rows written.

    Invariant afterwards: ``roll_counts`` holds one row per community with roll
    entries, and its ``entries`` and ``verified`` equal counting ``roll_entries``
    (all of them, and those with an account) for that community; a community
    without entries has no row (zero). Exact and idempotent whatever the summary
    held before (stale, wrong or missing rows), in three statements inside the
    caller's transaction, so readers see the old counts or the new, never a mix.

    For whoever writes entries past the ORM without saying what they changed: the
    bulk loaders (demo, bench, tests) at their end, and operators after a restore
    or a hand-made change (``gongzhi rolls recount``); also what migration 0059 did."""
    session.execute(delete(RollCount))
    session.execute(
        insert(RollCount).from_select(
            ["community_id", "entries", "verified"],
            select(RollEntry.community_id, func.count(), func.count(RollEntry.account_id)).group_by(
                RollEntry.community_id
            ),
        )
    )
    # Counted, not the INSERT's rowcount: some drivers do not report one for it.
    return int(session.scalar(select(func.count()).select_from(RollCount)) or 0)


@event.listens_for(RollEntry, "after_insert")
def _count_inserted(_mapper: Mapper[RollEntry], connection: Connection, entry: RollEntry) -> None:
    _add_counts(connection, {entry.community_id: (1, int(entry.account_id is not None))})


@event.listens_for(RollEntry, "after_delete")
def _count_deleted(_mapper: Mapper[RollEntry], connection: Connection, entry: RollEntry) -> None:
    _add_counts(connection, {entry.community_id: (-1, -int(entry.account_id is not None))})


@event.listens_for(RollEntry, "after_update")
def _count_updated(_mapper: Mapper[RollEntry], connection: Connection, entry: RollEntry) -> None:
    """An entry moved to another community, or was linked or unlinked: off the
    old values' counts, onto the new ones'."""
    state = inspect(entry)

    def before(name: str) -> object:
        history = state.attrs[name].history
        return history.deleted[0] if history.deleted else getattr(entry, name)

    old_community, old_account = before("community_id"), before("account_id")
    if old_community == entry.community_id and (old_account is None) == (entry.account_id is None):
        return
    assert isinstance(old_community, int)
    moved: dict[int, tuple[int, int]] = {}
    for community, entries, verified in (
        (old_community, -1, -int(old_account is not None)),
        (entry.community_id, 1, int(entry.account_id is not None)),
    ):
        e, v = moved.get(community, (0, 0))
        moved[community] = (e + entries, v + verified)
    _add_counts(connection, moved)


class Congress(Base):
    """A people's congress at one level (区 or 街道/镇), term (届) and session (次会议)."""

    __tablename__ = "congresses"
    __table_args__ = (UniqueConstraint("area_id", "term", "session_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    term: Mapped[int] = mapped_column()
    session_number: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(String(120))


class DeputyEntry(Base):
    __tablename__ = "deputy_entries"
    __table_args__ = (
        UniqueConstraint("congress_id", "id_hash"),
        UniqueConstraint("congress_id", "account_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    id_hash: Mapped[str] = mapped_column(String(64))
    constituency: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str | None] = mapped_column(String(20))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    import_job_id: Mapped[int | None] = mapped_column(ForeignKey("import_jobs.id"))


def unlink_account(session: Session, account_id: int) -> int:
    """Free the roll entry that verified this account (its account closed): the
    roll is the community's register, so the entry stays, unverified, for the same
    person to verify a new account; its community counts one verified fewer.
    Returns how many entries were unlinked (at most one)."""
    communities = session.scalars(
        select(RollEntry.community_id).where(RollEntry.account_id == account_id)
    ).all()
    session.execute(
        update(RollEntry)
        .where(RollEntry.account_id == account_id)
        .values(account_id=None, verified_at=None, verified_by=None)
        .execution_options(synchronize_session=False)
    )
    for community in communities:
        count_verified(session, community, -1)
    return len(communities)


# --- reading the rolls ------------------------------------------------------------------


def entry_of_account(session: Session, account_id: int) -> RollEntry | None:
    """The roll entry that verified this account, if any (at most one)."""
    return session.scalar(select(RollEntry).where(RollEntry.account_id == account_id))


def entry_and_community(session: Session, account_id: int) -> tuple[RollEntry, Area] | None:
    """The roll entry that verified this account and its community, in one
    statement, or None."""
    row = session.execute(
        select(RollEntry, Area)
        .join(Area, Area.id == RollEntry.community_id)
        .where(RollEntry.account_id == account_id)
    ).first()
    return (row[0], row[1]) if row is not None else None


def residents_under(session: Session, area: Area) -> int:
    """How many roll entries the communities at or below ``area`` hold: the count
    searches the entries of those communities by index (joining the areas instead
    scanned every entry of the city's roll, a million, even for one grid)."""
    under = select(Area.id).where(Area.path.startswith(area.path))
    return (
        session.scalar(
            select(func.count())
            .select_from(RollEntry)
            .where(RollEntry.community_id.in_(under.scalar_subquery()))
        )
        or 0
    )


def verified_count(session: Session) -> int:
    """How many roll entries have verified an account, everywhere."""
    return (
        session.scalar(
            select(func.count()).select_from(RollEntry).where(RollEntry.account_id.is_not(None))
        )
        or 0
    )


#: Communities a page of the roll's page (/admin/rolls).
COMMUNITIES_PER_PAGE = 50


def community_counts(
    session: Session, path: str | None, *, page: int = 1, per_page: int = COMMUNITIES_PER_PAGE
) -> tuple[list[tuple[Area, int, int]], int, int]:
    """Page ``page`` (from 1; past the end: the last) of the communities (at or
    below ``path``; None: all), in path order, each with its number of roll
    entries and of verified ones; with how many communities there are and the
    page's number. Two statements, whatever the size of the roll: the areas
    counted, and the page's communities beside their rows of ``roll_counts``
    (counting the page's entries instead, even from an index, read 100,000 index
    entries for a page of a city's communities, 2,000 each: 5-8 ms on every view)."""
    chosen = [Area.kind == "community"]
    if path:
        chosen.append(Area.path.startswith(path))
    total = int(session.scalar(select(func.count()).select_from(Area).where(*chosen)) or 0)
    page = min(max(1, page), max(1, -(-total // per_page)))
    query = (
        select(Area, func.coalesce(RollCount.entries, 0), func.coalesce(RollCount.verified, 0))
        .outerjoin(RollCount, RollCount.community_id == Area.id)
        .where(*chosen)
        .order_by(Area.path)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [
        (area, int(entries), int(verified)) for area, entries, verified in session.execute(query)
    ]
    return rows, total, page


def recent_jobs(
    session: Session, kind: str, *, scope_id: int | None = None, limit: int = 20
) -> Sequence[ImportJob]:
    """The latest import jobs of a kind (of one scope when ``scope_id`` is given)."""
    query = select(ImportJob).where(ImportJob.kind == kind)
    if scope_id is not None:
        query = query.where(ImportJob.scope_id == scope_id)
    return session.scalars(query.order_by(ImportJob.id.desc()).limit(limit)).all()


def get_job(session: Session, job_id: int) -> ImportJob | None:
    return session.get(ImportJob, job_id)


def job_area(session: Session, job: ImportJob) -> Area | None:
    """The area a roll import concerns: a resident roll's importer's area, a deputy
    roll's congress's area; None when imported with a grant over everywhere."""
    if job.scope_id is None:
        return None
    if job.kind == "deputies":
        congress = session.get(Congress, job.scope_id)
        return session.get(Area, congress.area_id) if congress is not None else None
    return session.get(Area, job.scope_id)


def job_areas(session: Session, jobs: Sequence[ImportJob]) -> dict[int, Area | None]:
    """``job_area`` of each of ``jobs``, by job id, in at most two statements
    whatever their number (a list of jobs asked one area per job)."""
    residents = {j.scope_id for j in jobs if j.kind == "residents" and j.scope_id is not None}
    deputies = {j.scope_id for j in jobs if j.kind == "deputies" and j.scope_id is not None}
    areas: dict[int, Area] = {}
    if residents:
        areas = {a.id: a for a in session.scalars(select(Area).where(Area.id.in_(residents)))}
    of_congress: dict[int, Area] = {}
    if deputies:
        rows = session.execute(
            select(Congress.id, Area)
            .join(Area, Area.id == Congress.area_id)
            .where(Congress.id.in_(deputies))
        )
        of_congress = {congress_id: area for congress_id, area in rows}
    found: dict[int, Area | None] = {}
    for job in jobs:
        if job.scope_id is None or job.kind not in ("residents", "deputies"):
            found[job.id] = None
        elif job.kind == "deputies":
            found[job.id] = of_congress.get(job.scope_id)
        else:
            found[job.id] = areas.get(job.scope_id)
    return found
