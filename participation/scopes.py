"""SQL conditions for "within these areas", shared by the personal home's services."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, false, or_, true
from sqlalchemy.orm import InstrumentedAttribute


def under_any(path: InstrumentedAttribute[str], paths: Sequence[str] | None) -> ColumnElement[bool]:
    """``path`` lies at or below one of ``paths`` (None: anywhere; []: nowhere).
    One LIKE per path, on the indexed materialized path; grants are few."""
    if paths is None:
        return true()
    if not paths:
        return false()
    return or_(*(path.startswith(p, autoescape=True) for p in paths))
