"""Dates are shown in Beijing time, to the minute, in the reader's language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

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
