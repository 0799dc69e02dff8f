"""The requests back office at city scale (issue 17): the unit, grid and area choices
go a level at a time, the lists are paged in SQL, and each page runs as many
statements for 3N areas (grids, assignments, visits) as for N."""

from __future__ import annotations

import html as markup
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.areas import Area
from participation.requests import grids, mediation, routing, units
from participation.requests.membership import UnitMember
from participation.requests.supervision import SupervisionNotice
from tests.support.areas import more_streets
from tests.support.client import FormClient
from tests.support.mediation import BODY
from tests.support.queries import reading, statements_of_page
from tests.support.requests import NOW, file, route_to_community

DAY = date(2026, 5, 15)


def _options(html: str, select_id: str) -> list[str]:
    found = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert found, select_id
    return re.findall(r"<option [^>]*>([^<]*)</option>", found.group(1))


def _link(html: str, rel: str) -> str:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', html)
    assert found, rel
    return markup.unescape(found.group(1))


def test_the_members_page_lists_units_a_level_at_a_time_in_few_statements(
    client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: every area office of the city was an <option>, and
    each one's area was read on its own (5,648 statements for a city)."""
    page = "/admin/requests/members"
    client.sign_in("admin")
    more_streets(engine, world["district"].id, 30, "a", grid=True)
    first = len(statements_of_page(client, page))
    top = _options(client.get(page).text, "f-unit-show")
    assert not any("街a" in o or "社a" in o for o in top)
    assert any("一区" in o for o in top)
    more_streets(engine, world["district"].id, 90, "b", grid=True)  # 3N more
    assert len(statements_of_page(client, page)) == first
    stepped = client.get(f"{page}?unit_area={world['district'].id}").text
    options = _options(stepped, "f-unit-show")
    assert any("街a0" in o for o in options) and any("街b89" in o for o in options)
    assert not any("社a0" in o for o in options)
    # A chosen area office is shown (and selected) wherever it is in the tree.
    community = world["community"].id
    chosen = client.get(f"{page}?unit=a:{community}")
    assert chosen.status_code == 200
    assert f'<option value="a:{community}" selected>' in chosen.text
    assert len(statements_of_page(client, f"{page}?unit=a:{community}")) <= first + 3


def _work(engine: Engine, world: dict[str, Any], tag: str) -> None:
    """An assignment, a visit and a routing rule in each grid and community of
    ``tag``'s streets."""
    with Session(engine) as s, s.begin():
        worker = world["people"]["grid_worker"].id
        for grid in s.scalars(select(Area).where(Area.code.startswith(f"G{tag}"))):
            grids.assign(s, grid.id, worker, DAY, None, None, None)
            grids.record_visit(s, grid.id, "王书记", DAY, "路灯坏了", None, DAY, None)
        for community in s.scalars(select(Area).where(Area.code.startswith(f"M{tag}"))):
            routing.add_rule(
                s, routing.NewRule("environment", community.id, "any", "community", None), None
            )


@pytest.mark.parametrize(
    "page", ["/admin/requests/grids", "/admin/requests/visits", "/admin/requests/routing"]
)
def test_grid_and_routing_pages_page_their_lists_and_go_a_level_at_a_time(
    client: FormClient, engine: Engine, world: dict[str, Any], page: str
) -> None:
    """Fails on the old code: every grid of the city was an <option> of the grid
    field, and every assignment and routing rule a row of the page."""
    client.sign_in("admin")
    more_streets(engine, world["district"].id, 30, "a", grid=True)
    _work(engine, world, "a")
    first = len(statements_of_page(client, page))
    more_streets(engine, world["district"].id, 90, "b", grid=True)  # 3N more
    _work(engine, world, "b")
    assert len(statements_of_page(client, page)) == first
    text = client.get(page).text
    if page != "/admin/requests/routing":
        assert not any("格" in o for o in _options(text, "f-grid_id"))
        community = _id(engine, "Ma7")
        stepped = client.get(f"{page}?area={community}").text
        assert [o.strip("— ") for o in _options(stepped, "f-grid_id")[1:]] == ["格a7"]
        assert "格a7" in stepped and "格a8" not in stepped  # the list narrows too
    if page == "/admin/requests/visits":
        assert 0 < text.count("/file") <= 100
    else:
        rows = text.count('action="/admin/requests/grids/') + text.count("/delete")
        assert rows == 50 and 'rel="next"' in text
        second = client.get(f"{page}?area={world['district'].id}&page=2").text
        assert f"?area={world['district'].id}&amp;page=3" in second


def _id(engine: Engine, code: str) -> int:
    with Session(engine) as s:
        found = s.scalar(select(Area.id).where(Area.code == code))
        assert found is not None
        return found


def _disputes(engine: Engine, world: dict[str, Any], n: int, tag: str) -> None:
    """A mediation body in each of ``n`` new communities, each with a case."""
    more_streets(engine, world["district"].id, n, tag, grid=True)
    with Session(engine) as s, s.begin():
        actor = world["people"]["admin"].id
        for k in range(n):
            community = s.scalar(select(Area).where(Area.code == f"M{tag}{k}"))
            assert community is not None
            body = units.add_mediation_body(s, community, f"调委{tag}{k}", None)
            request, _ = file(s, world, f"邻里纠纷{tag}{k}号", category="dispute")
            new = mediation.NewCase("王小明", "13800000001", "李大华", "13800000002")
            mediation.open_case(s, request, body, new, NOW, actor, BODY)


def test_the_mediation_cases_page_is_paged_in_a_few_statements(
    app: Starlette, client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: each body's staff and each case's request were read on
    their own, and every case was a row."""
    app.state.fixed_now = NOW
    page = "/admin/requests/mediation"
    client.sign_in("admin")
    _disputes(engine, world, 20, "a")
    first = len(statements_of_page(client, page))
    _disputes(engine, world, 60, "b")  # 3N more
    assert len(statements_of_page(client, page)) == first
    text = client.get(page).text
    assert text.count('<li class="card">') == 50 and "邻里纠纷b59号" in text
    assert "邻里纠纷a0号" in client.get(_link(text, "next")).text
    # Community staff see the cases of bodies in their community only; once a body
    # has members, only they do.
    with Session(engine) as s, s.begin():
        body = units.add_mediation_body(s, world["community"], "一社区调委会", None)
        request, _ = file(s, world, "本社区的纠纷", category="dispute")
        new = mediation.NewCase("王小明", "13800000001", "李大华", "13800000002")
        mediation.open_case(s, request, body, new, NOW, world["people"]["admin"].id, BODY)
        body_id = body.id
    client.sign_in("unitstaff")
    mine = client.get(page).text
    assert "本社区的纠纷" in mine and "邻里纠纷" not in mine
    with Session(engine) as s, s.begin():
        s.add(UnitMember(unit_id=body_id, account_id=world["people"]["community_worker"].id))
    assert "本社区的纠纷" not in client.get(page).text
    client.sign_in("communityworker")
    assert "本社区的纠纷" in client.get(page).text


def test_mediation_bodies_are_offered_near_the_place_not_all_of_a_city(
    app: Starlette, client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: every mediation body of the city was an <option> of the
    request page's unit and mediation fields, and of the routing table's."""
    app.state.fixed_now = NOW
    more_streets(engine, world["district"].id, 70, "a", grid=True)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        for k in range(70):
            community = s.scalar(select(Area).where(Area.code == f"Ma{k}"))
            assert community is not None
            units.add_mediation_body(s, community, f"调委a{k}", None)
        units.add_mediation_body(s, world["community"], "一社区调委会", None)
        request, _ = file(s, world, "邻居噪音", category="dispute")
    client.sign_in("admin")
    for page in (f"/admin/requests/{request.id}", "/admin/requests/routing"):
        text = client.get(page).text
        assert "调委a0" not in text and "调委a69" not in text, page
    text = client.get(f"/admin/requests/{request.id}").text
    assert 'id="f-body"' in text and "一社区调委会" in text
    street = _id(engine, "Sa3")
    assert "调委a3" in client.get(f"/admin/requests/routing?area={street}").text
    stepped = client.get(f"/admin/requests/{request.id}?unit_area={street}").text
    assert "调委a3" in stepped and "调委a4" not in stepped


@pytest.mark.parametrize("login", ["unitstaff", "communityworker", "admin"])
def test_a_request_page_s_unit_lists_are_one_statement(
    app: Starlette, client: FormClient, engine: Engine, world: dict[str, Any], login: str
) -> None:
    """The departments, area offices and mediation bodies the lead unit and routing
    staff may send a request to: one statement (six before: the tree's size, the
    community, its chain, its grids, the departments, the bodies), one more after a
    step to another area (to read it)."""
    app.state.fixed_now = NOW
    more_streets(engine, world["district"].id, 30, "a", grid=True)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        units.add_mediation_body(s, world["community"], "一社区调委会", None)
        request, _ = file(s, world)
    page = f"/admin/requests/{request.id}"
    client.sign_in(login)
    seen = statements_of_page(client, page)
    assert reading("departments", seen) == 1 and sum("UNION ALL" in sql for sql in seen) == 1
    text = client.get(page).text
    assert 'id="unit-area"' in text and "一社区调委会" in text and "一网格" in text
    street = world["street"].id
    stepped = statements_of_page(client, f"{page}?unit_area={street}")
    assert len(stepped) == len(seen) + 1
    assert "二社区" in client.get(f"{page}?unit_area={street}").text


def test_supervision_notices_are_paged_newest_first(
    app: Starlette, client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: the latest 200 notices were all rows of one page."""
    app.state.fixed_now = NOW
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        request, _ = file(s, world)
        for k in range(120):
            s.add(
                SupervisionNotice(
                    request_id=request.id,
                    stage="accept",
                    due_on=DAY,
                    level=k,
                    kind="late",
                    unit_id=request.unit_id,
                    working_days_late=k + 1,
                    issued_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=k),
                )
            )
    client.sign_in("admin")
    page = "/admin/requests/supervision"

    def notices(html: str) -> int:
        found = re.search(r'<ul class="cards" id="supervision-notices">(.*?)</ul>', html, re.S)
        assert found
        return found.group(1).count("<li>")

    first = client.get(page).text
    assert notices(first) == 50 and 'rel="next"' in first and 'rel="prev"' not in first
    assert "120" in first  # the newest: 120 working days late
    third = _link(client.get(_link(first, "next")).text, "next")
    last = client.get(third).text
    assert notices(last) == 20 and 'rel="next"' not in last and 'rel="prev"' in last
    assert len(statements_of_page(client, page)) + 1 == len(statements_of_page(client, third))
