"""The grid pages' three long lists are paged in SQL (a city has thousands of grid
workers, rules on thousands of areas and a year of visits): the assignment form's
grid workers, the visits and the visit rules, each a page at a time with the pager,
filters kept, bad page numbers answered with a normal page, other areas' rows hidden,
and as many statements for 3N rows as for N."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation import areas
from participation.accounts import Account, RoleGrant
from participation.areas import Area, create_area
from participation.requests.grids import GridVisit, GridVisitRule
from participation.rules.areas import AreaKind
from participation.rules.permissions import Role
from tests.support.client import FormClient
from tests.support.queries import page_selects
from tests.support.requests import NOW
from tests.support.world import World

TODAY = date(2026, 5, 13)  # NOW's local day
BAD_PAGES = ["abc", "0", "-3", "1e3", "", "999999999999", "99999999999999999999999"]


def _workers(engine: Engine, area: Area, n: int, name: str) -> None:
    """``n`` grid workers granted the role on ``area``, named ``name`` and a number."""
    with Session(engine) as s, s.begin():
        ids = s.scalars(
            insert(Account).returning(Account.id),
            [{"display_name": f"{name}{k:04d}"} for k in range(n)],
        ).all()
        s.execute(
            insert(RoleGrant),
            [{"account_id": i, "role": Role.GRID_WORKER.value, "area_id": area.id} for i in ids],
        )


def _visits(engine: Engine, grid: Area, n: int, cadre: str, skip: int = 0) -> None:
    """``n`` visits to ``grid``, one a day back from TODAY (after ``skip`` days)."""
    with Session(engine) as s, s.begin():
        s.execute(
            insert(GridVisit),
            [
                {
                    "grid_id": grid.id,
                    "cadre": f"{cadre}{k:04d}",
                    "visited_on": TODAY - timedelta(days=skip + k),
                    "findings": "",
                }
                for k in range(n)
            ],
        )


def _ruled_grids(engine: Engine, parent: Area, n: int, tag: str) -> None:
    """``n`` grids under ``parent``, each with its visit rule."""
    with Session(engine) as s, s.begin():
        under = s.get(Area, parent.id)
        for k in range(n):
            grid = create_area(
                s, code=f"R{tag}{k}", name=f"规则网格{tag}{k:04d}", kind=AreaKind.GRID, parent=under
            )
            s.add(GridVisitRule(area_id=grid.id, digits="50"))


def _tree_order(engine: Engine, tag: str) -> list[str]:
    """The names of the ruled grids ``tag`` in tree order (by path: "/…/100/" before
    "/…/20/")."""
    with Session(engine) as s:
        return list(
            s.scalars(
                select(Area.name).where(Area.name.startswith(f"规则网格{tag}")).order_by(Area.path)
            )
        )


def _between(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0] if start in html else ""


def _offered(html: str) -> list[str]:
    """The grid workers the assignment form's <select> offers."""
    block = _between(html, 'id="f-worker_id"', "</select>")
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', block)


def _visits_shown(html: str) -> list[str]:
    return re.findall(r"走访人\w+|外访人\w+", _between(html, 'id="visits"', "</ul>"))


def _rules_shown(html: str) -> list[str]:
    return re.findall(r"规则网格\w+", _between(html, 'id="visit-rules"', "</ul>"))


# --- grid workers -----------------------------------------------------------------


def test_the_201st_grid_worker_is_on_a_page_of_its_own(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    """Fails on the old code: the form offered the first 200 workers by name, no more."""
    app.state.fixed_now = NOW
    _workers(engine, world["community"], 201, "网格员")  # and 测试grid_worker, first
    client.sign_in("admin")
    first = client.get("/admin/requests/grids").text
    assert len(_offered(first)) == 50 and "网格员0200" not in first
    assert 'href="/admin/requests/grids?workers_page=2" rel="next"' in first
    last = client.get("/admin/requests/grids?workers_page=5").text
    assert _offered(last) == ["网格员0199", "网格员0200"]  # the 201st and 202nd by name
    assert "第 5 页，共 5 页" in last and 'rel="next"' not in _between(
        last, "f-worker_id", "</div>"
    )


def test_workers_are_found_by_name_and_filters_kept_across_pages(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    _workers(engine, world["community"], 120, "甲网格员")
    _workers(engine, world["community"], 30, "乙网格员")
    community = world["community"].id
    client.sign_in("admin")
    found = client.get(f"/admin/requests/grids?area={community}&worker=%E7%94%B2").text
    assert len(_offered(found)) == 50 and all(n.startswith("甲") for n in _offered(found))
    # The pager keeps the grid reached and the name; the search keeps the grid.
    assert (
        f'href="/admin/requests/grids?area={community}&amp;worker=%E7%94%B2&amp;workers_page=2"'
        in found
    )
    assert f'<input type="hidden" name="area" value="{community}">' in found
    third = client.get(f"/admin/requests/grids?area={community}&worker=甲&workers_page=3").text
    assert _offered(third) == [f"甲网格员{k:04d}" for k in range(100, 120)]
    none = client.get("/admin/requests/grids?worker=%25_%25").text  # LIKE's wildcards, escaped
    assert _offered(none) == [] and 'id="f-worker_id-none"' in none


def test_a_refused_assignment_shows_the_same_page_of_workers_with_the_choice_kept(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    _workers(engine, world["community"], 120, "网格员")
    with Session(engine) as s:
        chosen = s.scalar(select(Account.id).where(Account.display_name == "网格员0110"))
    client.sign_in("communityworker")
    url = "/admin/requests/grids?workers_page=3"
    page = client.get(url).text
    assert 'action="/admin/requests/grids?workers_page=3"' in page
    refused = client.submit(
        url,
        {"grid_id": str(world["grid"].id), "worker_id": str(chosen), "starts_on": ""},
        page=url,
    )
    assert refused.status_code == 422
    assert f'<option value="{chosen}" selected>网格员0110</option>' in refused.text


def test_grid_workers_of_other_areas_stay_hidden_on_every_page(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    _workers(engine, world["community"], 60, "网格员")
    _workers(engine, world["other"], 60, "外网格员")
    _workers(engine, world["street"], 2, "街道网格员")  # above the community: offered
    client.sign_in("communityworker")
    first = client.get("/admin/requests/grids").text
    second = client.get("/admin/requests/grids?workers_page=2").text
    assert "第 2 页，共 2 页" in second
    offered = _offered(first) + _offered(second)
    assert len(offered) == 63 and not any(n.startswith("外") for n in offered)
    client.sign_in("admin")
    assert "第 1 页，共 3 页" in client.get("/admin/requests/grids").text  # all 123


def test_the_assignment_page_runs_as_many_statements_for_3n_workers(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    client.sign_in("admin")
    _workers(engine, world["community"], 60, "网格员")
    few, _ = page_selects(engine, client, "/admin/requests/grids?workers_page=2")
    _workers(engine, world["community"], 120, "新网格员")
    many, text = page_selects(engine, client, "/admin/requests/grids?workers_page=2")
    assert many == few and len(_offered(text)) == 50


# --- visits -------------------------------------------------------------------------


def test_the_101st_visit_is_on_page_three(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    """Fails on the old code: the latest 100 visits were listed, no more."""
    app.state.fixed_now = NOW
    _visits(engine, world["grid"], 101, "走访人")
    client.sign_in("admin")
    first = client.get("/admin/requests/visits").text
    assert _visits_shown(first) == [f"走访人{k:04d}" for k in range(50)]
    assert 'href="/admin/requests/visits?page=2" rel="next"' in first
    second = client.get("/admin/requests/visits?page=2").text
    assert "第 2 页" in second and 'rel="next"' in second  # no count: "page 2", not "of 3"
    third = client.get("/admin/requests/visits?page=3").text
    assert _visits_shown(third) == ["走访人0100"]
    assert 'href="/admin/requests/visits?page=2" rel="prev"' in third
    assert 'href="/admin/requests/visits?page=4"' not in third


def test_visits_of_other_areas_stay_hidden_on_every_page(
    app: Starlette,
    client: FormClient,
    engine: Engine,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A community worker's visits are read by grid (the scope narrower than a street),
    an admin's latest first: both keep to the same rule."""
    app.state.fixed_now = NOW
    monkeypatch.setattr(areas, "FLAT_AREAS", 0)  # a city's tree: ?area= narrows the lists
    with Session(engine, expire_on_commit=False) as s, s.begin():
        outside = create_area(
            s, code="G9", name="九网格", kind=AreaKind.GRID, parent=s.get(Area, world["other"].id)
        )
    _visits(engine, world["grid"], 60, "走访人")
    _visits(engine, outside, 60, "外访人")
    client.sign_in("communityworker")
    first = client.get("/admin/requests/visits").text
    second = client.get("/admin/requests/visits?page=2").text
    shown = _visits_shown(first) + _visits_shown(second)
    assert shown == [f"走访人{k:04d}" for k in range(60)] and 'rel="next"' not in second
    client.sign_in("admin")
    everywhere = client.get("/admin/requests/visits?page=3").text
    assert len(_visits_shown(everywhere)) == 20  # 120 visits in all, latest first
    narrowed = client.get(f"/admin/requests/visits?area={world['community'].id}&page=2").text
    assert _visits_shown(narrowed) == [f"走访人{k:04d}" for k in range(50, 60)]
    assert f'href="/admin/requests/visits?area={world["community"].id}&amp;page=1"' in narrowed


@pytest.mark.parametrize("login", ["admin", "communityworker"])
def test_the_visits_page_runs_as_many_statements_for_3n_visits_and_rules(
    app: Starlette, client: FormClient, engine: Engine, world: World, login: str
) -> None:
    app.state.fixed_now = NOW
    client.sign_in(login)
    _visits(engine, world["grid"], 60, "走访人")
    _ruled_grids(engine, world["community"], 60, "a")
    few, _ = page_selects(engine, client, "/admin/requests/visits?page=2&rules_page=2")
    _visits(engine, world["grid"], 120, "走访人", skip=60)
    _ruled_grids(engine, world["community"], 120, "b")
    many, text = page_selects(engine, client, "/admin/requests/visits?page=2&rules_page=2")
    assert many == few
    assert len(_visits_shown(text)) == 50 and len(_rules_shown(text)) == 50


# --- visit rules -----------------------------------------------------------------------


def test_the_101st_visit_rule_is_on_page_three_and_others_stay_hidden(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    """Fails on the old code: the first 100 rules in tree order were listed, no more."""
    app.state.fixed_now = NOW
    _ruled_grids(engine, world["community"], 101, "a")
    _ruled_grids(engine, world["other"], 5, "z")
    client.sign_in("communityworker")
    first = client.get("/admin/requests/visits?page=1").text
    assert len(_rules_shown(first)) == 50 and "规则网格z" not in first
    # Paging the rules keeps the visits' page, and the other way round.
    assert 'href="/admin/requests/visits?page=1&amp;rules_page=2" rel="next"' in first
    third = client.get("/admin/requests/visits?rules_page=3").text
    assert _rules_shown(third) == _tree_order(engine, "a")[100:]
    client.sign_in("admin")
    assert "规则网格z0004" in client.get("/admin/requests/visits?rules_page=3").text


# --- bad page numbers -----------------------------------------------------------------


@pytest.mark.parametrize("bad", BAD_PAGES)
def test_bad_page_numbers_give_a_normal_page(
    app: Starlette, client: FormClient, engine: Engine, world: World, bad: str
) -> None:
    app.state.fixed_now = NOW
    _workers(engine, world["community"], 60, "网格员")
    _visits(engine, world["grid"], 60, "走访人")
    _ruled_grids(engine, world["community"], 60, "a")
    client.sign_in("communityworker")
    grids_page = client.get(f"/admin/requests/grids?workers_page={bad}&page={bad}")
    assert grids_page.status_code == 200 and _offered(grids_page.text)
    visits_page = client.get(f"/admin/requests/visits?page={bad}&rules_page={bad}")
    assert visits_page.status_code == 200
    assert _visits_shown(visits_page.text) and _rules_shown(visits_page.text)


def test_a_page_past_the_end_shows_the_last_one(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    _workers(engine, world["community"], 60, "网格员")
    _visits(engine, world["grid"], 60, "走访人")
    _ruled_grids(engine, world["community"], 60, "a")
    client.sign_in("admin")
    workers = client.get("/admin/requests/grids?workers_page=9").text
    assert _offered(workers)[-1] == "网格员0059" and "第 2 页，共 2 页" in workers
    visits = client.get("/admin/requests/visits?page=9&rules_page=9").text
    assert _visits_shown(visits) == [f"走访人{k:04d}" for k in range(50, 60)]
    assert _rules_shown(visits) == _tree_order(engine, "a")[50:]
