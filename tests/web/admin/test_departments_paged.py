"""/admin/departments at a city's size: the departments and the names not matched
to one are each paged in SQL (a search finds a department on any page), the page
runs as many statements for 3N of them as for N, and its weight stays bounded: no
<select> of every department for every unmatched name."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.departments import Department
from participation.plan.intake import ItemFromSource, receive_item
from participation.plan.sources import SourceKind
from tests.support.client import FormClient
from tests.support.queries import page_selects
from tests.support.world import World

PER_PAGE = 50  # web.admin.departments.PER_PAGE


def _grow(engine: Engine, world: World, count: int, tag: str) -> None:
    """``count`` departments, and ``count`` plan items each naming an unknown unit."""
    with Session(engine) as s, s.begin():
        for k in range(count):
            s.add(Department(name=f"部门{tag}{k:03d}", short_name=f"简{tag}{k:03d}"))
            receive_item(
                s,
                ItemFromSource(
                    area_id=world["community"].id,
                    year=2027,
                    title=f"事项{tag}{k}",
                    source_kind=SourceKind.COMMUNITY_BUDGET,
                    source_ref=f"paged:{tag}:{k}",
                    owner_department=f"未登记单位{tag}{k:03d}",
                    budget_yuan=1000,
                    starts_on=date(2027, 1, 1),
                    due_on=date(2027, 12, 1),
                ),
                actor_id=None,
            )


def _rows(html: str) -> int:
    return len(re.findall(r'<tr id="department-\d+"', html))


def test_departments_runs_as_many_statements_for_3n_as_for_n(
    client: FormClient, engine: Engine, world: World
) -> None:
    """Fails on the old code: 3N departments and names gave a page three times the
    size, every name carrying a <select> of every department."""
    client.sign_in("admin")
    _grow(engine, world, 30, "a")
    few, small = page_selects(engine, client, "/admin/departments")
    _grow(engine, world, 60, "b")
    many, big = page_selects(engine, client, "/admin/departments")
    assert few == many
    assert _rows(small) < PER_PAGE and _rows(big) == PER_PAGE
    assert big.count('name="name" value="未登记单位') == PER_PAGE
    assert big.count('name="target_id"') == 2  # the merge's second list, the assignment's
    assert big.count("<option") < 12 * PER_PAGE  # each row's area list is one step
    assert len(big) < 2 * len(small)


def test_the_pagers_keep_the_search_and_each_other(
    client: FormClient, engine: Engine, world: World
) -> None:
    client.sign_in("admin")
    _grow(engine, world, 120, "c")
    first = client.get("/admin/departments?names=2").text
    assert 'href="/admin/departments?names=2&amp;page=2"' in first
    assert 'href="/admin/departments?names=1"' in first  # back to the first names
    assert 'value="未登记单位c050"' in first and 'value="未登记单位c000"' not in first
    found = client.get("/admin/departments?q=%E9%83%A8%E9%97%A8c11").text  # 部门c11
    assert _rows(found) == 10 and "部门c119" in found and "部门c100" not in found
    later = client.get("/admin/departments?q=c0&page=2").text
    assert 'href="/admin/departments?q=c0&amp;page=1"' in later
    # The merge lists what the page shows, so a search brings both onto one page.
    assert re.search(r'<option value="\d+">部门c119（简c119）</option>', found)
    assert _rows(client.get("/admin/departments?page=999").text) > 0


def test_a_name_is_assigned_from_the_one_form(
    client: FormClient, engine: Engine, world: World
) -> None:
    client.sign_in("admin")
    _grow(engine, world, 2, "d")
    with Session(engine) as s:
        target = s.query(Department).filter_by(name="部门d001").one().id
    done = client.submit(
        "/admin/departments/adopt",
        {"name": "未登记单位d000", "target_id": str(target)},
        page="/admin/departments",
    )
    assert done.status_code == 303
    page = client.get("/admin/departments").text
    assert "未登记单位d000" not in page and "未登记单位d001" in page
    unknown = client.submit(
        "/admin/departments/adopt",
        {"name": "未登记单位d000", "target_id": str(target)},
        page="/admin/departments",
    )
    assert unknown.status_code == 422
