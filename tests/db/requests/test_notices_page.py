"""The office's supervision notices by keyset on (issued_at, id), newest first:
the older links visit every notice once and in order however many share an issue
time, the newer ones go back, a cursor naming no notice gives the first page, and
on SQLite and PostgreSQL each page is a range of the (issued_at, id) index of
migration 0054, never a sort of the city's notices."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from participation.keyset import LARGEST_ID, KeysetPage
from participation.requests import supervision
from participation.requests.models import ResidentRequest
from participation.requests.supervision import NoticeView, SupervisionNotice
from tests.support.keyset import walk_both_ways
from tests.support.queries import explained
from tests.support.requests import file, route_to_community
from tests.support.world import World

PER_PAGE = 3  # small, so that a few notices make many pages
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
DAY = date(2026, 3, 2)


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """The order and the plans must hold on SQLite and on PostgreSQL."""
    return any_db_url


def _request(session: Session, world: World) -> ResidentRequest:
    route_to_community(session, world)
    request, _ = file(session, world)
    session.flush()
    return request


def _notice(request: ResidentRequest, level: int, hour: int) -> dict[str, Any]:
    return {
        "request_id": request.id,
        "stage": "accept",
        "due_on": DAY,
        "level": level,  # the unique key: one notice per level
        "kind": "late",
        "unit_id": request.unit_id,
        "working_days_late": 1,
        "issued_at": START + timedelta(hours=hour),
    }


def ids(page: KeysetPage[NoticeView]) -> list[int]:
    return [row.notice.id for row in page.items]


def walk(session: Session) -> tuple[list[list[int]], list[list[int]]]:
    """The pages from the first by the older links, then back by the newer links."""

    def page_of(after: int = 0, before: int = 0) -> KeysetPage[NoticeView]:
        return supervision.notices_page(
            session, None, after=after, before=before, per_page=PER_PAGE
        )

    return walk_both_ways(page_of, lambda row: row.notice.id)


@hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(hours=st.lists(st.integers(0, 4), max_size=25))
def test_the_older_links_visit_every_notice_once_and_the_newer_ones_go_back(
    session: Session, world: World, hours: list[int]
) -> None:
    """Issue times drawn from five hours: most notices share theirs with others,
    so the id alone decides the order among them (a sweep issues many at once)."""
    try:
        request = _request(session, world)
        for level, hour in enumerate(hours):
            session.execute(insert(SupervisionNotice), [_notice(request, level, hour)])
        forward, backward = walk(session)
        expected = [
            i
            for (i,) in session.execute(
                select(SupervisionNotice.id).order_by(
                    SupervisionNotice.issued_at.desc(), SupervisionNotice.id.desc()
                )
            )
        ]
        assert [i for page in forward for i in page] == expected  # each once, newest first
        assert all(len(page) == PER_PAGE for page in forward[:-1])
        assert backward == forward[::-1]
    finally:
        session.rollback()


def test_a_cursor_naming_no_notice_gives_the_first_page(session: Session, world: World) -> None:
    request = _request(session, world)
    session.execute(insert(SupervisionNotice), [_notice(request, k, k) for k in range(5)])
    newest = ids(supervision.notices_page(session, None, per_page=PER_PAGE))
    missing = (session.scalar(select(func.max(SupervisionNotice.id))) or 0) + 1
    for cursor in (missing, LARGEST_ID, LARGEST_ID + 1, 10**17, -1):
        for direction in ("after", "before"):
            page = supervision.notices_page(session, None, per_page=PER_PAGE, **{direction: cursor})
            assert ids(page) == newest and page.previous_before is None, (direction, cursor)
    # Before the newest notice: nothing newer, the first page.
    assert ids(supervision.notices_page(session, None, before=newest[0], per_page=3)) == newest
    session.rollback()


def test_each_page_is_a_range_of_the_issue_time_index(engine: Engine, world: World) -> None:
    """The index of migration 0054 on (issued_at, id) serves the first page and a
    deep one: the cursor's issue time bounds the range, and the city's list is
    never sorted. (For a person's areas, PostgreSQL may choose to join the range
    with the area's units and sort what is left: the range, not the city.)"""
    with Session(engine) as s, s.begin():
        request = _request(s, world)
        s.execute(insert(SupervisionNotice), [_notice(request, k, k // 4) for k in range(20_000)])
        deep = s.scalar(
            select(SupervisionNotice.id)
            .order_by(SupervisionNotice.issued_at.desc(), SupervisionNotice.id.desc())
            .offset(12_345)
            .limit(1)
        )
        assert deep is not None
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("ANALYZE request_supervisions")
    everywhere, within = None, [world["district"].path]
    for paths in (everywhere, within):
        for cursor in ({}, {"after": deep}, {"before": deep}):
            plans = explained(
                engine,
                lambda s: supervision.notices_page(s, paths, **cursor),  # noqa: B023
            )
            page = plans[-1]  # after the cursor's key, when there is a cursor
            assert len(plans) == (2 if cursor else 1), plans
            assert "ix_request_supervisions_issued" in page, (paths, cursor, page)
            assert "Seq Scan on request_supervisions" not in page, page
            if paths is None:  # a scoped list, PostgreSQL may sort the area's rows of the range
                assert "TEMP B-TREE" not in page and "Sort Key" not in page, (cursor, page)
            if cursor:
                bound = re.search(r"(Index Cond: |SEARCH ).*issued_at ?[<>]", page)
                assert bound, (paths, cursor, page)
