"""Plan rules: progress roll-up, overdue with a controlled clock, backward scheduling, year end."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participation.plan.rules import (
    CARRIED,
    Outcome,
    Part,
    Step,
    backward_schedule,
    classify_year_end,
    date_problem,
    is_overdue,
    item_overdue,
    milestone_progress,
    milestone_weights_problem,
    on_time_rate,
    progress_problem,
    roll_up,
    was_late,
)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([], 0),
        ([Part(1, 40)], 40),
        ([Part(1, 0), Part(1, 100)], 50),
        ([Part(3, 100), Part(1, 0)], 75),
        ([Part(1, 50), Part(2, 51)], 51),  # 152/3 = 50.67 -> 51
        ([Part(1, 0), Part(1, 1)], 1),  # 0.5 rounds half up
        ([Part(1, 0), Part(2, 1)], 1),  # 0.67 -> 1
        ([Part(199, 100), Part(1, 99)], 99),  # 99.995 would round to 100: capped below
        ([Part(5, 100), Part(5, 100)], 100),
    ],
)
def test_roll_up_table(parts: list[Part], expected: int) -> None:
    assert roll_up(parts) == expected


@pytest.mark.parametrize("bad", [Part(0, 10), Part(-1, 10), Part(1, 101), Part(1, -1)])
def test_roll_up_refuses_bad_parts(bad: Part) -> None:
    with pytest.raises(ValueError):
        roll_up([Part(1, 10), bad])


parts = st.lists(
    st.builds(Part, st.integers(1, 1000), st.integers(0, 100)), min_size=1, max_size=12
)


@given(parts)
def test_roll_up_lies_between_children(children: list[Part]) -> None:
    result = roll_up(children)
    assert min(p.progress for p in children) <= result <= max(p.progress for p in children)
    assert (result == 100) == all(p.progress == 100 for p in children)


@given(parts, st.integers(1, 50))
def test_scaling_every_weight_keeps_the_roll_up(children: list[Part], factor: int) -> None:
    scaled = [Part(p.weight * factor, p.progress) for p in children]
    assert roll_up(scaled) == roll_up(children)


@given(parts, st.integers(0, 11), st.integers(0, 100))
def test_more_progress_never_lowers_the_parent(children: list[Part], i: int, gain: int) -> None:
    i %= len(children)
    better = list(children)
    better[i] = Part(children[i].weight, min(100, children[i].progress + gain))
    assert roll_up(better) >= roll_up(children)


@pytest.mark.parametrize(
    ("value", "ok"), [(0, True), (100, True), (55, True), (-1, False), (101, False)]
)
def test_progress_bounds(value: int, ok: bool) -> None:
    assert (progress_problem(value) is None) == ok


@pytest.mark.parametrize(
    ("existing", "new", "ok"),
    [
        ([], 100, True),
        ([40, 30], 30, True),
        ([40, 30], 31, False),
        ([], 0, False),
        ([10], -5, False),
    ],
)
def test_milestone_weights(existing: list[int], new: int, ok: bool) -> None:
    assert (milestone_weights_problem(existing, new) is None) == ok


def test_milestone_progress_counts_done_weights() -> None:
    assert milestone_progress([(30, True), (30, False), (40, True)]) == 70
    assert milestone_progress([]) == 0


DUE = date(2027, 6, 30)


@pytest.mark.parametrize(
    ("today", "done_on", "overdue"),
    [
        (date(2027, 6, 29), None, False),
        (DUE, None, False),  # the due day itself is still on time
        (date(2027, 7, 1), None, True),
        (date(2027, 7, 1), date(2027, 6, 30), False),
        (date(2027, 9, 1), date(2027, 8, 1), False),  # done late: no longer overdue
    ],
)
def test_overdue_with_a_controlled_clock(today: date, done_on: date | None, overdue: bool) -> None:
    assert is_overdue(DUE, done_on, today) is overdue
    assert is_overdue(None, None, today) is False


def test_late_and_item_overdue() -> None:
    assert was_late(DUE, date(2027, 7, 1)) and not was_late(DUE, DUE)
    assert item_overdue(DUE, 80, False, date(2027, 7, 1))
    assert not item_overdue(DUE, 100, False, date(2027, 7, 1))
    assert not item_overdue(DUE, 20, True, date(2027, 7, 1))
    assert not item_overdue(DUE, 20, False, DUE)


def test_on_time_rate_counts_only_what_fell_due() -> None:
    today = date(2027, 7, 10)
    rate = on_time_rate(
        [
            (date(2027, 3, 1), date(2027, 2, 27)),  # on time
            (date(2027, 5, 1), date(2027, 5, 9)),  # late
            (date(2027, 7, 1), None),  # overdue
            (date(2027, 7, 10), None),  # due today: not yet counted
            (date(2027, 9, 1), date(2027, 7, 2)),  # early: on time
            (date(2027, 9, 1), None),  # not due yet
        ],
        today,
    )
    assert (rate.due, rate.on_time, rate.percent) == (4, 2, 50)
    assert on_time_rate([], today).percent is None


def test_milestone_dates_within_the_item() -> None:
    start, end = date(2027, 3, 1), date(2027, 10, 31)
    assert date_problem(start, end, start) is None
    assert date_problem(start, end, end) is None
    assert date_problem(start, end, date(2027, 2, 28)) is not None
    assert date_problem(start, end, date(2027, 11, 1)) is not None


def test_backward_schedule_counts_back_from_the_end() -> None:
    schedule = backward_schedule(
        date(2027, 3, 1),
        date(2027, 10, 31),
        [Step("设计", 30), Step("招标", 20), Step("施工", 90), Step("验收", 10)],
    )
    assert schedule.problem is None
    assert schedule.due_dates == (
        date(2027, 7, 3),
        date(2027, 7, 23),
        date(2027, 10, 21),
        date(2027, 10, 31),
    )


@pytest.mark.parametrize(
    "steps", [[Step("a", 200), Step("b", 100)], [Step("a", 0)], [Step("a", -3)], []]
)
def test_backward_schedule_refuses_what_does_not_fit(steps: list[Step]) -> None:
    schedule = backward_schedule(date(2027, 3, 1), date(2027, 10, 31), steps)
    assert schedule.problem and schedule.due_dates == ()


@given(
    st.dates(date(2020, 1, 1), date(2030, 1, 1)),
    st.integers(0, 800),
    st.lists(st.integers(1, 120), min_size=1, max_size=8),
)
def test_backward_schedule_stays_within_the_item(start: date, span: int, days: list[int]) -> None:
    end = start + timedelta(days=span)
    schedule = backward_schedule(start, end, [Step(str(i), d) for i, d in enumerate(days)])
    if sum(days) > span:
        assert schedule.problem is not None
        return
    dates = schedule.due_dates
    assert len(dates) == len(days) and dates[-1] == end
    assert all(start <= d <= end for d in dates)
    assert list(dates) == sorted(dates)
    assert all(date_problem(start, end, d) is None for d in dates)


YEAR_END = date(2027, 12, 31)


@pytest.mark.parametrize(
    ("done", "progress", "due_on", "reason", "outcome"),
    [
        (True, 60, DUE, "", Outcome.FINISHED),
        (False, 100, DUE, "", Outcome.FINISHED),
        (True, 100, DUE, "资金未到位", Outcome.FINISHED),  # finished is never dropped
        (False, 30, DUE, "资金未到位", Outcome.DROPPED),
        (False, 30, DUE, "   ", Outcome.DELAYED),
        (False, 30, None, "", Outcome.DELAYED),
        (False, 30, YEAR_END, "", Outcome.DELAYED),
        (False, 30, date(2028, 5, 1), "", Outcome.CONTINUING),
    ],
)
def test_year_end_classification(
    done: bool, progress: int, due_on: date | None, reason: str, outcome: Outcome
) -> None:
    result = classify_year_end(
        done=done, progress=progress, due_on=due_on, year_end=YEAR_END, drop_reason=reason
    )
    assert result.outcome is outcome
    assert (result.reason != "") == (outcome is Outcome.DROPPED)


@given(st.booleans(), st.integers(0, 100), st.text(max_size=5))
def test_only_unfinished_undropped_items_carry_over(done: bool, progress: int, reason: str) -> None:
    result = classify_year_end(
        done=done, progress=progress, due_on=DUE, year_end=YEAR_END, drop_reason=reason
    )
    carried = result.outcome in CARRIED
    assert carried == (not done and progress < 100 and not reason.strip())
