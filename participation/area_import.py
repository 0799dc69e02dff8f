"""Importing the area tree from CSV: all rows or none, with per-row reasons."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import audit
from participation.areas import Area, create_area
from participation.errors import N_, DomainError
from participation.rules.areas import AreaKind, child_kind

COLUMNS = ("code", "name", "kind", "parent_code")


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based line number in the file, header = 1
    reason: str  # an English msgid with %(name)s placeholders filled from params
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AreaImportResult:
    created: int
    errors: tuple[RowError, ...]


def import_areas_csv(
    session: Session,
    data: bytes,
    *,
    filename: str = "",
    actor_id: int | None = None,
    ip: str = "",
) -> AreaImportResult:
    """Create the areas listed in ``data`` (UTF-8 CSV: code,name,kind,parent_code).

    Parents must come before children (in the file or already in the database).
    Invariant: if any row is bad, nothing is created and every bad row is reported.
    An import that creates areas is audited (by ``actor_id``; None: the command line).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError("import.encoding", "The file must be UTF-8 encoded CSV.") from None
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or set(COLUMNS) - {f.strip() for f in reader.fieldnames}:
        raise DomainError(
            "import.columns", "The file needs the columns: code, name, kind, parent_code."
        )
    known = {code: AreaKind(kind) for code, kind in session.execute(select(Area.code, Area.kind))}
    planned: list[tuple[int, str, str, AreaKind, str]] = []
    errors: list[RowError] = []
    for line, row in enumerate(reader, start=2):
        code = (row.get("code") or "").strip()
        name = (row.get("name") or "").strip()
        parent = (row.get("parent_code") or "").strip()
        try:
            kind = AreaKind((row.get("kind") or "").strip())
        except ValueError:
            errors.append(
                RowError(line, N_("unknown kind (city, district, street, community, grid)"))
            )
            continue
        if not code or not name:
            errors.append(RowError(line, N_("code and name are required")))
        elif code in known:
            errors.append(RowError(line, N_("code %(code)s already exists"), {"code": code}))
        elif parent and parent not in known:
            errors.append(
                RowError(line, N_("parent %(code)s is not defined above"), {"code": parent})
            )
        elif child_kind(known[parent] if parent else None) != kind:
            errors.append(
                RowError(line, N_("this kind of area cannot be placed under that parent"))
            )
        else:
            known[code] = kind
            planned.append((line, code, name, kind, parent))
    if errors:
        return AreaImportResult(0, tuple(errors))
    by_code = {a.code: a for a in session.scalars(select(Area))}
    for _line, code, name, kind, parent in planned:
        by_code[code] = create_area(
            session, code=code, name=name, kind=kind, parent=by_code.get(parent)
        )
    audit.record(
        session,
        actor_id=actor_id,
        action="area.import",
        target=filename,
        ip=ip,
        created=len(planned),
    )
    return AreaImportResult(len(planned), ())
