"""Pure rules of resident requests: routing choice, the flow, tracking secrets, limits."""

from __future__ import annotations

import random
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from participation.requests.rules.catalog import MAX_HANDOFFS, limits_for
from participation.requests.rules.flow import (
    Action,
    RejectOutcome,
    after_rejection,
    escalates,
    may_still_return,
    refusal,
    reopens_after_visit,
)
from participation.requests.rules.routing import ANY_SCALE, RuleRow, choose_rule
from participation.requests.rules.tracking import (
    KEYED,
    PLAIN,
    SECRET_ALPHABET,
    new_number,
    new_secret,
    plain_digest,
    secret_hash,
    secret_matches,
    tracking_key,
    wrap,
)

DISTRICT, STREET, COMMUNITY, GRID = "/1/2/", "/1/2/3/", "/1/2/3/4/", "/1/2/3/4/5/"


def test_the_deepest_area_wins_then_the_exact_scale_then_the_older_rule() -> None:
    rules = [
        RuleRow(1, "roads", DISTRICT, ANY_SCALE),
        RuleRow(2, "roads", STREET, ANY_SCALE),
        RuleRow(3, "roads", STREET, "group"),
        RuleRow(4, "roads", STREET, "group"),
        RuleRow(5, "roads", "/1/9/", ANY_SCALE),  # another district
        RuleRow(6, "safety", GRID, ANY_SCALE),
    ]

    def picked(scale: str, place: str) -> int | None:
        rule = choose_rule(rules, category="roads", scale=scale, place_path=place)
        return None if rule is None else rule.id

    assert picked("individual", GRID) == 2
    assert picked("group", GRID) == 3
    assert picked("group", "/1/2/7/") == 1
    assert picked("individual", "/1/8/") is None
    assert choose_rule(rules, category="welfare", scale="group", place_path=GRID) is None


@given(st.permutations(list(range(1, 7))))
def test_the_choice_does_not_depend_on_row_order(order: list[int]) -> None:
    rows = {
        1: RuleRow(1, "roads", DISTRICT, ANY_SCALE),
        2: RuleRow(2, "roads", STREET, ANY_SCALE),
        3: RuleRow(3, "roads", STREET, "group"),
        4: RuleRow(4, "roads", COMMUNITY, "individual"),
        5: RuleRow(5, "roads", COMMUNITY, ANY_SCALE),
        6: RuleRow(6, "roads", STREET, "group"),
    }
    chosen = choose_rule([rows[i] for i in order], category="roads", scale="group", place_path=GRID)
    assert chosen is not None and chosen.id == 5


def test_only_the_allowed_actions_happen_in_each_status() -> None:
    assert refusal(Action.ACCEPT, "routed") is None
    assert refusal(Action.ACCEPT, "accepted") is not None
    assert refusal(Action.RETURN, "accepted") is not None
    assert refusal(Action.CONFIRM, "closed") is not None
    assert refusal(Action.VISIT, "closed") is None
    assert refusal(Action.MERGE, "closed") is not None


def test_handoffs_past_the_cap_escalate() -> None:
    assert [escalates(n) for n in range(MAX_HANDOFFS + 1)] == [False] * MAX_HANDOFFS + [True]


def test_returns_are_allowed_until_the_day_to_accept() -> None:
    due = date(2026, 5, 14)
    assert may_still_return(date(2026, 5, 14), due)
    assert not may_still_return(date(2026, 5, 15), due)
    assert may_still_return(date(2030, 1, 1), None)


def test_the_first_rejection_reopens_the_next_escalates() -> None:
    assert after_rejection(0) is RejectOutcome.REOPEN
    assert after_rejection(1) is RejectOutcome.ESCALATE
    assert reopens_after_visit("dissatisfied") and not reopens_after_visit("basic")


def test_urgent_limits_are_halved_but_never_below_a_day() -> None:
    assert limits_for("property", "urgent").resolve == limits_for("property", "normal").resolve // 2
    assert limits_for("safety", "urgent").reply == 1
    assert limits_for("unknown", "normal") == limits_for("other", "normal")


@given(st.integers(min_value=0, max_value=2**32))
def test_a_secret_matches_as_typed_and_nothing_else(seed: int) -> None:
    rng = random.Random(seed)
    number, secret = new_number(date(2026, 5, 13), rng), new_secret(rng)
    assert len(number) == 14 and number.startswith("20260513")
    assert set(secret) <= set(SECRET_ALPHABET)
    key = tracking_key("k" * 40)
    stored = secret_hash(key, number, secret)
    typed = " ".join(secret.lower())  # spaces and lower case, as people type it
    assert secret_matches(key, number, typed, stored)
    assert secret_matches(
        key, number, "".join(chr(ord(c) + 0xFEE0) for c in secret), stored
    )  # full-width
    assert not secret_matches(key, number, secret[:-1], stored)
    assert not secret_matches(key, "1" + number[1:], secret, stored)  # another number


def test_a_stored_secret_cannot_be_checked_without_the_server_key() -> None:
    """Whoever copies the database holds number and stored hash: guessing the secret
    needs the key too (the unkeyed SHA-256 of 'number:secret' is not what is stored,
    and another key opens nothing)."""
    rng = random.Random(7)
    number, secret = new_number(date(2026, 5, 13), rng), new_secret(rng)
    key = tracking_key("server key material, not in the database")
    stored = secret_hash(key, number, secret)
    assert stored != plain_digest(number, secret)
    assert not secret_matches(
        tracking_key("a copy of the database has no key"), number, secret, stored
    )
    assert secret_matches(key, number, secret, stored)
    # The key is derived for this purpose only: the id-hash material itself is not it.
    assert key != b"server key material, not in the database"
    # Longer than the 8 characters (about 40 bits) of before.
    assert len(secret) == 10 and len(SECRET_ALPHABET) ** len(secret) > 2**49


def test_a_row_from_before_keys_opens_and_its_wrapped_digest_opens_the_same() -> None:
    rng = random.Random(11)
    number, secret = new_number(date(2026, 5, 13), rng), new_secret(rng)
    key = tracking_key("k" * 40)
    old = plain_digest(number, secret)
    assert secret_matches(key, number, secret, old, PLAIN)
    assert not secret_matches(key, number, secret, old, KEYED)
    assert wrap(key, old) == secret_hash(key, number, secret)
