"""The aggregate forms of the hotspot rules agree with the row forms."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from participation.requests.rules import figures
from participation.requests.rules.calendar import local_day

rows = st.lists(
    st.builds(
        figures.RequestRow,
        grid=st.integers(1, 3),
        category=st.sampled_from(["roads", "property"]),
        channel=st.just("online"),
        status=st.just("routed"),
        filed_at=st.datetimes(datetime(2026, 1, 1), datetime(2026, 5, 31), timezones=st.just(UTC)),
        closure=st.sampled_from(["", "merged"]),
    ),
    max_size=40,
)


@given(rows)
def test_rising_from_counts_is_rising_categories(rs: list[figures.RequestRow]) -> None:
    counts = Counter((r.category, r.month) for r in rs if not r.merged)
    flat = [(c, m, n) for (c, m), n in counts.items()]
    for min_count, factor in ((1, 1.0), (5, 1.5)):
        assert figures.rising_from_counts(
            flat, month="2026-05", min_count=min_count, factor=factor
        ) == figures.rising_categories(rs, month="2026-05", min_count=min_count, factor=factor)


@given(rows)
def test_recurring_from_counts_is_recurring_matters(rs: list[figures.RequestRow]) -> None:
    today = date(2026, 5, 31)
    days: dict[tuple[int, str], list[date]] = {}
    for r in rs:
        day = local_day(r.filed_at)
        if (today - day).days < 90 and day <= today:
            days.setdefault((r.grid, r.category), []).append(day)
    flat = [(g, c, len(ds), min(ds), max(ds)) for (g, c), ds in days.items()]
    assert figures.recurring_from_counts(flat, at_least=2) == figures.recurring_matters(
        rs, today=today, at_least=2
    )
