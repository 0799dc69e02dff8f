"""Pure volunteer rules: sign-up decisions, cancellation, freed places, hours, stars."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from volunteers.rules.checkin import WINDOW_SECONDS, checkin_code, code_is_valid, window_of
from volunteers.rules.hours import (
    Credit,
    LedgerLine,
    balance,
    balances_by,
    credit_for_attendance,
    shown_star_level,
    star_level,
)
from volunteers.rules.signup import (
    PersonFacts,
    Reason,
    ShiftFacts,
    ShiftRules,
    decide_cancel,
    decide_signup,
)
from volunteers.rules.waitlist import Move, on_freed_place

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
END = START + timedelta(hours=3)
NOW = START - timedelta(days=2)
RULES = ShiftRules()


def shift(**kw: Any) -> ShiftFacts:
    base = dict(starts_at=START, ends_at=END, capacity=10, confirmed=0)
    return ShiftFacts(**(base | kw))  # type: ignore[arg-type]


def person(**kw: Any) -> PersonFacts:
    base = dict(
        birth_date=date(1990, 1, 1),
        qualifications=frozenset(),
        is_member=True,
        no_shows=0,
        guardian_consent=False,
    )
    return PersonFacts(**(base | kw))  # type: ignore[arg-type]


CASES = [
    ("ok", shift(), person(), NOW, (True, False, Reason.CONFIRMED)),
    ("full", shift(confirmed=10), person(), NOW, (True, True, Reason.FULL)),
    ("cancelled", shift(cancelled=True), person(), NOW, (False, False, Reason.CANCELLED)),
    ("started", shift(), person(), START, (False, False, Reason.CLOSED)),
    (
        "too early",
        shift(),
        person(),
        START - timedelta(days=15),
        (False, False, Reason.NOT_YET_OPEN),
    ),
    ("just open", shift(), person(), START - timedelta(days=14), (True, False, Reason.CONFIRMED)),
    ("age 9", shift(), person(birth_date=date(2017, 6, 1)), NOW, (False, False, Reason.TOO_YOUNG)),
    (
        "age 12 no consent",
        shift(),
        person(birth_date=date(2014, 6, 1)),
        NOW,
        (False, False, Reason.NEEDS_GUARDIAN_CONSENT),
    ),
    (
        "age 12 consent",
        shift(),
        person(birth_date=date(2014, 6, 1), guardian_consent=True),
        NOW,
        (True, False, Reason.CONFIRMED),
    ),
    (
        "14 today",
        shift(),
        person(birth_date=date(2012, 11, 29)),
        NOW,
        (True, False, Reason.CONFIRMED),
    ),
    ("age unknown", shift(), person(birth_date=None), NOW, (True, False, Reason.CONFIRMED)),
    ("one no-show", shift(), person(no_shows=1), NOW, (True, False, Reason.CONFIRMED)),
    ("two no-shows", shift(), person(no_shows=2), NOW, (False, False, Reason.LOCKED)),
    (
        "members only",
        shift(members_only=True),
        person(is_member=False),
        NOW,
        (False, False, Reason.MEMBERS_ONLY),
    ),
    (
        "qualification",
        shift(qualifications=frozenset({"first_aid"})),
        person(),
        NOW,
        (False, False, Reason.MISSING_QUALIFICATION),
    ),
    (
        "has qualification",
        shift(qualifications=frozenset({"first_aid"})),
        person(qualifications=frozenset({"first_aid", "driver"})),
        NOW,
        (True, False, Reason.CONFIRMED),
    ),
    (
        "overlap",
        shift(),
        person(commitments=((START + timedelta(hours=2), END + timedelta(hours=2)),)),
        NOW,
        (False, False, Reason.OVERLAPS),
    ),
    (
        "within grace",
        shift(),
        person(commitments=((END - timedelta(minutes=10), END + timedelta(hours=2)),)),
        NOW,
        (True, False, Reason.CONFIRMED),
    ),
    (
        "past grace",
        shift(),
        person(commitments=((END - timedelta(minutes=11), END + timedelta(hours=2)),)),
        NOW,
        (False, False, Reason.OVERLAPS),
    ),
    (
        "back to back",
        shift(),
        person(commitments=((END, END + timedelta(hours=2)),)),
        NOW,
        (True, False, Reason.CONFIRMED),
    ),
    (
        "full but refused first",
        shift(confirmed=10),
        person(no_shows=3),
        NOW,
        (False, False, Reason.LOCKED),
    ),
]


@pytest.mark.parametrize(("name", "s", "p", "now", "expected"), CASES, ids=[c[0] for c in CASES])
def test_signup_decisions(
    name: str,
    s: ShiftFacts,
    p: PersonFacts,
    now: datetime,
    expected: tuple[bool, bool, Reason | None],
) -> None:
    d = decide_signup(s, p, RULES, now)
    assert (d.accepted, d.waitlisted, d.reason) == expected


@given(
    capacity=st.integers(1, 50),
    confirmed=st.integers(0, 60),
    no_shows=st.integers(0, 4),
    minutes_before=st.integers(-300, 30000),
)
def test_signup_never_overbooks(
    capacity: int, confirmed: int, no_shows: int, minutes_before: int
) -> None:
    d = decide_signup(
        shift(capacity=capacity, confirmed=confirmed),
        person(no_shows=no_shows),
        RULES,
        START - timedelta(minutes=minutes_before),
    )
    if d.accepted and not d.waitlisted:
        assert confirmed < capacity
    if not d.accepted:
        assert not d.waitlisted


@pytest.mark.parametrize(
    ("before", "allowed", "late"),
    [
        (timedelta(hours=5), True, False),
        (timedelta(hours=3, seconds=1), True, False),
        (timedelta(hours=3), True, True),
        (timedelta(minutes=1), True, True),
        (timedelta(0), False, False),
        (-timedelta(hours=1), False, False),
    ],
)
def test_cancel_window(before: timedelta, allowed: bool, late: bool) -> None:
    d = decide_cancel(START, RULES, START - before)
    assert (d.allowed, d.late) == (allowed, late)


@pytest.mark.parametrize(
    ("before", "waiting", "move", "expires"),
    [
        (timedelta(hours=48), 3, Move.PROMOTE, None),
        (timedelta(hours=24, seconds=1), 1, Move.PROMOTE, None),
        (timedelta(hours=24), 1, Move.OFFER, START - timedelta(hours=24) + timedelta(minutes=30)),
        (timedelta(minutes=10), 1, Move.OFFER, START),
        (timedelta(hours=48), 0, Move.NONE, None),
        (timedelta(0), 5, Move.NONE, None),
    ],
)
def test_freed_place(before: timedelta, waiting: int, move: Move, expires: datetime | None) -> None:
    r = on_freed_place(START, START - before, waiting=waiting, cutoff_hours=24, offer_minutes=30)
    assert r.move is move
    assert r.offer_expires_at == expires


@given(st.integers(-10_000, 10_000), st.integers(0, 100))
def test_offer_never_outlives_start(seconds_before: int, waiting: int) -> None:
    now = START - timedelta(seconds=seconds_before)
    r = on_freed_place(START, now, waiting=waiting, cutoff_hours=24, offer_minutes=30)
    if r.move is Move.OFFER:
        assert r.offer_expires_at is not None and now < r.offer_expires_at <= START
    if waiting == 0 or now >= START:
        assert r.move is Move.NONE


M = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("check_in", "check_out", "outcome", "minutes"),
    [
        (START, END, Credit.CREDITED, 180),
        (START - 30 * M, END + 30 * M, Credit.CREDITED, 180),  # early/late adds nothing
        (START + 72 * M, END, Credit.CREDITED, 108),  # exactly 60 %
        (START + 73 * M, END, Credit.TOO_SHORT, 0),
        (START, None, Credit.PENDING, 0),
        (None, None, Credit.ABSENT, 0),
        (END + M, END + 60 * M, Credit.TOO_SHORT, 0),
    ],
)
def test_credit(
    check_in: datetime | None, check_out: datetime | None, outcome: Credit, minutes: int
) -> None:
    r = credit_for_attendance(START, END, check_in, check_out, 60)
    assert (r.outcome, r.minutes) == (outcome, minutes)


@given(st.integers(-600, 600), st.integers(0, 900), st.integers(0, 100))
def test_credit_bounded_by_shift(offset: int, length: int, coverage: int) -> None:
    check_in = START + timedelta(minutes=offset)
    r = credit_for_attendance(START, END, check_in, check_in + timedelta(minutes=length), coverage)
    assert 0 <= r.minutes <= 180
    if r.outcome is Credit.CREDITED:
        assert r.minutes * 100 >= coverage * 180


@pytest.mark.parametrize(
    ("hours", "stars"),
    [
        (0, 0),
        (99, 0),
        (100, 1),
        (299, 1),
        (300, 2),
        (600, 3),
        (999, 3),
        (1000, 4),
        (1500, 5),
        (9999, 5),
    ],
)
def test_star_levels(hours: int, stars: int) -> None:
    assert star_level(hours * 60) == stars
    assert star_level(hours * 60 - 1) == max(
        0, stars - (1 if hours in (100, 300, 600, 1000, 1500) else 0)
    )


def test_star_shown_after_notice() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    history = [(now - timedelta(days=30), 99 * 60), (now - timedelta(days=2), 60)]
    assert star_level(sum(m for _, m in history)) == 1
    assert shown_star_level(history, now) == 0
    assert shown_star_level(history, now + timedelta(days=6)) == 1


lines = st.lists(
    st.builds(
        LedgerLine,
        minutes=st.integers(-600, 600),
        served_on=st.dates(date(2025, 1, 1), date(2026, 12, 31)),
        team_id=st.integers(1, 3),
        area_id=st.integers(1, 3),
    ),
    max_size=40,
)


@given(lines)
def test_balance_is_a_fold_and_partitions_agree(ls: list[LedgerLine]) -> None:
    total = balance(ls)
    assert total == sum(x.minutes for x in ls)
    for key in ("team_id", "area_id", "month"):
        assert sum(balances_by(ls, key).values()) == total
    # Appending a correction that cancels an entry removes it from the balance.
    if ls:
        correction = LedgerLine(-ls[0].minutes, ls[0].served_on, ls[0].team_id, ls[0].area_id)
        assert balance([*ls, correction]) == total - ls[0].minutes


def test_checkin_codes_rotate() -> None:
    secret = b"k" * 32
    t = datetime(2026, 12, 1, 9, 0, 0, tzinfo=UTC)
    code = checkin_code(secret, 7, window_of(t))
    assert code_is_valid(secret, 7, code, t)
    assert code_is_valid(secret, 7, code, t + timedelta(seconds=WINDOW_SECONDS))
    assert not code_is_valid(secret, 7, code, t + timedelta(seconds=2 * WINDOW_SECONDS))
    assert not code_is_valid(secret, 8, code, t)
    assert not code_is_valid(b"x" * 32, 7, code, t)


@given(st.integers(0, 10**9), st.integers(0, 200))
def test_checkin_code_lives_at_most_60_seconds(start: int, later: int) -> None:
    secret = b"s" * 32
    issued = datetime.fromtimestamp(start, UTC)
    code = checkin_code(secret, 1, window_of(issued))
    if code_is_valid(secret, 1, code, issued + timedelta(seconds=later)):
        assert later < 60
