"""/plan at a city's size (issue 17): 25 rows a page read from the plan index, the
status filter placed among the plans by the summary's counts and computed for the
page's plans only, the department charts bounded, in a number of statements and an
amount of database work that do not grow with the items the page does not show."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import event, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.areas import Area
from participation.db import make_engine
from participation.departments import Department
from participation.plan import board, delivery
from participation.plan.delivery import DirectItem
from participation.plan.models import Plan, PlanItem
from tests.db.plan.test_board_counts import _refresh
from tests.db.plan.test_plan_board_sql import _grow
from tests.support.client import FormClient
from tests.support.queries import RENDER_ANEW, page_selects
from web.plan.api import item_row
from web.plan.public import CHART_DEPARTMENTS, PER_PAGE

OLD_YEAR = 2001


def _old_plan(url: str, n: int) -> None:
    """``n`` more late items in a plan of 2001 (the board's last pages: newest first)."""
    engine = make_engine(url)
    with Session(engine) as s, s.begin():
        plan = s.scalar(select(Plan).where(Plan.year == OLD_YEAR))
        if plan is None:
            area = s.scalars(select(Area.id).where(Area.kind == "community")).first()
            plan = Plan(area_id=area, year=OLD_YEAR, title="旧计划")
            s.add(plan)
            s.flush()
        start = s.scalar(select(func.count()).select_from(PlanItem)) or 0
        s.execute(
            insert(PlanItem),
            [
                {
                    "plan_id": plan.id,
                    "title": f"旧事项{start + i}",
                    "source_kind": "direct",
                    "source_ref": f"old-{start + i}",
                    "owner_department": "旧部门",
                    "budget_yuan": 10,
                    "due_on": date(OLD_YEAR, 12, 31),
                    "status": "planned",
                }
                for i in range(n)
            ],
        )
    engine.dispose()


@contextmanager
def vm_steps(engine: Engine) -> Iterator[list[int]]:
    """SQLite's virtual machine steps (in thousands) the engine's statements take
    inside the block: the database work, whatever the machine's speed."""
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    def watch(conn: Any, *_args: Any) -> None:
        conn.connection.driver_connection.set_progress_handler(tick, 1000)

    event.listen(engine, "before_cursor_execute", watch)
    try:
        yield steps
    finally:
        event.remove(engine, "before_cursor_execute", watch)


def test_the_status_filter_computes_the_pages_plans_only(
    demo_url: str, demo_app: Starlette, demo_client: FormClient
) -> None:
    """Fails on the old code: the status of every matching item was computed on each
    request (~290 ms at the city's 100,000 items) to choose the page's items."""
    url = "/plan?year=&status=delayed"
    engine = demo_app.state.engine
    _grow(demo_url, 60)  # late items of this year: the first page's
    _old_plan(demo_url, 100)
    _refresh(demo_url)
    demo_client.get(url)
    with vm_steps(engine) as small:
        first = demo_client.get(url, headers=RENDER_ANEW)  # rendered, not the page cache's
    _old_plan(demo_url, 900)  # ten times the items in a plan the first page does not show
    _refresh(demo_url)
    with vm_steps(engine) as large:
        again = demo_client.get(url, headers=RENDER_ANEW)
    assert first.status_code == again.status_code == 200
    assert large[0] <= small[0] * 1.2 + 5, (small, large)
    assert "旧事项" not in again.text
    # Its last page shows the old plan's late items, every one of them late.
    last = demo_client.get(url + "&page=99999")
    rows = re.findall(r'<tr data-item="\d+"( class="late")?>', last.text)
    assert rows and all(rows) and "旧事项" in last.text


def test_a_page_shows_25_rows_and_the_pager_keeps_the_filters(
    demo_url: str, demo_client: FormClient
) -> None:
    _grow(demo_url, 80)
    year = date.today().year
    page = demo_client.get(f"/plan?year={year}&source=direct&page=2")
    assert page.status_code == 200
    assert len(re.findall(r'<tr data-item="\d+"', page.text)) == PER_PAGE
    for link in re.findall(r'<nav class="pager".*?</nav>', page.text, re.S)[0].split("<a ")[1:]:
        assert f"year={year}&amp;source=direct&amp;page=" in link


def test_status_pages_walk_every_late_item_once(demo_url: str, demo_client: FormClient) -> None:
    """With the summary fresh, the pages of a status hold each item of it once."""
    _grow(demo_url, 60)
    _old_plan(demo_url, 70)
    _refresh(demo_url)
    url = "/plan?year=&status=delayed"
    first = demo_client.get(url).text
    count = int(re.search(r'id="count-items">(\d+)<', first).group(1))  # type: ignore[union-attr]
    seen: list[str] = []
    for n in range(1, -(-count // PER_PAGE) + 1):
        page = demo_client.get(f"{url}&page={n}").text
        rows = re.findall(r'<tr data-item="(\d+)"( class="late")?>', page)
        assert all(late for _, late in rows)
        seen.extend(item for item, _ in rows)
    assert len(seen) == len(set(seen)) == count


def test_department_charts_are_bounded_and_every_department_is_listed(
    demo_url: str, demo_client: FormClient
) -> None:
    engine = make_engine(demo_url)
    names = [f"测试局{k:02d}" for k in range(CHART_DEPARTMENTS + 10)]
    with Session(engine) as s, s.begin():
        s.add_all(Department(name=name) for name in names)
        s.flush()
        ids = s.scalars(select(Department.id).where(Department.name.in_(names))).all()
        plan = s.scalars(select(Plan.id).where(Plan.year == date.today().year)).first()
        s.execute(
            insert(PlanItem),
            [
                {
                    "plan_id": plan,
                    "title": f"部门事项{k}",
                    "source_kind": "direct",
                    "source_ref": f"dept-{k}",
                    "owner_department_id": dept,
                    "budget_yuan": 1000 + k,
                }
                for k, dept in enumerate(ids)
            ],
        )
    engine.dispose()
    board = demo_client.get("/plan")
    chart = re.search(r'id="chart-department-table".*?</table>', board.text, re.S)
    assert chart and chart.group(0).count('<th scope="row">') == CHART_DEPARTMENTS
    link = re.search(r'<p id="all-departments">.*?<a href="([^"]+)"', board.text, re.S)
    assert link
    every = demo_client.get(link.group(1).replace("&amp;", "&"))
    assert every.status_code == 200
    assert all(name in every.text for name in names)


def test_statements_do_not_grow_with_an_old_plans_items(
    demo_url: str, demo_app: Starlette, demo_client: FormClient
) -> None:
    engine = demo_app.state.engine
    _old_plan(demo_url, 50)
    _refresh(demo_url)
    small = [
        page_selects(engine, demo_client, u)[0]
        for u in ("/plan?year=", "/plan?year=&status=delayed")
    ]
    _old_plan(demo_url, 150)
    _refresh(demo_url)
    large = [
        page_selects(engine, demo_client, u)[0]
        for u in ("/plan?year=", "/plan?year=&status=delayed")
    ]
    assert large == small


def test_an_items_page_runs_as_many_statements_for_3n_children(
    demo_url: str, demo_app: Starlette, demo_client: FormClient
) -> None:
    """Its progress, spend and lateness and its children's come from one statement."""
    engine = make_engine(demo_url)
    with Session(engine) as s, s.begin():
        area = s.scalars(select(Area.id).where(Area.kind == "community")).first()
        assert area is not None

        def enter(title: str, parent: int | None) -> int:
            item = delivery.enter_item(
                s,
                DirectItem(
                    area_id=area, year=2020, title=title, owner_department="", parent_id=parent
                ),
                actor_id=None,
            )
            s.flush()
            return item.id

        small, large = enter("少", None), enter("多", None)
        enter("少子", small)
        for k in range(3):
            enter(f"多子{k}", large)
    engine.dispose()
    counts = [
        page_selects(demo_app.state.engine, demo_client, f"/plan/items/{i}") for i in (small, large)
    ]
    assert counts[0][0] == counts[1][0]
    assert all(f"多子{k}" in counts[1][1] for k in range(3))


def _walk(client: FormClient, url: str) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    while url:
        body = client.get(url).json()
        assert body["count"] == len(body["items"])
        seen.extend(body["items"])
        url = body["next"]
    return seen


def test_plan_items_api_pages_to_the_last_item_with_its_filters(
    demo_url: str, demo_client: FormClient
) -> None:
    """Fails on the old code: every matching item in one answer (8.5 MB and ~380 ms
    for a year of the city), without ``next``."""
    _grow(demo_url, 90)
    _old_plan(demo_url, 40)
    engine = make_engine(demo_url)
    with Session(engine) as s:
        exported = [item_row(r) for r in board.export_rows(s, date.today(), board.Filters())]
    engine.dispose()
    everything = {r["id"]: r["status"] for r in exported}
    first = demo_client.get("/api/v1/plan-items?limit=30").json()
    assert first["count"] == 30 and first["next"]
    walked = _walk(demo_client, "/api/v1/plan-items?limit=30")
    assert [r["id"] for r in walked] == sorted(everything)
    assert {r["id"]: r["status"] for r in walked} == everything
    # The pages' statement (built once per shape, the filters already applied to
    # the page's ids) gives every column as the whole export's does.
    assert walked == sorted(exported, key=lambda r: r["id"])
    late = _walk(demo_client, f"/api/v1/plan-items?year={OLD_YEAR}&status=delayed&limit=7")
    assert [r["id"] for r in late] == sorted(
        i
        for i, status in everything.items()
        if status == "delayed" and i in {r["id"] for r in walked if r["year"] == OLD_YEAR}
    )
    assert len(late) == 40
    assert (
        "status=delayed"
        in demo_client.get(f"/api/v1/plan-items?year={OLD_YEAR}&status=delayed&limit=7").json()[
            "next"
        ]
    )
