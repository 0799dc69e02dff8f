"""Departments placed around a place, for the tests of department choices bounded
to the departments that serve it (participation.departments.serving)."""

from __future__ import annotations

import re

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.areas import create_area, get_area
from participation.departments import Department
from participation.rules.areas import AreaKind


def elsewhere(engine: Engine, city_id: int, count: int, tag: str) -> None:
    """A district of its own under the city, with ``count`` departments placed in it
    (named 外区单位{tag}NNN): a city's other departments, which serve other places."""
    with Session(engine) as s, s.begin():
        district = create_area(
            s,
            code=f"OD{tag}",
            name=f"外区{tag}",
            kind=AreaKind.DISTRICT,
            parent=get_area(s, city_id),
        )
        s.add_all(
            Department(name=f"外区单位{tag}{n:03d}", area_id=district.id) for n in range(count)
        )


def placed(engine: Engine, area_id: int, name: str) -> None:
    """A department placed in the area ``area_id``."""
    with Session(engine) as s, s.begin():
        s.add(Department(name=name, area_id=area_id))


def offered(html: str, select_id: str) -> list[str]:
    """The option values of the <select> ``select_id`` (the empty choice aside)."""
    found = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert found, select_id
    return [v for v in re.findall(r'<option value="([^"]*)"', found.group(1)) if v]
