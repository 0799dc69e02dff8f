"""The units staff may send a request to (participation.requests.places.unit_choice),
on SQLite and PostgreSQL, in a city (more areas than one <select> lists): from the
request's place, and after stepping to another area. What is listed was recorded on
the code before issue 17's last stop and must not change; the statements are one
from the request's place (held by the page) and two after a step."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.areas import Area
from participation.departments import Department
from participation.requests import places, units
from participation.requests.models import HandlingUnit
from tests.support.areas import more_streets
from tests.support.queries import statements
from tests.support.world import World


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


def _area(session: Session, code: str) -> Area:
    found = session.scalar(select(Area).where(Area.code == code))
    assert found is not None
    return found


@pytest.fixture
def city(engine: Engine, world: World) -> World:
    """The world grown past one <select> of areas, with departments placed in areas
    and in none, and mediation bodies near the world's grid, far from it and in the
    city (placed in no area below it)."""
    more_streets(engine, world["district"].id, places.FLAT_LIMIT, "a", grid=True)
    with Session(engine) as s, s.begin():
        s.add(Department(name="区城管执法局", area_id=world["district"].id))
        s.add(Department(name="一街道综治办", area_id=world["street"].id))
        units.add_mediation_body(s, s.merge(world["community"]), "一社区调委会", None)
        units.add_mediation_body(s, s.merge(world["street"]), "一街道调委会", None)
        units.add_mediation_body(s, _area(s, "Ma3"), "调委a3", None)
        units.add_mediation_body(s, _area(s, "Sa4"), "调委a4", None)
        units.add_mediation_body(s, s.merge(world["city"]), "市调委会", None)
    return world


def _departments(session: Session) -> list[tuple[str, str]]:
    """Every department, those of higher areas first, then by name (as the database
    orders names)."""
    rows = session.execute(
        select(Department.id, Department.name)
        .outerjoin(Area, Area.id == Department.area_id)
        .order_by(Area.path.is_(None), Area.path, Department.name)
    )
    return [(f"d:{i}", n) for i, n in rows]


def _key(session: Session, name: str) -> str:
    return f"u:{session.scalar(select(HandlingUnit.id).where(HandlingUnit.name == name))}"


def test_from_the_request_s_place_the_community_s_chain_and_grids(
    session: Session, city: World
) -> None:
    grid = session.get(Area, city["grid"].id)  # held by the page: no statement
    assert grid is not None
    with statements() as seen:
        shown = places.unit_choice(session, None, grid.id)
    assert not shown.flat
    assert [a.name for a in shown.chain] == ["测试市", "一区", "一街道", "一社区"]
    assert [a.name for a in shown.options] == ["一网格"]
    bodies = [(_key(session, n), n) for n in ("一社区调委会", "一街道调委会", "市调委会")]
    offices = [
        (f"a:{city['district'].id}", "一区"),
        (f"a:{city['street'].id}", "　一街道"),
        (f"a:{city['community'].id}", "　　一社区"),
        (f"a:{city['grid'].id}", "　　　一网格"),
    ]
    assert shown.choices[: -len(bodies)] == _departments(session) + offices
    assert sorted(shown.choices[-len(bodies) :]) == sorted(bodies)
    assert shown.paths[f"a:{city['grid'].id}"] == city["grid"].path
    assert shown.paths[bodies[0][0]] == city["community"].path
    assert len(seen) == 1, seen


def test_after_a_step_the_chain_and_children_of_the_area_chosen(
    session: Session, city: World
) -> None:
    district = city["district"]
    session.get(Area, city["grid"].id)
    with statements() as seen:
        shown = places.unit_choice(session, district.id, city["grid"].id)
    assert [a.name for a in shown.chain] == ["测试市", "一区"]
    streets = [a.name for a in shown.options]
    assert "一街道" in streets and "街a0" in streets and len(streets) == places.FLAT_LIMIT + 1
    names = [label.strip("　") for _, label in shown.choices]
    assert "一区" in names and "街a59" in names and "社a3" not in names
    # Bodies of the district's streets and of no area below the city; not those of
    # the communities further down.
    assert "调委a4" in names and "一街道调委会" in names and "市调委会" in names
    assert "调委a3" not in names and "一社区调委会" not in names
    assert len(seen) == 2, seen
    # A street's chain and communities: its community's body is listed.
    street = _area(session, "Sa3")
    stepped = places.unit_choice(session, street.id, None)
    assert [a.name for a in stepped.options] == ["社a3"]
    assert "调委a3" in [label for _, label in stepped.choices]


def test_an_area_that_is_not_gives_the_request_s_place(session: Session, city: World) -> None:
    grid = session.get(Area, city["grid"].id)
    assert grid is not None
    assert places.unit_choice(session, 999_999, grid.id) == places.unit_choice(
        session, None, grid.id
    )
