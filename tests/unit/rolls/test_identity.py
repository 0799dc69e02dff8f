from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participation.rules.identity import (
    check_digit,
    id_hash,
    id_number_problem,
    normalize_id_number,
)

VALID = "11010519491231002X"  # the example from GB 11643


@pytest.mark.parametrize(
    ("number", "birth", "problem"),
    [
        (VALID, None, None),
        (VALID, date(1949, 12, 31), None),
        (VALID, date(1949, 12, 30), "birth_mismatch"),
        ("110105194912310021", None, "checksum"),
        ("11010519491231002", None, "shape"),
        ("1101051949123100XX", None, "shape"),
        ("", None, "shape"),
        (
            "110105194902300025",
            None,
            None if check_digit("11010519490230002") == "5" else "checksum",
        ),
    ],
)
def test_problems(number: str, birth: date | None, problem: str | None) -> None:
    assert id_number_problem(number, birth) == problem


def test_impossible_embedded_date() -> None:
    first17 = "11010519490230002"  # 30 February
    assert id_number_problem(first17 + check_digit(first17)) == "birth_date"


def test_normalize_full_width_and_lower_x() -> None:
    assert normalize_id_number(" １１０１０５１９４９１２３１００２ｘ ") == VALID


@given(st.dates(date(1900, 1, 1), date(2025, 12, 31)), st.integers(0, 999), st.integers(0, 999))
def test_generated_numbers_are_valid_and_one_changed_digit_is_not(
    born: date, region: int, seq: int
) -> None:
    first17 = f"110{region:03d}{born:%Y%m%d}{seq:03d}"
    number = first17 + check_digit(first17)
    assert id_number_problem(number, born) is None
    changed = str((int(number[16]) + 1) % 10)
    assert id_number_problem(number[:16] + changed + number[17], None) in {"checksum"}


def test_hash_is_keyed_and_normalized() -> None:
    assert id_hash(b"k1", VALID) == id_hash(b"k1", VALID.lower())
    assert id_hash(b"k1", VALID) != id_hash(b"k2", VALID)
    assert VALID not in id_hash(b"k1", VALID)
