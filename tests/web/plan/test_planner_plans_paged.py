"""/admin/plan's "Plans and year-end roll-up" list at a city's size (issue 17): paged
in SQL, 50 a page, the pager keeping the year and the other lists' pages, so the page
runs as many statements and loads as many plans for 3N plans of the year as for N."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.areas import create_area, get_area
from participation.plan.models import Plan
from participation.rules.areas import AreaKind
from tests.support.client import FormClient
from tests.support.queries import statements_of_page
from tests.support.world import World
from web.plan.office import _pager


def _plans(engine: Engine, world: World, n: int, tag: str) -> None:
    """``n`` more communities under the street, each with a plan for 2027."""
    with Session(engine) as s, s.begin():
        street = get_area(s, world["street"].id)
        for k in range(n):
            area = create_area(
                s, code=f"P{tag}{k}", name=f"社{tag}{k}", kind=AreaKind.COMMUNITY, parent=street
            )
            s.add(Plan(area_id=area.id, year=2027, title=f"计划{tag}{k}"))


@pytest.fixture
def loads() -> Iterator[list[int]]:
    """How many plans the ORM builds (one object per plan loaded)."""
    loaded = [0]

    def count(*_args: object) -> None:
        loaded[0] += 1

    event.listen(Plan, "load", count)
    yield loaded
    event.remove(Plan, "load", count)


def _listed(html: str) -> list[str]:
    found = re.search(r'<ul id="plans">(.*?)</ul>', html, re.S)
    assert found
    return re.findall(r"<li>(计划\w+) —", found.group(1))


def test_the_plans_are_paged_in_sql(
    client: FormClient, engine: Engine, world: World, loads: list[int]
) -> None:
    """Fails on the old code: every plan of the year was loaded and listed."""
    client.sign_in("admin")
    _plans(engine, world, 60, "a")
    loads[0] = 0
    few = len(statements_of_page(client, "/admin/plan"))
    few_loads = loads[0]
    _plans(engine, world, 120, "b")  # 3N
    loads[0] = 0
    assert len(statements_of_page(client, "/admin/plan")) == few
    assert loads[0] == few_loads <= 50
    page = client.get("/admin/plan").text
    assert len(_listed(page)) == 50
    assert "/admin/plan?year=2027&amp;late_page=1&amp;decide_page=1&amp;plans_page=2" in page
    last = client.get("/admin/plan?year=2027&plans_page=4").text
    assert len(_listed(last)) == 30  # 180 plans in all
    every = [
        name
        for n in range(1, 5)
        for name in _listed(client.get(f"/admin/plan?year=2027&plans_page={n}").text)
    ]
    assert sorted(every) == sorted(
        [f"计划a{k}" for k in range(60)] + [f"计划b{k}" for k in range(120)]
    )


def test_each_pager_keeps_the_year_and_the_other_lists_pages() -> None:
    links = _pager(2027, late=2, decide=3, plans=4)
    assert links["plans"] == "/admin/plan?year=2027&late_page=2&decide_page=3&plans_"
    assert links["late"] == "/admin/plan?year=2027&plans_page=4&decide_page=3&late_"
    assert links["decide"] == "/admin/plan?year=2027&plans_page=4&late_page=2&decide_"
    # The plans' first page is the default: the other links stay as they were.
    assert _pager(None, late=1, decide=1, plans=1)["late"] == "/admin/plan?decide_page=1&late_"


def test_a_planner_lists_only_the_plans_of_the_areas_they_plan(
    client: FormClient, engine: Engine, world: World
) -> None:
    with Session(engine) as s, s.begin():
        city = get_area(s, world["city"].id)
        elsewhere = create_area(s, code="D9", name="九区", kind=AreaKind.DISTRICT, parent=city)
        s.flush()
        s.add(Plan(area_id=elsewhere.id, year=2027, title="计划别处"))
        s.add(Plan(area_id=world["street"].id, year=2027, title="计划本街"))
    client.sign_in("admin")
    assert _listed(client.get("/admin/plan").text) == ["计划本街", "计划别处"]
    client.sign_in("staff")
    assert _listed(client.get("/admin/plan").text) == ["计划本街"]
