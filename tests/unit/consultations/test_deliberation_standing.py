"""Who may deliberate: the pure rule, table-driven and as properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consultations.rules.standing import Refusal, Standing

CASES = [
    (Standing(), Refusal.NOT_VERIFIED),
    (Standing(resident_elsewhere=True), Refusal.OTHER_COMMUNITY),
    (Standing(resident_here=True), None),
    (Standing(representative=True), None),
    (Standing(listed_organization=True), None),
    (Standing(runs_consultation=True), None),
    # A resident of another community who is also a listed organization's member.
    (Standing(resident_elsewhere=True, listed_organization=True), None),
]


@pytest.mark.parametrize(("standing", "expected"), CASES)
def test_refusals(standing: Standing, expected: Refusal | None) -> None:
    assert standing.refusal is expected


@given(st.builds(Standing, *[st.booleans()] * 5))
def test_any_tie_to_the_consultation_is_enough_and_none_is_refused(standing: Standing) -> None:
    tied = (
        standing.resident_here
        or standing.representative
        or standing.listed_organization
        or standing.runs_consultation
    )
    assert (standing.refusal is None) == tied
    if standing.refusal is Refusal.OTHER_COMMUNITY:
        assert standing.resident_elsewhere
