"""Dates are shown in Beijing time, to the minute, in the reader's language."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from babel.dates import format_datetime

from web.kit import i18n


@pytest.mark.parametrize(
    ("locale", "fmt", "shown"),
    [
        ("zh_CN", None, "2026年12月1日 09:05"),
        ("en", None, "1 Dec 2026, 09:05"),
        ("zh_CN", "yyyy-MM-dd", "2026-12-01"),
        ("en", "HH:mm", "09:05"),
    ],
)
def test_format_datetime(locale: str, fmt: str | None, shown: str) -> None:
    token = i18n.current_locale.set(locale)
    try:
        # 01:05 UTC is 09:05 in Beijing; twice, as the cached locale serves the second
        for _ in range(2):
            assert i18n.format_datetime(datetime(2026, 12, 1, 1, 5, tzinfo=UTC), fmt) == shown
    finally:
        i18n.current_locale.reset(token)


def test_no_date_is_shown_as_nothing() -> None:
    assert i18n.format_datetime(None) == ""


def test_the_written_out_patterns_give_what_babel_gives() -> None:
    """``format_datetime`` writes the default patterns out (fast); Babel reads them."""
    rng = random.Random(17)
    moments = [datetime(2026, 12, 31, 16, 0, tzinfo=UTC), datetime(2026, 2, 28, 23, 59)]
    for _ in range(2000):
        moment = datetime(2000, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(2**31))
        moments.append(moment)
        moments.append(moment.replace(tzinfo=None))  # naive: UTC, as for Babel
        moments.append(moment.astimezone(timezone(timedelta(hours=rng.randrange(-12, 14)))))
    for locale, pattern in i18n.DATETIME_PATTERNS.items():
        token = i18n.current_locale.set(locale)
        try:
            for moment in moments:
                expected = format_datetime(
                    moment, pattern, tzinfo=i18n.LOCAL_TZ, locale=i18n.babel_locale(locale)
                )
                assert i18n.format_datetime(moment) == expected, (locale, moment)
        finally:
            i18n.current_locale.reset(token)
