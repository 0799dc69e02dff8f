"""The proposal form, read through the one form reader (moved from the domain's
check_proposal, with the same cases)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from web.budgets.forms import read_proposal

GOOD = {
    "title": "长者饭堂",
    "description": "为社区老人提供午餐",
    "location": "望江社区活动中心",
    "cost_yuan": "60000",
    "beneficiaries": "60岁以上居民",
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"description": "  "}, "description"),
        ({"location": ""}, "location"),
        ({"beneficiaries": ""}, "beneficiaries"),
        ({"cost_yuan": "0"}, "cost_yuan"),
        ({"cost_yuan": "-100"}, "cost_yuan"),
        ({"cost_yuan": "abc"}, "cost_yuan"),
        ({"title": "长" * 121}, "title"),
    ],
)
def test_a_bad_proposal_names_its_field(change: dict[str, str], field: str) -> None:
    draft, problems = read_proposal(GOOD | change)
    assert draft is None and field in problems


def test_a_good_proposal_is_read() -> None:
    draft, problems = read_proposal(GOOD)
    assert problems == {} and draft is not None and draft.cost_yuan == 60000


@given(st.dictionaries(st.sampled_from(list(GOOD)), st.text(max_size=30)))
def test_a_proposal_is_either_read_or_refused_never_both(fields: dict[str, str]) -> None:
    draft, problems = read_proposal(fields)
    assert (draft is None) != (problems == {})
    if draft is not None:
        assert draft.cost_yuan > 0 and draft.title and draft.location


def test_a_cost_in_full_width_digits_with_separators_is_read() -> None:
    draft, problems = read_proposal(GOOD | {"cost_yuan": "６０，０００元"})
    assert problems == {} and draft is not None and draft.cost_yuan == 60000
