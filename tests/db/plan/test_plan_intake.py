"""Every process hands its result to the plan through receive_item: one item per source."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.db import make_engine
from participation.errors import DomainError
from participation.plan.intake import ItemFromSource, item_for_source, receive_item
from participation.plan.models import Plan, PlanItem
from participation.plan.sources import SourceKind
from tests.support.areas import one_community


def community_id(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as s, s.begin():
        area = one_community(s, "望江社区")
        found = area.id
    engine.dispose()
    return found


def item(area_id: int, **changes: object) -> ItemFromSource:
    values: dict[str, object] = {
        "area_id": area_id,
        "year": 2027,
        "title": "加装电梯",
        "source_kind": SourceKind.COMMUNITY_BUDGET,
        "source_ref": "project:1",
        "source_id": 1,
        "owner_department": "住建局",
        "budget_yuan": 300_000,
        "starts_on": date(2027, 3, 1),
        "due_on": date(2027, 10, 31),
    } | changes
    return ItemFromSource(**values)  # type: ignore[arg-type]


def test_receiving_creates_the_year_plan_and_links_back(any_db_url: str) -> None:
    area_id = community_id(any_db_url)
    engine = make_engine(any_db_url)
    with Session(engine) as s, s.begin():
        row = receive_item(s, item(area_id), actor_id=None)
        assert row.id is not None
    with Session(engine) as s:
        plan = s.scalars(select(Plan)).one()
        assert (plan.area_id, plan.year, plan.title) == (area_id, 2027, "望江社区 2027")
        found = item_for_source(s, SourceKind.COMMUNITY_BUDGET, "project:1")
        assert found is not None
        assert (found.plan_id, found.source_id, found.budget_yuan) == (plan.id, 1, 300_000)
        assert item_for_source(s, SourceKind.CONSULTATION, "project:1") is None
    engine.dispose()


def test_receiving_the_same_source_twice_returns_the_first_item(sqlite_url: str) -> None:
    area_id = community_id(sqlite_url)
    engine = make_engine(sqlite_url)
    with Session(engine) as s, s.begin():
        first = receive_item(s, item(area_id), actor_id=None).id
    with Session(engine) as s, s.begin():
        again = receive_item(s, item(area_id, title="别的标题"), actor_id=None)
        assert again.id == first and again.title == "加装电梯"
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(PlanItem)) == 1
    engine.dispose()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"budget_yuan": -1}, "budget_yuan"),
        ({"due_on": date(2027, 2, 1)}, "due_on"),
        ({"year": 1999}, "year"),
        ({"source_ref": ""}, "source_ref"),
    ],
)
def test_bad_items_are_refused_and_nothing_is_stored(
    sqlite_url: str, changes: dict[str, object], field: str
) -> None:
    area_id = community_id(sqlite_url)
    engine = make_engine(sqlite_url)
    with Session(engine) as s, s.begin(), pytest.raises(DomainError) as refused:
        receive_item(s, item(area_id, **changes), actor_id=None)
    assert field in refused.value.fields
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(PlanItem)) == 0
        assert s.scalar(select(func.count()).select_from(Plan)) == 0
    engine.dispose()


def test_unknown_area_is_refused(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with Session(engine) as s, s.begin(), pytest.raises(DomainError) as refused:
        receive_item(s, item(9999), actor_id=None)
    assert refused.value.status == 404
    engine.dispose()


def test_concurrent_receipts_of_one_source_leave_one_item(any_db_url: str) -> None:
    area_id = community_id(any_db_url)
    engine = make_engine(any_db_url, pool_size=10, max_overflow=10)
    ids: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def publish(n: int) -> None:
        try:
            barrier.wait()
            with Session(engine) as s, s.begin():
                # Different sources of the same area race on the plan row too.
                ids.append(receive_item(s, item(area_id), actor_id=None).id)
                receive_item(s, item(area_id, source_ref=f"project:{100 + n}"), actor_id=None)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=publish, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(ids)) == 1
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Plan)) == 1
        assert s.scalar(select(func.count()).select_from(PlanItem)) == 9
    engine.dispose()
