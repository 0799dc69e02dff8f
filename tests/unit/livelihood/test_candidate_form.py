"""The solicitation form, read through the one form reader (moved from the domain's
check_candidate, with the same cases and the dates it read wrongly)."""

from __future__ import annotations

from datetime import date

import pytest

from web.livelihood.forms import read_candidate

CANDIDATE = {
    "name": "老旧小区加装电梯",
    "background": "居民呼声高",
    "content": "加装电梯30部",
    "department": "区住建局",
    "funds_yuan": "3000000",
    "funds_source": "区财政",
    "complete_by": "2026-12-31",
    "submitter_kind": "deputy",
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"department": ""}, "department"),
        ({"funds_yuan": "0"}, "funds_yuan"),
        ({"complete_by": "2026-01-01"}, "complete_by"),
        ({"complete_by": "soon"}, "complete_by"),
        ({"submitter_kind": "mayor"}, "submitter_kind"),
    ],
)
def test_a_bad_submission_names_its_field(change: dict[str, str], field: str) -> None:
    draft, problems = read_candidate(CANDIDATE | change, date(2026, 1, 1))
    assert draft is None and field in problems


@pytest.mark.parametrize(
    "typed",
    [
        "20261231",  # ISO basic format: not what the date field sends
        "2026-W52-4",  # an ISO week date
        "2026-12-31T00:00",  # a moment, not a day
    ],
)
def test_a_completion_date_not_typed_as_a_day_is_refused(typed: str) -> None:
    draft, problems = read_candidate(CANDIDATE | {"complete_by": typed}, date(2026, 1, 1))
    assert draft is None and "complete_by" in problems


def test_a_completion_date_in_full_width_digits_is_read() -> None:
    draft, problems = read_candidate(
        CANDIDATE | {"complete_by": "２０２６-１２-３１"}, date(2026, 1, 1)
    )
    assert problems == {} and draft is not None and draft.complete_by == date(2026, 12, 31)


def test_a_good_submission_is_read_and_an_empty_kind_is_the_public() -> None:
    draft, problems = read_candidate(CANDIDATE | {"submitter_kind": ""}, date(2026, 1, 1))
    assert problems == {} and draft is not None and draft.submitter_kind == "public"
