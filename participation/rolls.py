"""The resident roll, deputy rolls and their import jobs (models).

ID numbers never appear in clear: ``id_hash`` is a keyed hash (see
:mod:`participation.rules.identity`). A roll entry verifies at most one account,
and an account is verified by at most one entry (``account_id`` is unique).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

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
    # index alone (the roll's page counts a page of communities by it).
    __table_args__ = (Index("ix_roll_entries_community_account", "community_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    name: Mapped[str] = mapped_column(String(60))
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    birth_date: Mapped[date] = mapped_column(Date)
    household_code: Mapped[str] = mapped_column(String(40), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), unique=True)
    verified_at: Mapped[datetime | None] = mapped_column()
    verified_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    import_job_id: Mapped[int | None] = mapped_column(ForeignKey("import_jobs.id"))


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
    page's number. Two statements, whatever the size of the roll: only the page's
    communities' entries are counted, each community's from the index on
    (community_id, account_id) alone (counting the whole city's roll, a million
    entries, to show every community took 140 ms; a join grouped by community
    sorted the page's hundred thousand entries)."""
    chosen = [Area.kind == "community"]
    if path:
        chosen.append(Area.path.startswith(path))
    total = int(session.scalar(select(func.count()).select_from(Area).where(*chosen)) or 0)
    page = min(max(1, page), max(1, -(-total // per_page)))
    of_area = RollEntry.community_id == Area.id
    entries = select(func.count()).where(of_area).correlate(Area).scalar_subquery()
    verified = (
        select(func.count())
        .where(of_area, RollEntry.account_id.is_not(None))
        .correlate(Area)
        .scalar_subquery()
    )
    query = (
        select(Area, entries, verified)
        .where(*chosen)
        .order_by(Area.path)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [(area, entries, verified) for area, entries, verified in session.execute(query)]
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
