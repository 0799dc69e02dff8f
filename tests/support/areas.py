"""The smallest area tree a test needs: one city, district, street and community."""

from __future__ import annotations

from sqlalchemy.orm import Session

from participation.areas import Area, create_area
from participation.rules.areas import AreaKind


def one_community(s: Session, name: str = "社区") -> Area:
    """City C > district D > street S > community M (named ``name``); returns M."""
    city = create_area(s, code="C", name="市", kind=AreaKind.CITY, parent=None)
    district = create_area(s, code="D", name="区", kind=AreaKind.DISTRICT, parent=city)
    street = create_area(s, code="S", name="街", kind=AreaKind.STREET, parent=district)
    return create_area(s, code="M", name=name, kind=AreaKind.COMMUNITY, parent=street)
