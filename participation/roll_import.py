"""Importing resident and deputy rolls from CSV or XLSX, all rows or none.

A job validates every row first, committing its progress in short transactions
of their own, so a page or the CLI can show it; only when no row is wrong are
all rows written, in one transaction. A failure at any point leaves the roll as
it was and the job marked failed with its per-row report.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from participation import audit
from participation.areas import Area
from participation.db import utcnow
from participation.errors import N_, DomainError
from participation.rolls import DeputyEntry, ImportJob, RollEntry, count_imported
from participation.rules.areas import AreaKind
from participation.rules.roll_rows import (
    DEPUTY_FIELDS,
    RESIDENT_FIELDS,
    DeputyRecord,
    ResidentRecord,
    RowError,
    check_deputy_row,
    check_resident_row,
    map_header,
    missing_columns,
)

PROGRESS_EVERY = 2000
MAX_REPORTED_ERRORS = 1000
Progress = Callable[[ImportJob], None]


def read_rows(filename: str, data: bytes) -> tuple[list[object], Iterator[list[object]]]:
    """Header and data rows of a CSV (UTF-8 or GB18030) or XLSX file."""
    if not data.strip():
        raise DomainError("import.empty", N_("The file is empty."))
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        return _xlsx_rows(data)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DomainError("import.encoding", N_("The file must be CSV (UTF-8 or GBK) or XLSX."))
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    return list(header), (list(row) for row in reader)


def _xlsx_rows(data: bytes) -> tuple[list[object], Iterator[list[object]]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError):
        raise DomainError("import.xlsx", N_("The XLSX file cannot be read.")) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = list(next(rows, ()))
    return header, (list(row) for row in rows)


def start_job(
    session: Session,
    kind: str,
    filename: str,
    created_by: int | None,
    scope_id: int | None = None,
    *,
    ip: str = "",
) -> ImportJob:
    """A pending import of a resident roll (``scope_id``: the importer's area) or of
    a congress's deputy roll (``scope_id``: the congress), audited."""
    job = ImportJob(
        kind=kind,
        filename=filename[:255],
        created_by=created_by,
        scope_id=scope_id,
        status="pending",
    )
    session.add(job)
    session.flush()
    target = f"job:{job.id}"
    if kind == "deputies":
        audit.record(
            session,
            actor_id=created_by,
            action="deputies.import",
            target=target,
            ip=ip,
            congress=scope_id,
        )
    else:
        audit.record(
            session,
            actor_id=created_by,
            action="roll.import",
            target=target,
            ip=ip,
            filename=filename,
        )
    return job


def _save(sessions: sessionmaker[Session], job_id: int, **values: Any) -> ImportJob:
    with sessions.begin() as session:
        job = session.get(ImportJob, job_id)
        assert job is not None
        for key, value in values.items():
            setattr(job, key, value)
        job.updated_at = utcnow()
        session.flush()
        session.expunge(job)
        return job


def run_job(
    sessions: sessionmaker[Session],
    job_id: int,
    data: bytes,
    *,
    secret: bytes,
    scope_path: str | None = None,
    progress: Progress | None = None,
) -> ImportJob:
    """Run an import job to the end: done (all rows written) or failed (none)."""
    report = progress or (lambda job: None)
    with sessions() as session:
        job = session.get(ImportJob, job_id)
        assert job is not None
        kind, filename, congress_id = job.kind, job.filename, job.scope_id
    try:
        header, rows = read_rows(filename, data)
        mapping = map_header(header)
        required = RESIDENT_FIELDS if kind == "residents" else DEPUTY_FIELDS
        missing = missing_columns(mapping, required)
        if missing:
            raise DomainError(
                "import.columns",
                N_("The file lacks the columns: %(columns)s"),
                params={"columns": ", ".join(missing)},
            )
        records, errors, total = _validate(
            sessions, job_id, kind, congress_id, mapping, rows, secret, scope_path, report
        )
        if errors:
            return _fail(sessions, job_id, errors, total, report)
        report(_save(sessions, job_id, status="writing", total_rows=total, processed_rows=total))
        with sessions.begin() as session:
            written = _write(session, kind, records, job_id, congress_id)
        job = _save(sessions, job_id, status="done", imported_rows=written, finished_at=utcnow())
    except DomainError as error:
        message = RowError(0, "", error.message, {k: str(v) for k, v in error.params.items()})
        return _fail(sessions, job_id, [message], 0, report)
    except Exception as error:
        _fail(
            sessions, job_id, [RowError(0, "", N_("The import stopped unexpectedly."))], 0, report
        )
        raise error
    report(job)
    return job


def _fail(
    sessions: sessionmaker[Session],
    job_id: int,
    errors: list[RowError],
    total: int,
    report: Progress,
) -> ImportJob:
    job = _save(
        sessions,
        job_id,
        status="failed",
        total_rows=total,
        error_count=len(errors),
        errors=json.dumps([e.to_json() for e in errors[:MAX_REPORTED_ERRORS]], ensure_ascii=False),
        finished_at=utcnow(),
    )
    report(job)
    return job


def _validate(
    sessions: sessionmaker[Session],
    job_id: int,
    kind: str,
    congress_id: int | None,
    mapping: dict[int, str],
    rows: Iterator[list[object]],
    secret: bytes,
    scope_path: str | None,
    report: Progress,
) -> tuple[list[Any], list[RowError], int]:
    with sessions() as session:
        communities = dict(
            session.execute(
                select(Area.code, Area.path).where(Area.kind == AreaKind.COMMUNITY.value)
            ).all()
        )
        if kind == "residents":
            on_roll = set(session.scalars(select(RollEntry.id_hash)))
        else:
            on_roll = set(
                session.scalars(
                    select(DeputyEntry.id_hash).where(DeputyEntry.congress_id == congress_id)
                )
            )
    records: list[Any] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    line = 1
    report(_save(sessions, job_id, status="validating"))
    for line, row in enumerate(rows, start=2):
        if not any(str(v or "").strip() for v in row):
            continue  # blank lines at the end of spreadsheets
        values = {field: row[i] if i < len(row) else None for i, field in mapping.items()}
        if kind == "residents":
            checked: ResidentRecord | DeputyRecord | list[RowError] = check_resident_row(
                line, values, secret, communities, scope_path
            )
        else:
            checked = check_deputy_row(line, values, secret)
        if isinstance(checked, list):
            errors.extend(checked)
        elif checked.id_hash in seen:
            errors.append(
                RowError(
                    line,
                    "id_number",
                    N_("the same ID number is on row %(row)s"),
                    {"row": str(seen[checked.id_hash])},
                )
            )
        elif checked.id_hash in on_roll:
            errors.append(RowError(line, "id_number", N_("this person is already on the roll")))
        else:
            seen[checked.id_hash] = line
            records.append(checked)
        if line % PROGRESS_EVERY == 0:
            report(_save(sessions, job_id, processed_rows=line - 1, error_count=len(errors)))
    return records, errors, max(0, line - 1)


def _write(
    session: Session, kind: str, records: list[Any], job_id: int, congress_id: int | None
) -> int:
    if kind == "residents":
        ids = dict(
            session.execute(
                select(Area.code, Area.id).where(Area.kind == AreaKind.COMMUNITY.value)
            ).all()
        )
        rows = [
            {
                "community_id": ids[r.community_code],
                "name": r.name,
                "id_hash": r.id_hash,
                "birth_date": r.birth_date,
                "household_code": r.household_code,
                "phone": r.phone,
                "import_job_id": job_id,
            }
            for r in records
        ]
        model: type[RollEntry] | type[DeputyEntry] = RollEntry
    else:
        rows = [
            {
                "congress_id": congress_id,
                "name": r.name,
                "id_hash": r.id_hash,
                "constituency": r.constituency,
                "phone": r.phone,
                "import_job_id": job_id,
            }
            for r in records
        ]
        model = DeputyEntry
    for start in range(0, len(rows), 5000):
        session.execute(insert(model), rows[start : start + 5000])
    if kind == "residents":  # past the ORM: the communities' counts are told
        count_imported(session, [row["community_id"] for row in rows])
    return len(rows)


def job_errors(job: ImportJob) -> list[dict[str, Any]]:
    return list(json.loads(job.errors or "[]"))


RUNNING = ("pending", "validating", "writing")
STALE_AFTER = timedelta(minutes=10)


def recover_stale_jobs(session: Session, now: datetime) -> int:
    """Mark jobs that stopped reporting (their process died) as failed.

    Safe because a job writes the roll in one transaction: a job that died
    imported nothing. Invariant: a job is never left "running" forever.
    """
    stale = session.scalars(
        select(ImportJob).where(
            ImportJob.status.in_(RUNNING), ImportJob.updated_at < now - STALE_AFTER
        )
    ).all()
    for job in stale:
        job.status = "failed"
        job.error_count = 1
        job.errors = json.dumps([RowError(0, "", INTERRUPTED).to_json()])
        job.finished_at = now
    return len(stale)


INTERRUPTED = N_("The import was interrupted before it finished; nothing was imported.")
