"""The board at any size: its table paged and its figures aggregated in SQL, equal to
what the item views computed in Python give, in a number of statements that does not
grow with the number of items."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.areas import Area
from participation.db import make_engine
from participation.plan import board, delivery
from participation.plan.delivery import DirectItem
from participation.plan.models import Plan, PlanItem
from participation.plan.records import Milestone, Update
from tests.support.areas import one_community
from tests.support.client import FormClient
from tests.support.queries import page_selects
from web.plan.api import item_row
from web.plan.sources import item_source_url

TODAY = date.today()


def _old(s: Session, today: date, filters: board.Filters) -> tuple[int, int, board.Figures]:
    views = board.item_views(s, today, filters)
    late = sum(1 for v in views if v.status == "delayed")
    return len(views), late, board.figures(views, today)


def _cases(s: Session) -> list[tuple[date, board.Filters]]:
    year = TODAY.year
    some_area = s.scalars(select(Plan.area_id).order_by(Plan.id)).first()
    some_department = s.scalar(
        select(PlanItem.owner_department_id).where(PlanItem.owner_department_id.is_not(None))
    )
    filters = [
        board.Filters(year=year),
        board.Filters(),
        board.Filters(year=year, area_id=some_area),
        board.Filters(year=year, source="direct"),
        board.Filters(year=year, department_id=some_department),
        *(board.Filters(year=year, status=status) for status in board.BOARD_STATUSES),
        *(board.Filters(status=status) for status in board.BOARD_STATUSES),
    ]
    days = [TODAY, date(year, 3, 1), date(year + 1, 6, 1)]
    return [(day, f) for day in days for f in filters]


def test_sql_figures_equal_the_item_views_on_the_demo(demo_url: str) -> None:
    engine = make_engine(demo_url)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).where(PlanItem.parent_id.is_not(None)))
        for day, filters in _cases(s):
            count, late, figures = _old(s, day, filters)
            shown = board.board_page(s, day, filters, 1, 10_000)
            assert (shown.count, shown.late) == (count, late), (day, filters)
            assert shown.figures.progress_bins == figures.progress_bins, (day, filters)
            assert shown.figures.on_time == figures.on_time, (day, filters)
            assert shown.figures.on_time_by_department == figures.on_time_by_department
            # Sources of equal budget: the old order was the items' order, now by name.
            assert set(shown.figures.by_source) == set(figures.by_source)
            assert [b.value for b in shown.figures.by_source] == [
                b.value for b in figures.by_source
            ]
            assert shown.figures.by_department == figures.by_department, (day, filters)
            assert shown.figures.total_budget == figures.total_budget
            assert shown.figures.total_spend == figures.total_spend
            old = [(v.item.id, v.progress, v.status) for v in board.item_views(s, day, filters)]
            assert [(v.item.id, v.progress, v.status) for v in shown.rows] == old


def test_table_is_paged_in_plan_order(demo_url: str) -> None:
    engine = make_engine(demo_url)
    with Session(engine) as s:
        everything = [v.item.id for v in board.item_views(s, TODAY, board.Filters())]
        pages = [board.board_page(s, TODAY, board.Filters(), n, 7) for n in range(1, 40)]
        assert [v.item.id for p in pages for v in p.rows][: len(everything)] == everything
        assert pages[-1].rows == pages[(len(everything) - 1) // 7].rows  # past the end: last


def test_parent_lateness_comes_from_children_not_the_stored_status(demo_url: str) -> None:
    """plan-remind stores "delayed" on a parent; a grandchild then finishes, which
    refreshes only the grandchild. The board computes the parent's rolled-up progress
    (100) in SQL and does not show it late; the stored column is stale."""
    engine = make_engine(demo_url)
    with Session(engine) as s, s.begin():
        area = s.scalars(select(Area.id).where(Area.kind == "community")).first()
        assert area is not None

        def enter(title: str, parent: int | None) -> PlanItem:
            return delivery.enter_item(
                s,
                DirectItem(
                    area_id=area,
                    year=2020,
                    title=title,
                    owner_department="",
                    due_on=date(2020, 6, 30),
                    parent_id=parent,
                ),
                actor_id=None,
            )

        top = enter("总项目", None)
        middle = enter("子项目", top.id)
        leaf = enter("孙项目", middle.id)
        s.flush()
        top.status = middle.status = "delayed"  # as plan-remind stored it
        s.add(
            Update(item_id=leaf.id, text="完成", progress=100, spend_yuan=0, at=datetime.now(UTC))
        )
        s.flush()
        ids = (top.id, middle.id, leaf.id)
    with Session(engine) as s:
        only = board.Filters(year=2020, department_id=None, source="direct")
        shown = board.board_page(s, date(2021, 1, 1), only, 1, 100)
        rows = {v.item.id: (v.progress, v.status) for v in shown.rows}
        assert [rows[i] for i in ids] == [(100, "in_progress")] * 3
        late = board.Filters(year=2020, status="delayed")
        assert not {
            v.item.id for v in board.board_page(s, date(2021, 1, 1), late, 1, 100).rows
        } & set(ids)
        stored = s.get(PlanItem, ids[0])
        assert stored is not None and stored.status == "delayed"  # stale, not used


def _grow(url: str, n: int) -> None:
    engine = make_engine(url)
    with Session(engine) as s, s.begin():
        plans = s.scalars(select(Plan.id).where(Plan.year == TODAY.year)).all()
        first = (s.scalar(select(func.max(PlanItem.id))) or 0) + 1
        start = s.scalar(select(func.count()).select_from(PlanItem)) or 0
        s.execute(
            insert(PlanItem),
            [
                {
                    "plan_id": plans[i % len(plans)],
                    "title": f"事项{i}",
                    "source_kind": "direct",
                    "source_ref": f"grown-{start}-{i}",
                    "owner_department": f"部门{i % 7}",
                    "budget_yuan": 1000 + i,
                    "due_on": date(TODAY.year, 12, 31),
                    "status": "in_progress" if i % 3 else "planned",
                }
                for i in range(n)
            ],
        )
        ids = range(first, first + n)
        s.execute(
            insert(Milestone),
            [
                {"item_id": i, "title": "节点", "due_on": date(TODAY.year, 1, 2), "weight": 50}
                for i in ids
            ],
        )
        s.execute(
            insert(Update),
            [
                {
                    "item_id": i,
                    "text": "进展",
                    "progress": i % 101,
                    "spend_yuan": 5,
                    "at": datetime.now(UTC),
                }
                for i in ids
            ],
        )
    engine.dispose()


@pytest.mark.parametrize("path", ["/plan", "/plan?status=delayed", "/plan?page=3"])
def test_board_statements_do_not_grow_with_items(
    demo_url: str, demo_app: Starlette, demo_client: FormClient, path: str
) -> None:
    engine = demo_app.state.engine
    _grow(demo_url, 150)
    small, _ = page_selects(engine, demo_client, path)
    _grow(demo_url, 300)  # 3N in all
    large, text = page_selects(engine, demo_client, path)
    assert large == small
    assert 'class="pager' in text or "page=" in text


def test_board_loads_no_orm_objects_beyond_its_page(
    demo_url: str, demo_app: Starlette, demo_client: FormClient
) -> None:
    """The figures come from grouped scalar rows: showing the board builds the plan
    items of its table page only, and no milestone or update objects at all."""
    _grow(demo_url, 450)
    loaded: dict[str, int] = {"PlanItem": 0, "Milestone": 0, "Update": 0}

    def counter(name: str) -> Callable[..., None]:
        def count(*_args: object) -> None:
            loaded[name] += 1

        return count

    listeners = [(model, counter(model.__name__)) for model in (PlanItem, Milestone, Update)]
    for model, listener in listeners:
        event.listen(model, "load", listener)
    try:
        page = demo_client.get("/plan")
    finally:
        for model, listener in listeners:
            event.remove(model, "load", listener)
    assert page.status_code == 200
    assert loaded["PlanItem"] <= 100
    assert loaded["Milestone"] == loaded["Update"] == 0


def _old_row(view: board.ItemView) -> dict[str, object]:
    """An exported item as the export built it from the item views."""
    item = view.item
    return {
        "id": item.id,
        "plan_id": view.plan.id,
        "year": view.plan.year,
        "area_id": view.area.id,
        "area": view.area.name,
        "parent_id": item.parent_id,
        "title": item.title,
        "source_kind": item.source_kind,
        "source_url": item_source_url(item),
        "owner_department": item.owner_department,
        "owner_department_id": item.owner_department_id,
        "budget_yuan": item.budget_yuan,
        "spend_yuan": view.spend_yuan,
        "starts_on": item.starts_on.isoformat() if item.starts_on else None,
        "due_on": item.due_on.isoformat() if item.due_on else None,
        "progress": view.progress,
        "status": view.status,
        "overdue_milestones": view.overdue_milestones,
        "year_end_outcome": view.outcome,
        "url": f"/plan/items/{item.id}",
    }


def test_export_rows_equal_the_item_views_on_the_demo(demo_url: str) -> None:
    engine = make_engine(demo_url)
    with Session(engine) as s:
        for day, filters in _cases(s):
            old = [_old_row(v) for v in board.item_views(s, day, filters)]
            assert [item_row(r) for r in board.export_rows(s, day, filters)] == old, filters


def test_export_builds_no_orm_objects(
    demo_url: str, demo_app: Starlette, demo_client: FormClient
) -> None:
    _grow(demo_url, 150)
    loaded = []

    def count(*_args: object) -> None:
        loaded.append(1)

    for model in (PlanItem, Milestone, Update):
        event.listen(model, "load", count)
    try:
        csv = demo_client.get("/api/v1/plan-items.csv")
    finally:
        for model in (PlanItem, Milestone, Update):
            event.remove(model, "load", count)
    assert csv.status_code == 200
    assert csv.text.count("\n") > 150
    assert loaded == []


def test_rolled_up_progress_on_both_databases(any_db_url: str) -> None:
    """Nested parents with uneven weights (half-way rounding, the 99 cap): the SQL
    roll-up is integer arithmetic on SQLite and PostgreSQL alike."""
    engine = make_engine(any_db_url)
    with Session(engine) as s, s.begin():
        area = one_community(s).id

        def enter(title: str, parent: int | None, weight: int = 1) -> int:
            item = delivery.enter_item(
                s,
                DirectItem(area_id=area, year=2030, title=title, parent_id=parent, weight=weight),
                actor_id=None,
            )
            s.flush()
            return item.id

        def report(item_id: int, progress: int) -> None:
            s.add(
                Update(
                    item_id=item_id, text="", progress=progress, spend_yuan=7, at=datetime.now(UTC)
                )
            )

        top = enter("总", None)
        left, right = enter("左", top, 1), enter("右", top, 3)
        for weight, progress in ((1, 100), (1, 1)):
            report(enter("左下", left, weight), progress)
        for weight, progress in ((2, 100), (1, 100), (1, 99)):
            report(enter("右下", right, weight), progress)
    with Session(engine) as s:
        for filters in (board.Filters(year=2030), board.Filters()):
            old = [
                (v.item.id, v.progress, v.status)
                for v in board.item_views(s, date(2030, 5, 1), filters)
            ]
            shown = board.board_page(s, date(2030, 5, 1), filters, 1, 100)
            assert [(v.item.id, v.progress, v.status) for v in shown.rows] == old
            assert shown.figures == board.figures(
                board.item_views(s, date(2030, 5, 1), filters), date(2030, 5, 1)
            )
        assert dict((v.item.id, v.progress) for v in shown.rows)[top] == 87
    engine.dispose()
