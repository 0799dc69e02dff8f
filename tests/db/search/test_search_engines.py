"""The search on its real engines: SQLite FTS5 and PostgreSQL full text (each test
runs on both), fed through the change log the way the worker feeds it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.areas import Area, create_area
from participation.db import make_engine
from participation.plan.delivery import DirectItem, enter_item
from participation.plan.models import PlanItem
from participation.rules.areas import AreaKind
from search import changes  # noqa: F401  (the change log's hook)
from search.indexing import drain, pending, reindex_all
from search.models import SearchChange, SearchDoc
from search.querying import Filters, search, years
from tests.support.areas import one_community


@pytest.fixture
def engine(any_db_url: str) -> Iterator[Engine]:
    made = make_engine(any_db_url)
    yield made
    made.dispose()


def titles(engine: Engine, typed: str, filters: Filters | None = None) -> list[str]:
    with Session(engine) as s:
        return sorted(hit.title for hit in search(s, typed, filters or Filters()).hits)


def seed(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        area = one_community(s, "望江社区")
        other = create_area(
            s,
            code="M2",
            name="竹园社区",
            kind=AreaKind.COMMUNITY,
            parent=s.get(Area, area.parent_id),
        )
        for year, title, where in (
            (2026, "老旧小区加装电梯工程", area),
            (2027, "社区食堂助餐服务", area),
            (2027, "背街小巷路灯改造", other),
            (2026, "加装电梯补贴政策宣传", other),
        ):
            enter_item(s, DirectItem(area_id=where.id, year=year, title=title), actor_id=None)


def test_a_word_inside_a_longer_title_is_found_after_the_change_log_drains(
    engine: Engine,
) -> None:
    seed(engine)
    with Session(engine) as s:
        assert pending(s) == 4  # one note per new item, written with it
    assert titles(engine, "加装电梯") == []  # not indexed until the job runs
    with Session(engine) as s, s.begin():
        done = drain(s)
    assert (done.notes, done.indexed) == (4, 4)
    assert titles(engine, "加装电梯") == ["加装电梯补贴政策宣传", "老旧小区加装电梯工程"]
    assert titles(engine, "电梯") == ["加装电梯补贴政策宣传", "老旧小区加装电梯工程"]
    assert titles(engine, "助餐") == ["社区食堂助餐服务"]
    assert titles(engine, "路灯 改造") == ["背街小巷路灯改造"]
    assert titles(engine, "电梯 路灯") == []  # every word must occur
    with Session(engine) as s:
        assert pending(s) == 0


def test_filters_by_year_kind_and_area(engine: Engine) -> None:
    seed(engine)
    with Session(engine) as s, s.begin():
        drain(s)
    with Session(engine) as s:
        area = s.scalars(select(Area).where(Area.name == "望江社区")).one()
        street = s.get(Area, area.parent_id)
        assert street is not None
        paths = (area.path, street.path)
    assert titles(engine, "电梯", Filters(year=2026)) == [
        "加装电梯补贴政策宣传",
        "老旧小区加装电梯工程",
    ]
    assert titles(engine, "电梯", Filters(area_path=paths[0])) == ["老旧小区加装电梯工程"]
    assert len(titles(engine, "电梯", Filters(area_path=paths[1]))) == 2
    assert titles(engine, "电梯", Filters(kind="consultation")) == []
    with Session(engine) as s:
        assert years(s) == [2027, 2026]
    assert len(titles(engine, "电梯", Filters(kind="plan_item"))) == 2


def test_an_edited_title_is_reindexed_and_a_rolled_back_edit_leaves_no_note(
    engine: Engine,
) -> None:
    seed(engine)
    with Session(engine) as s, s.begin():
        drain(s)
    with Session(engine) as s:
        item = s.scalars(select(PlanItem).where(PlanItem.title == "背街小巷路灯改造")).one()
        item.title = "背街小巷路灯维修"
        s.flush()
        s.rollback()
    with Session(engine) as s:
        assert pending(s) == 0
    with Session(engine) as s, s.begin():
        item = s.scalars(select(PlanItem).where(PlanItem.title == "背街小巷路灯改造")).one()
        item.title = "背街小巷路灯维修"
    with Session(engine) as s, s.begin():
        assert drain(s).indexed == 1
    assert titles(engine, "维修") == ["背街小巷路灯维修"]
    assert titles(engine, "改造") == []


def test_reindex_all_rebuilds_from_the_records(engine: Engine) -> None:
    seed(engine)
    with Session(engine) as s, s.begin():
        assert reindex_all(s) == 4
        assert s.scalar(select(func.count()).select_from(SearchChange)) == 0
        assert s.scalar(select(func.count()).select_from(SearchDoc)) == 4
    with Session(engine) as s, s.begin():
        assert reindex_all(s) == 4  # again: the same rows, not twice as many
        assert s.scalar(select(func.count()).select_from(SearchDoc)) == 4
    assert titles(engine, "食堂") == ["社区食堂助餐服务"]


# Text that is hostile to a full-text engine: FTS5 and tsquery operators, SQL quotes,
# full-width forms, control characters, very long strings.
pieces = st.sampled_from(
    [*"电梯加装路灯 \"'*^:-()（）＂＇＊＾：－．，。!?;\\%_", "OR", "NEAR", "AND", "NOT", "ＯＲ"]
)
hostile = st.lists(pieces, max_size=60).map("".join) | st.text(max_size=150)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=hostile)
def test_any_text_is_answered_without_an_error(engine: Engine, typed: str) -> None:
    with Session(engine) as s:
        if s.scalar(select(func.count()).select_from(SearchDoc)) == 0:
            s.close()
            seed(engine)
            with Session(engine) as w, w.begin():
                drain(w)
    with Session(engine) as s:
        results = search(s, typed, Filters())
        assert results.query.problem in ("", "empty", "too_long", "no_words")
        for hit in results.hits:
            assert hit.title


def test_an_item_stamped_now_has_this_year(engine: Engine) -> None:
    now = datetime.now(UTC)
    with Session(engine) as s, s.begin():
        area = one_community(s)
        enter_item(s, DirectItem(area_id=area.id, year=now.year, title="垃圾分类"), actor_id=None)
        drain(s)
    assert titles(engine, "垃圾分类", Filters(year=now.year)) == ["垃圾分类"]
