"""The index follows a record when something it is filed under changes in another
table: a plan item moves with its plan's area or year, a request with its place's
name, an evaluation with its department's name (each test runs on SQLite and on
PostgreSQL, fed through the change log the way the worker feeds it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from consultations.evaluations.models import Evaluation
from participation import departments
from participation.areas import Area, create_area, rename_area
from participation.db import make_engine
from participation.plan.delivery import DirectItem, enter_item
from participation.plan.intake import plan_for
from participation.plan.models import Plan, PlanItem
from participation.plan.yearend import get_plan, roll_up_year
from participation.requests.models import ResidentRequest
from participation.rules.areas import AreaKind
from search.indexing import drain, pending
from search.querying import Filters, search
from tests.support import evaluation_setup
from tests.support.queries import reading, statements
from tests.support.requests import file, route_to_community
from tests.support.world import World


@pytest.fixture
def engine(any_db_url: str) -> Iterator[Engine]:
    made = make_engine(any_db_url)
    yield made
    made.dispose()


def found(engine: Engine, typed: str, filters: Filters | None = None) -> list[str]:
    """What the search finds once the worker's search-index job has run."""
    with Session(engine) as s, s.begin():
        drain(s)
    with Session(engine) as s:
        return [hit.kind for hit in search(s, typed, filters or Filters()).hits]


def test_a_plan_item_is_found_under_its_plans_new_area_and_year(
    engine: Engine, world: World
) -> None:
    community, other = world["community"], world["other"]
    with Session(engine) as s, s.begin():
        item = enter_item(
            s, DirectItem(area_id=community.id, year=2027, title="老旧小区加装电梯"), actor_id=None
        )
        plan_id = item.plan_id
    assert found(engine, "电梯", Filters(year=2027, area_path=community.path)) == ["plan_item"]
    with Session(engine) as s, s.begin():
        plan = s.get(Plan, plan_id)
        assert plan is not None
        plan.area_id, plan.year = other.id, 2028  # the plan was filed under the wrong ones
    assert found(engine, "电梯", Filters(year=2028, area_path=other.path)) == ["plan_item"]
    assert found(engine, "电梯", Filters(year=2027)) == []
    assert found(engine, "电梯", Filters(area_path=community.path)) == []


def test_a_plan_item_moved_to_another_plan_is_found_under_that_plans_area_and_year(
    engine: Engine, world: World
) -> None:
    community, other = world["community"], world["other"]
    with Session(engine) as s, s.begin():
        item = enter_item(
            s, DirectItem(area_id=community.id, year=2027, title="社区食堂助餐"), actor_id=None
        )
        item_id = item.id
    assert found(engine, "食堂", Filters(year=2027, area_path=community.path)) == ["plan_item"]
    with Session(engine) as s, s.begin():
        moved = s.get(PlanItem, item_id)
        assert moved is not None
        moved.plan_id = plan_for(s, other.id, 2026).id
    assert found(engine, "食堂", Filters(year=2026, area_path=other.path)) == ["plan_item"]
    assert found(engine, "食堂", Filters(year=2027)) == []
    assert found(engine, "食堂", Filters(area_path=community.path)) == []


def test_a_request_is_found_by_its_places_new_name(engine: Engine, world: World) -> None:
    with Session(engine) as s, s.begin():
        route_to_community(s, world)
        file(s, world)
    assert found(engine, "一网格") == ["request"]
    with Session(engine) as s, s.begin():
        grid = s.get(Area, world["grid"].id)
        assert grid is not None
        rename_area(s, grid, "梧桐网格", actor_id=None)
    assert found(engine, "梧桐") == ["request"]
    assert found(engine, "一网格") == []


def test_an_evaluation_is_found_by_its_departments_new_name(engine: Engine) -> None:
    built = evaluation_setup.build(engine)
    assert found(engine, "办事处") == ["evaluation"]
    with Session(engine) as s, s.begin():
        evaluation = s.get(Evaluation, built.evaluation_id)
        assert evaluation is not None and evaluation.department_id is not None
        department = departments.get_department(s, evaluation.department_id)
        departments.rename(
            s, department, departments.DepartmentFields("临江街道党群服务中心"), actor_id=None
        )
    assert found(engine, "党群") == ["evaluation"]
    assert found(engine, "办事处") == []


def test_an_evaluation_is_found_by_the_name_of_the_department_it_was_merged_into(
    engine: Engine,
) -> None:
    built = evaluation_setup.build(engine)
    assert found(engine, "办事处") == ["evaluation"]
    with Session(engine) as s, s.begin():
        evaluation = s.get(Evaluation, built.evaluation_id)
        assert evaluation is not None and evaluation.department_id is not None
        source = departments.get_department(s, evaluation.department_id)
        target = s.scalars(
            select(departments.Department).where(departments.Department.name == "城管局")
        ).one()
        departments.merge(s, source, target, actor_id=None)
    assert found(engine, "城管局") == ["evaluation"]
    assert found(engine, "办事处") == []


def test_update_statements_are_noted_by_the_rows_they_touch_and_only_when_read(
    engine: Engine, world: World
) -> None:
    with Session(engine) as s, s.begin():
        route_to_community(s, world)
        request_id = file(s, world)[0].id
        first = enter_item(
            s, DirectItem(area_id=world["community"].id, year=2027, title="路灯改造"), actor_id=None
        ).id
        second = enter_item(
            s, DirectItem(area_id=world["other"].id, year=2027, title="路灯维修"), actor_id=None
        ).id
    assert found(engine, "路灯") == ["plan_item", "plan_item"]
    with Session(engine) as s, s.begin():
        # An UPDATE by primary key, row by row; an UPDATE of the table by a WHERE clause.
        s.execute(update(PlanItem), [{"id": first, "title": "绿化改造"}])
        s.execute(
            update(PlanItem.__table__)  # type: ignore[arg-type]
            .where(PlanItem.__table__.c.id == second)
            .values(description="补种行道树")
        )
    assert found(engine, "绿化") == ["plan_item"]
    assert found(engine, "行道树") == ["plan_item"]
    assert found(engine, "路灯") == ["plan_item"]
    with Session(engine) as s, s.begin():
        # Fields no doc reads: no note, no statement to find the rows.
        s.execute(
            update(ResidentRequest)
            .where(ResidentRequest.id == request_id)
            .values(secret_scheme=ResidentRequest.secret_scheme)
        )
        s.execute(update(PlanItem).where(PlanItem.id == first).values(weight=3))
        assert pending(s) == 0


def test_a_row_added_in_the_transaction_needs_no_look_up_of_its_readers(
    engine: Engine, world: World
) -> None:
    with Session(engine) as s, s.begin():
        with statements() as seen:
            # The path is set after the insert, in the next flush: nothing can read it yet.
            create_area(
                s, code="M9", name="新社区", kind=AreaKind.COMMUNITY, parent=world["street"]
            )
            s.flush()
        assert not [sql for sql in seen if "FROM plan_items" in sql or "FROM vol_shifts" in sql]
        with statements() as seen:
            grid = s.get(Area, world["grid"].id)
            assert grid is not None
            grid.path += "9/"  # an area that was there: its readers are looked up
            s.flush()
        assert reading("resident_requests", seen) == 1


def test_the_unit_of_works_own_statements_are_noted_once(engine: Engine, world: World) -> None:
    with Session(engine) as s, s.begin():
        item_id = enter_item(
            s, DirectItem(area_id=world["community"].id, year=2027, title="公园改造"), actor_id=None
        ).id
    assert found(engine, "公园") == ["plan_item"]
    with Session(engine) as s, s.begin():
        item = s.get(PlanItem, item_id)
        assert item is not None
        item.title = "口袋公园"
        s.flush()
        assert pending(s) == 1  # by the flush's hook, not again by its UPDATE


def test_an_item_carried_into_next_years_plan_is_found_under_each_year(
    engine: Engine, world: World
) -> None:
    """The one service that takes an item into another year: the year-end roll-up
    carries an unfinished item into next year's plan (a new item, noted as one)."""
    community = world["community"]
    with Session(engine) as s, s.begin():
        item = enter_item(
            s, DirectItem(area_id=community.id, year=2026, title="雨污分流改造"), actor_id=None
        )
        plan_id = item.plan_id
    assert found(engine, "雨污", Filters(year=2026)) == ["plan_item"]
    with Session(engine) as s, s.begin():
        plan = get_plan(s, plan_id)
        rolled = roll_up_year(
            s,
            plan,
            drop_reasons={},
            today=date(2027, 1, 5),
            now=datetime(2027, 1, 5, 2, 0, tzinfo=UTC),
            actor_id=None,
        )
        assert len(rolled.carried) == 1
    assert found(engine, "雨污", Filters(year=2027, area_path=community.path)) == ["plan_item"]
    assert found(engine, "雨污", Filters(year=2026)) == ["plan_item"]  # the year it was due
