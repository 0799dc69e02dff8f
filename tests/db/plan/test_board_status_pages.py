"""The board's status filter pages over each item's stored board status
(``PlanItem.board_status``, kept by the writing services and refreshed by the
worker's plan-figures job), not over the hourly summary's per-plan counts: an item
whose status changed after the summary is on its new status's pages, once, and on
no other's."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from participation.db import make_engine
from participation.plan import board, board_counts, delivery
from participation.plan.delivery import DirectItem
from tests.db.plan.test_board_counts import _refresh
from tests.db.plan.test_plan_board_sql import TODAY, _grow
from tests.support.areas import one_community

PER_PAGE = 5


def _walk(s: Session, status: str) -> list[int]:
    """The item ids of every page of ``status``, in page order."""
    filters = board.Filters(status=status)
    first = board.board_page(s, TODAY, filters, 1, PER_PAGE)
    pages = max(1, -(-first.count // PER_PAGE))
    seen = [v.item.id for v in first.rows]
    for n in range(2, pages + 1):
        seen += [v.item.id for v in board.board_page(s, TODAY, filters, n, PER_PAGE).rows]
    return seen


def test_an_item_finished_after_the_summary_is_on_its_new_status_pages_once(
    demo_url: str,
) -> None:
    """Fails on the code placing the pages by the summary's per-plan counts: the
    finished items' old status pages showed other items twice, and the "done" pages
    left items out, until the next hourly refresh."""
    _grow(demo_url, 60)
    _refresh(demo_url)
    engine = make_engine(demo_url)
    with Session(engine) as s:
        board_order = board.item_views(s, TODAY, board.Filters())
        moved = [v.item for v in board_order if v.status not in ("done", "dropped")][:3]
        assert len({v.status for v in board_order if v.item in moved}) >= 1
        for item in moved:  # the first plan's items: every later page shifts
            delivery.post_source_update(
                s,
                item,
                text="完成",
                progress=100,
                evidence="",
                actor_id=None,
                now=datetime.now(UTC),
            )
        s.flush()
        for status in board.BOARD_STATUSES:
            expected = [
                v.item.id for v in board.item_views(s, TODAY, board.Filters()) if v.status == status
            ]
            seen = _walk(s, status)
            assert seen == expected, status
        s.rollback()
    engine.dispose()


def test_stored_statuses_and_status_pages_on_both_databases(any_db_url: str) -> None:
    """The writing services store each item's board status and its parent's; the
    plan-figures refresh stores every item's and the figures, read back on SQLite and
    PostgreSQL alike (the figures' statement unites groupings with empty columns)."""
    engine = make_engine(any_db_url)
    day = date(2030, 5, 1)
    with Session(engine) as s, s.begin():
        area = one_community(s).id
        top = delivery.enter_item(
            s,
            DirectItem(area_id=area, year=2030, title="总"),
            actor_id=None,
        )
        s.flush()
        parts = [
            delivery.enter_item(
                s,
                DirectItem(area_id=area, year=2030, title=f"分{n}", parent_id=top.id),
                actor_id=None,
            )
            for n in range(3)
        ]
        s.flush()
        assert {i.board_status for i in [top, *parts]} == {"planned"}
        delivery.post_source_update(
            s,
            parts[0],
            text="完成",
            progress=100,
            evidence="",
            actor_id=None,
            now=datetime.now(UTC),
        )
        s.flush()
        assert (parts[0].board_status, top.board_status) == ("done", "in_progress")
        board_counts.refresh(s, day, datetime.now(UTC))
    with Session(engine) as s:
        expected = {
            status: [
                v.item.id
                for v in board.item_views(s, day, board.Filters(year=2030))
                if v.status == status
            ]
            for status in board.BOARD_STATUSES
        }
        for status, ids in expected.items():
            shown = board.board_page(s, day, board.Filters(year=2030, status=status), 1, 2)
            assert shown.as_of is not None and shown.count == len(ids), status
            assert [v.item.id for v in shown.rows] == ids[:2], status
        stored = board.board_page(s, day, board.Filters(year=2030), 1, 10)
        assert stored.figures == board.figures(
            board.item_views(s, day, board.Filters(year=2030)), day
        )
    engine.dispose()
