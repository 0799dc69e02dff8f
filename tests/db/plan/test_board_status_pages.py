"""The board's status filter pages over each item's stored board status
(``PlanItem.board_status``, kept by the writing services and refreshed by the
worker's plan-figures job), not over the hourly summary's per-plan counts: an item
whose status changed after the summary is on its new status's pages, once, and on
no other's."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from participation.db import make_engine
from participation.plan import board, delivery
from tests.db.plan.test_board_counts import _refresh
from tests.db.plan.test_plan_board_sql import TODAY, _grow

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
