"""Pure volunteer settings: reading and checking sign-up rules, the rules in the
sign-up decision, and star-level schemes."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from volunteers.rules.hours import shown_star_level, star_level
from volunteers.rules.settings import (
    BOUNDS,
    CONSENT_BELOW_SELF_SIGNUP,
    NOT_A_NUMBER,
    OUT_OF_BOUNDS,
    RULE_NAMES,
    SELF_SIGNUP_ABOVE_CONSENT,
    check_rules,
    merge,
    read_rules,
)
from volunteers.rules.signup import PersonFacts, Reason, ShiftFacts, ShiftRules, decide_signup
from volunteers.rules.stars import DEFAULT_SCHEME, StarScheme, nearest_scheme, read_scheme

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NOW = START - timedelta(days=2)
TEAM = ShiftRules()


def test_every_rule_has_bounds_that_hold_its_default() -> None:
    assert set(BOUNDS) == {f.name for f in fields(ShiftRules)} == set(RULE_NAMES)
    for name, value in asdict(ShiftRules()).items():
        assert BOUNDS[name].low <= value <= BOUNDS[name].high, name
    assert check_rules(asdict(ShiftRules())) == {}


TEAM_CASES = [
    ("defaults", {}, {}),
    ("coverage 0", {"coverage_percent": 0}, {"coverage_percent": OUT_OF_BOUNDS}),
    ("coverage 101", {"coverage_percent": 101}, {"coverage_percent": OUT_OF_BOUNDS}),
    ("coverage 100", {"coverage_percent": 100}, {}),
    ("opens 0", {"opens_hours_before": 0}, {"opens_hours_before": OUT_OF_BOUNDS}),
    ("opens 91 days", {"opens_hours_before": 91 * 24}, {"opens_hours_before": OUT_OF_BOUNDS}),
    ("cancel until start", {"cancel_closes_hours_before": 0}, {}),
    ("offer 1 minute", {"offer_minutes": 1}, {"offer_minutes": OUT_OF_BOUNDS}),
    ("no-show lock 0", {"no_show_lock": 0}, {"no_show_lock": OUT_OF_BOUNDS}),
    ("consent 19", {"consent_age": 19}, {"consent_age": OUT_OF_BOUNDS}),
    (
        "self-sign-up above consent",
        {"self_signup_age": 15},
        {"self_signup_age": SELF_SIGNUP_ABOVE_CONSENT},
    ),
    ("equal ages", {"self_signup_age": 14, "consent_age": 14}, {}),
    ("no ages at all", {"self_signup_age": 0, "consent_age": 0}, {}),
    ("missing value", {"offer_minutes": None}, {"offer_minutes": NOT_A_NUMBER}),
]


@pytest.mark.parametrize(("name", "change", "problems"), TEAM_CASES, ids=[c[0] for c in TEAM_CASES])
def test_team_rules(name: str, change: dict[str, int | None], problems: dict[str, str]) -> None:
    assert check_rules(asdict(ShiftRules()) | change) == problems


ACTIVITY_CASES = [
    ("all inherited", {}, {}),
    ("consent 16", {"consent_age": 16}, {}),
    # Against the team's self-sign-up age (10), a consent age of 8 makes no sense:
    # the activity's field is the one to correct.
    (
        "consent below team's self age",
        {"consent_age": 8},
        {"consent_age": CONSENT_BELOW_SELF_SIGNUP},
    ),
    ("self age 12", {"self_signup_age": 12}, {}),
    (
        "self age above team's consent",
        {"self_signup_age": 15},
        {"self_signup_age": SELF_SIGNUP_ABOVE_CONSENT},
    ),
    ("both raised", {"self_signup_age": 15, "consent_age": 16}, {}),
    ("grace 200", {"overlap_grace_minutes": 200}, {"overlap_grace_minutes": OUT_OF_BOUNDS}),
]


@pytest.mark.parametrize(
    ("name", "overrides", "problems"), ACTIVITY_CASES, ids=[c[0] for c in ACTIVITY_CASES]
)
def test_activity_overrides(
    name: str, overrides: dict[str, int | None], problems: dict[str, str]
) -> None:
    values = dict.fromkeys(RULE_NAMES, None) | overrides
    assert check_rules(values, TEAM) == problems


READ_CASES = [
    ("empty optional", {}, True, {}, {}),
    ("empty required", {}, False, None, dict.fromkeys(RULE_NAMES, NOT_A_NUMBER)),
    ("number", {"offer_minutes": " 45 "}, True, {"offer_minutes": 45}, {}),
    ("negative", {"offer_minutes": "-5"}, True, None, {"offer_minutes": NOT_A_NUMBER}),
    ("decimal", {"coverage_percent": "60.5"}, True, None, {"coverage_percent": NOT_A_NUMBER}),
    ("full-width digits", {"no_show_lock": "３"}, True, None, {"no_show_lock": NOT_A_NUMBER}),
    ("huge", {"consent_age": "9" * 30}, True, None, {"consent_age": NOT_A_NUMBER}),
]


@pytest.mark.parametrize(
    ("name", "raw", "optional", "read", "problems"), READ_CASES, ids=[c[0] for c in READ_CASES]
)
def test_read_rules(
    name: str,
    raw: dict[str, str],
    optional: bool,
    read: dict[str, int] | None,
    problems: dict[str, str],
) -> None:
    values, found = read_rules(raw, optional=optional)
    assert found == problems
    if read is not None:
        assert values == dict.fromkeys(RULE_NAMES, None) | read


rule_values = st.fixed_dictionaries(
    {name: st.one_of(st.none(), st.integers(-5, b.high + 5)) for name, b in BOUNDS.items()}
)


@given(rule_values)
def test_accepted_overrides_make_rules_that_are_accepted_again(
    overrides: dict[str, int | None],
) -> None:
    problems = check_rules(overrides, TEAM)
    for name, value in overrides.items():
        if value is not None and not BOUNDS[name].low <= value <= BOUNDS[name].high:
            assert name in problems  # out of bounds is always named
    if not problems:
        effective = merge(TEAM, overrides)
        assert check_rules(asdict(effective)) == {}
        assert effective.self_signup_age <= effective.consent_age
        for name, value in overrides.items():
            assert getattr(effective, name) == (getattr(TEAM, name) if value is None else value)


@given(st.dictionaries(st.sampled_from(RULE_NAMES), st.text(max_size=8)))
def test_reading_never_invents_a_value(raw: dict[str, str]) -> None:
    values, problems = read_rules(raw, optional=True)
    for name in RULE_NAMES:
        text = raw.get(name, "").strip()
        if name in problems:
            continue
        assert values[name] == (int(text) if text else None)


# --- the rules in the sign-up decision ---------------------------------------


def facts(**kw: Any) -> PersonFacts:
    base = dict(
        birth_date=date(1990, 1, 1),
        qualifications=frozenset(),
        is_member=True,
        no_shows=0,
        guardian_consent=False,
    )
    return PersonFacts(**(base | kw))  # type: ignore[arg-type]


SHIFT = ShiftFacts(starts_at=START, ends_at=START + timedelta(hours=3), capacity=5, confirmed=0)
FIFTEEN = date(2011, 6, 1)
ELEVEN = date(2015, 6, 1)

DECISION_CASES = [
    ("15 by default", facts(birth_date=FIFTEEN), TEAM, Reason.CONFIRMED, {}),
    (
        "15, consent age 16",
        facts(birth_date=FIFTEEN),
        ShiftRules(consent_age=16),
        Reason.NEEDS_GUARDIAN_CONSENT,
        {"age": 16},
    ),
    (
        "15 with consent, 16",
        facts(birth_date=FIFTEEN, guardian_consent=True),
        ShiftRules(consent_age=16),
        Reason.CONFIRMED,
        {},
    ),
    (
        "11 by default, consent",
        facts(birth_date=ELEVEN, guardian_consent=True),
        TEAM,
        Reason.CONFIRMED,
        {},
    ),
    (
        "11, self age 12",
        facts(birth_date=ELEVEN, guardian_consent=True),
        ShiftRules(self_signup_age=12),
        Reason.TOO_YOUNG,
        {"age": 12},
    ),
    ("2 no-shows by default", facts(no_shows=2), TEAM, Reason.LOCKED, {"count": 2}),
    ("2 no-shows, lock 3", facts(no_shows=2), ShiftRules(no_show_lock=3), Reason.CONFIRMED, {}),
    (
        "1 no-show, lock 1",
        facts(no_shows=1),
        ShiftRules(no_show_lock=1),
        Reason.LOCKED,
        {"count": 1},
    ),
]


@pytest.mark.parametrize(
    ("name", "person", "rules", "reason", "params"),
    DECISION_CASES,
    ids=[c[0] for c in DECISION_CASES],
)
def test_the_rules_decide(
    name: str, person: PersonFacts, rules: ShiftRules, reason: Reason, params: dict[str, int]
) -> None:
    decision = decide_signup(SHIFT, person, rules, NOW)
    assert decision.reason is reason
    assert dict(decision.params) == params


# --- star-level schemes -------------------------------------------------------

SCHEME_CASES = [
    (
        "default text",
        "100 300 600 1000 1500",
        "7",
        StarScheme((100, 300, 600, 1000, 1500), 7),
        set(),
    ),
    ("commas", "50，150、300,500", "0", StarScheme((50, 150, 300, 500), 0), set()),
    ("one level", "20", "60", StarScheme((20,), 60), set()),
    ("empty", "", "7", None, {"hours"}),
    ("eleven levels", " ".join(str(i) for i in range(1, 12)), "7", None, {"hours"}),
    ("not increasing", "100 300 300", "7", None, {"hours"}),
    ("decreasing", "300 100", "7", None, {"hours"}),
    ("zero", "0 100", "7", None, {"hours"}),
    ("decimal", "100 250.5", "7", None, {"hours"}),
    ("negative", "-100 100", "7", None, {"hours"}),
    ("notice 61", "100", "61", None, {"notice_days"}),
    ("notice empty", "100", "", None, {"notice_days"}),
    ("both wrong", "abc", "x", None, {"hours", "notice_days"}),
]


@pytest.mark.parametrize(
    ("name", "hours", "notice", "scheme", "problems"),
    SCHEME_CASES,
    ids=[c[0] for c in SCHEME_CASES],
)
def test_read_scheme(
    name: str, hours: str, notice: str, scheme: StarScheme | None, problems: set[str]
) -> None:
    read, found = read_scheme(hours, notice)
    assert read == scheme
    assert set(found) == problems


@given(
    st.lists(st.integers(1, 100_000), min_size=1, max_size=10, unique=True),
    st.integers(0, 60),
)
def test_every_increasing_scheme_is_accepted_and_read_back(levels: list[int], notice: int) -> None:
    levels.sort()
    scheme, problems = read_scheme(" ".join(map(str, levels)), str(notice))
    assert problems == {}
    assert scheme == StarScheme(tuple(levels), notice)
    again, _ = read_scheme(scheme.text(), str(scheme.notice_days))
    assert again == scheme


@given(st.lists(st.integers(-10, 200), min_size=1, max_size=12), st.integers(-5, 70))
def test_an_accepted_scheme_keeps_its_invariants(levels: list[int], notice: int) -> None:
    scheme, problems = read_scheme(" ".join(map(str, levels)), str(notice))
    if scheme is None:
        assert problems
        return
    assert 1 <= scheme.levels <= 10 and 0 <= scheme.notice_days <= 60
    assert scheme.hours[0] >= 1
    assert all(b > a for a, b in zip(scheme.hours, scheme.hours[1:], strict=False))


def test_the_nearest_area_up_the_tree_sets_the_scheme() -> None:
    city, district, street, community = 1, 2, 3, 4
    path = [city, district, street, community]
    city_scheme, district_scheme = StarScheme((50,), 3), StarScheme((80, 160), 5)
    assert nearest_scheme(path, {}) == (DEFAULT_SCHEME, None)
    assert nearest_scheme(path, {city: city_scheme}) == (city_scheme, city)
    assert nearest_scheme(path, {city: city_scheme, district: district_scheme}) == (
        district_scheme,
        district,
    )
    # A scheme of another branch, or below the area, does not apply.
    assert nearest_scheme([city, district], {street: district_scheme}) == (DEFAULT_SCHEME, None)


def test_a_scheme_changes_the_level_and_the_notice() -> None:
    scheme = StarScheme((10, 20, 40), 2)
    minutes = 25 * 60
    assert star_level(minutes) == 0  # default: 1 star at 100 hours
    assert star_level(minutes, scheme.hours) == 2
    history = [(NOW - timedelta(days=3), minutes)]
    assert shown_star_level(history, NOW, scheme.hours, scheme.notice_days) == 2
    assert shown_star_level(history, NOW, scheme.hours, 7) == 0  # still in notice
