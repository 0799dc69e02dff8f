"""Pure rules of project ballots: money, 差额, quorum, phases and comparing two
budget outcomes (the proposal and submission forms: test_*_form.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participation.budgets.rules import (
    ROUND_PHASES,
    compare_outcomes,
    image_type,
    other_rule,
)
from participation.livelihood.rules import competitive_list, quorum
from participation.rules.phases import next_phase


@pytest.mark.parametrize(
    ("candidates", "places", "percent", "needed", "ok"),
    [
        (12, 10, 20, 12, True),
        (11, 10, 20, 12, False),
        (3, 2, 20, 3, True),
        (2, 2, 0, 3, False),  # never equal: a list must always be competitive
        (6, 5, 10, 6, True),
        (13, 10, 25, 13, True),
    ],
)
def test_competitive_list(
    candidates: int, places: int, percent: int, needed: int, ok: bool
) -> None:
    check = competitive_list(candidates, places, percent)
    assert (check.needed, check.ok) == (needed, ok)


@given(st.integers(0, 200), st.integers(1, 100), st.integers(0, 200))
def test_a_competitive_list_always_exceeds_the_places(
    candidates: int, places: int, percent: int
) -> None:
    check = competitive_list(candidates, places, percent)
    if check.ok:
        assert candidates > places
        assert candidates * 100 >= places * (100 + percent)


@pytest.mark.parametrize(
    ("expected", "present", "reached"),
    [(45, 23, True), (45, 22, False), (10, 6, True), (10, 5, False), (0, 0, False)],
)
def test_quorum_is_more_than_half(expected: int, present: int, reached: bool) -> None:
    assert quorum(expected, present).reached is reached


@given(st.integers(0, 500), st.integers(0, 500))
def test_quorum_property(expected: int, present: int) -> None:
    assert quorum(expected, present).reached == (expected > 0 and 2 * present > expected)


def test_phases_only_move_forward() -> None:
    names = [p.value for p in ROUND_PHASES]
    assert next_phase(names, "proposal") == "screening"
    assert next_phase(names, "delivery") is None
    assert other_rule("greedy") == "mes" and other_rule("mes") == "greedy"


def _row(key: str, votes: int, cost: int, selected: bool) -> dict[str, object]:
    return {
        "key": key,
        "title": key,
        "value": votes,
        "selected": selected,
        "outcome": "Funded" if selected else "Not funded",
        "outcome_params": {},
        "detail": [["Cost", cost]],
    }


def test_compare_outcomes_marks_the_rows_that_change() -> None:
    tally = {"rows": [_row("a", 5, 60, True), _row("b", 4, 30, True), _row("c", 3, 30, False)]}
    other = {"rows": [_row("c", 3, 30, True), _row("a", 5, 60, True), _row("b", 4, 30, False)]}
    rows, spent, spent_other = compare_outcomes(tally, other)
    assert [r.key for r in rows] == ["a", "b", "c"]
    assert [r.differs for r in rows] == [False, True, True]
    assert (spent, spent_other) == (90, 90)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\nrest", "image/png"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"MZ\x90\x00", None),
        (b"<svg onload=alert(1)>", None),
        (b"", None),
    ],
)
def test_image_type_is_read_from_the_bytes(data: bytes, expected: str | None) -> None:
    assert image_type(data) == expected
