"""Downloading one's data: every table's rows about the person, as JSON and as a
readable page, in a ZIP written to a file (never held whole in memory)."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime, timedelta
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation import audit
from participation.accounts import Account
from participation.audit import AuditEntry
from participation.errors import N_, DomainError
from participation.privacy.tables import Coverage, Person

#: Three downloads an hour per account: each reads every table about the person.
EXPORTS_PER_HOUR = 3
TOO_MANY = N_("You have downloaded your data several times in the last hour. Please try later.")


def check_export_allowed(session: Session, account_id: int, now: datetime) -> None:
    """Refuse (429) a fourth download within an hour; the audit log counts them."""
    recent = session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.actor_id == account_id,
            AuditEntry.action == "privacy.export",
            AuditEntry.at > now - timedelta(hours=1),
        )
    )
    if (recent or 0) >= EXPORTS_PER_HOUR:
        raise DomainError("privacy.export_rate", TOO_MANY, status=429)


def collect(session: Session, account: Account, coverage: Coverage) -> dict[str, Any]:
    """The person's data, table by table (only tables with rows about them)."""
    from participation.privacy.closing import person_of

    person: Person = person_of(session, account)
    data: dict[str, Any] = {}
    for entry in coverage.entries:
        if entry.export is None:
            continue
        found = entry.export(session, person)
        if found:
            data.setdefault(entry.table, []).extend(found)
    return data


def record_export(session: Session, account_id: int, *, ip: str = "") -> None:
    audit.record(
        session, actor_id=account_id, action="privacy.export", target=f"account:{account_id}", ip=ip
    )


def write_zip(data: dict[str, Any], page: str, into: IO[bytes], *, made_at: datetime) -> None:
    """Write ``data.json`` (machine-readable) and ``index.html`` (the readable page)."""
    document = {"generated_at": made_at.isoformat(), "tables": data}
    with zipfile.ZipFile(into, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=1))
        archive.writestr("index.html", page)
