"""Organizations on the personal home's to-do list: registrations waiting for
verification where a person may verify them. One statement."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.orm import Session

from participation.areas import Area
from participation.organizations.models import Organization
from participation.scopes import under_any


def to_verify(session: Session, paths: Sequence[str] | None) -> int:
    """Organizations registered within ``paths`` and not yet verified or rejected."""
    return session.scalar(select(to_verify_count(paths))) or 0


def to_verify_count(paths: Sequence[str] | None) -> ScalarSelect[int]:
    """``to_verify`` as a scalar subquery (the to-do list counts in one statement)."""
    return (
        select(func.count())
        .select_from(Organization)
        .join(Area, Area.id == Organization.area_id)
        .where(Organization.status == "pending", under_any(Area.path, paths))
        .scalar_subquery()
    )
