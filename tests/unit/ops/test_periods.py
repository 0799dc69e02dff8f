"""Periods and triggers: workers on different hosts agree on which period a run is for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from web.ops.jobs import HOUR, JOBS, MINUTE
from web.ops.worker import EPOCH, SLACK, build_scheduler, period_start
from web.settings import Settings

NOON = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "period", "start"),
    [
        (NOON, MINUTE, NOON),
        (NOON + timedelta(seconds=54), MINUTE, NOON),
        (NOON + timedelta(seconds=56), MINUTE, NOON + MINUTE),  # early for the next
        (NOON - timedelta(seconds=3), MINUTE, NOON),  # a timer a little early, or skew
        (NOON - timedelta(seconds=6), MINUTE, NOON - MINUTE),
        (NOON + timedelta(minutes=59), HOUR, NOON),
    ],
)
def test_period_start(now: datetime, period: timedelta, start: datetime) -> None:
    assert period_start(now, period) == start


@given(
    st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2090, 1, 1)),
    st.sampled_from([MINUTE, HOUR, timedelta(seconds=10)]),
)
def test_a_period_start_is_on_the_grid_and_near(naive: datetime, period: timedelta) -> None:
    now = naive.replace(tzinfo=UTC)
    start = period_start(now, period)
    assert (start - EPOCH) % period == timedelta(0)
    assert start - SLACK <= now < start + period - SLACK


def test_the_scheduler_fires_every_job_on_its_period_grid() -> None:
    settings = Settings(smtp_url="smtp://127.0.0.1:25")
    scheduler = build_scheduler(settings, None, JOBS, "w")  # type: ignore[arg-type]
    for job in JOBS:
        aps_job = scheduler.get_job(job.name)
        fire = aps_job.trigger.get_next_fire_time(None, NOON + timedelta(seconds=7))
        assert fire is not None
        assert period_start(fire, job.period) == fire
        assert NOON < fire <= NOON + job.period
        assert aps_job.max_instances == 1 and aps_job.coalesce
