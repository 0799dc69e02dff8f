"""The progress board's summary table (plan_board_counts, rebuilt by the worker's
plan-figures job): once stored, /plan reads its counts and figures from it, equal
to the live computation for that day, without computing every item of the year."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.db import make_engine
from participation.plan import board, board_counts
from tests.db.plan.test_plan_board_sql import TODAY, _cases, _grow
from tests.support.client import FormClient
from tests.support.queries import page_selects, statements

NOW = datetime.now(UTC)


def _refresh(url: str) -> None:
    engine = make_engine(url)
    with Session(engine) as s, s.begin():
        assert board_counts.refresh(s, TODAY, NOW) > 0
    engine.dispose()


def test_stored_figures_equal_the_live_ones(demo_url: str) -> None:
    _grow(demo_url, 120)
    engine = make_engine(demo_url)
    with Session(engine) as s:
        for day, filters in _cases(s):
            live = board.board_page(s, day, filters, 2, 7)
            assert live.as_of is None
            board_counts.refresh(s, day, NOW)
            stored = board.board_page(s, day, filters, 2, 7)
            assert stored.as_of == NOW
            assert (stored.count, stored.late) == (live.count, live.late), (day, filters)
            assert stored.figures == live.figures, (day, filters)
            assert [(v.item.id, v.progress, v.status) for v in stored.rows] == [
                (v.item.id, v.progress, v.status) for v in live.rows
            ]
            s.rollback()
    engine.dispose()


def test_the_board_reads_the_summary_not_the_items(
    demo_url: str, demo_app: Starlette, demo_client: FormClient
) -> None:
    """Fails on the old code: every request computed the progress of every item of
    the year from its milestones and updates (~270 ms at 20,000 items)."""
    _grow(demo_url, 150)
    _refresh(demo_url)
    with statements() as seen:
        page = demo_client.get("/plan")
    assert page.status_code == 200 and 'id="as-of"' in page.text
    big = [
        sql
        for sql in seen
        if "GROUP BY" in sql.upper() and ("plan_milestones" in sql or "plan_updates" in sql)
    ]
    # The page's own items still get their progress (restricted to their ids).
    assert all("IN (" in sql.upper() or "IN(" in sql.upper() for sql in big), big


@pytest.mark.parametrize("path", ["/plan", "/plan?status=delayed", "/plan?year=&status=delayed"])
def test_board_with_the_summary_runs_as_many_statements_for_3n_items(
    demo_url: str, demo_app: Starlette, demo_client: FormClient, path: str
) -> None:
    engine = demo_app.state.engine
    _grow(demo_url, 150)
    _refresh(demo_url)
    small, _ = page_selects(engine, demo_client, path)
    _grow(demo_url, 300)
    _refresh(demo_url)
    large, text = page_selects(engine, demo_client, path)
    assert large == small
    assert "page=" in text
