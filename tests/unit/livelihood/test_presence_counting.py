"""The base "present" of a box with a presence list is the members signed in, not
the ballots returned (table-driven at the boundary, and a hypothesis property)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.counting import count_bulletin


def header(present: int | None, base: str = "present", **rule: Any) -> dict[str, Any]:
    head: dict[str, Any] = {
        "form": BallotForm(FormKind.CHOOSE, 0, 1).to_json(),
        "rule": {"rule": "threshold", "base": base, "share": "1/2", "places": 1} | rule,
        "items": [{"key": "a", "title": "甲", "cost": 0}, {"key": "b", "title": "乙", "cost": 0}],
        "eligible": 20,
        "paper_issued": None,
    }
    if present is not None:
        head["present"] = present
    return head


def tally(present: int | None, yes: int, no: int = 0, **rule: Any) -> dict[str, Any]:
    ballots = [{"approved": ["a"]}] * yes + [{"approved": []}] * no
    return count_bulletin(header(present, **rule), ballots, [False] * len(ballots))


@pytest.mark.parametrize(
    ("present", "yes", "no", "adopted"),
    [
        (None, 3, 0, True),  # no presence list: 3 returned, 3 > 1.5
        (6, 3, 0, False),  # 6 signed in: 3 is exactly half, not more
        (5, 3, 0, True),  # 3 > 2.5
        (7, 3, 1, False),  # absent-minded voters still count as present
        (7, 4, 0, True),
    ],
)
def test_present_means_signed_in(present: int | None, yes: int, no: int, adopted: bool) -> None:
    assert (tally(present, yes, no)["selected"] == ["a"]) is adopted


def test_the_quorum_counts_those_present_not_those_voting() -> None:
    # 11 of 20 signed in is a quorum even though only 2 voted; 10 is not.
    def quorum_missed(present: int) -> bool:
        notes = tally(present, 2, quorum="1/2")["notes"]
        return any(n["message"].startswith("Quorum not reached") for n in notes)

    assert not quorum_missed(11)
    assert quorum_missed(10)


@given(present=st.integers(0, 40), yes=st.integers(0, 40), no=st.integers(0, 40))
def test_an_item_passes_iff_more_than_half_of_those_present(
    present: int, yes: int, no: int
) -> None:
    outcome = tally(present, yes, no)
    assert (outcome["selected"] == ["a"]) is (2 * yes > present)
    # The base "eligible" ignores the presence list entirely.
    assert (
        tally(present, yes, no, base="eligible")["selected"]
        == tally(None, yes, no, base="eligible")["selected"]
    )
