"""Numbers read from forms and query strings: bounded, normalised, never raising."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from volunteers.rules.checkin import checkin_code, code_is_valid, window_of
from web.kit.forms import INT64_MAX, MAX_ID, record_id, whole_number, yuan


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("42", 42),
        (" 42 ", 42),
        ("１８０００", 18000),  # full-width, as Chinese input methods type them
        ("－５", None),  # below the default low bound of 0
        ("²", 2),  # NFKC makes superscripts plain digits
        ("٢٠٢٦", None),  # other scripts' digits: int() would take them, we do not
        ("1e3", None),
        ("1 000", None),
        ("", None),
        ("-", None),
        (str(INT64_MAX), INT64_MAX),
        (str(2**63), None),
        ("9" * 400, None),
    ],
)
def test_whole_number(raw: str, expected: int | None) -> None:
    assert whole_number(raw) == expected


def test_whole_number_bounds() -> None:
    assert whole_number("-1", low=-5, high=5) == -1
    assert whole_number("6", low=-5, high=5) is None
    assert record_id("0") == 0 and record_id(str(MAX_ID + 1)) == 0 and record_id("7") == 7


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("18,000", 18000),
        ("１８，０００元", 18000),
        ("１８０００", 18000),
        ("0", None),
        ("1e9", None),
    ],
)
def test_yuan(raw: str, expected: int | None) -> None:
    assert yuan(raw) == expected


@given(st.text())
def test_readers_never_raise_and_stay_in_bounds(raw: str) -> None:
    value = whole_number(raw, low=-10, high=10)
    assert value is None or -10 <= value <= 10
    assert 0 <= record_id(raw) <= MAX_ID
    assert yuan(raw) is None or (yuan(raw) or 0) >= 1


@given(st.text())
def test_any_typed_checkin_code_is_judged_not_raised(code: str) -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 5, 1, tzinfo=UTC)
    assert code_is_valid(b"secret", 3, code, now) is (
        code == checkin_code(b"secret", 3, window_of(now))
    )
