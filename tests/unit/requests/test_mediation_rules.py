"""Mediation rules, table by table: what may happen next in a case, and who may do it."""

from __future__ import annotations

from datetime import date

import pytest

from participation.requests.rules import mediation as rules
from participation.requests.rules.mediation import Act, Who

ALL = frozenset(Who)
TODAY = date(2026, 5, 13)


@pytest.mark.parametrize(
    ("act", "status", "who", "allowed"),
    [
        # Opening: before there is a case, by routing staff, the request's unit or the body.
        (Act.OPEN, "", {Who.ROUTER}, True),
        (Act.OPEN, "", {Who.LEAD}, True),
        (Act.OPEN, "", {Who.BODY}, True),
        (Act.OPEN, "", {Who.PARTY}, False),
        (Act.OPEN, "open", {Who.BODY}, False),
        # The body names the mediator while the case lasts.
        (Act.ASSIGN, "open", {Who.BODY}, True),
        (Act.ASSIGN, "agreement", {Who.BODY}, True),
        (Act.ASSIGN, "settled", {Who.BODY}, False),
        (Act.ASSIGN, "open", {Who.MEDIATOR}, False),
        (Act.ASSIGN, "open", {Who.ROUTER}, False),
        # Sessions and the agreement: the mediator, while mediating.
        (Act.SESSION, "open", {Who.MEDIATOR}, True),
        (Act.SESSION, "open", {Who.BODY}, False),
        (Act.SESSION, "agreement", {Who.MEDIATOR}, False),
        (Act.AGREE, "open", {Who.MEDIATOR}, True),
        (Act.AGREE, "agreement", {Who.MEDIATOR}, False),
        (Act.AGREE, "open", {Who.PARTY}, False),
        # Confirmations: a party online, the mediator at the desk, only while waiting.
        (Act.CONFIRM_ONLINE, "agreement", {Who.PARTY}, True),
        (Act.CONFIRM_ONLINE, "agreement", {Who.MEDIATOR}, False),
        (Act.CONFIRM_ONLINE, "open", {Who.PARTY}, False),
        (Act.CONFIRM_ONLINE, "settled", {Who.PARTY}, False),
        (Act.CONFIRM_DESK, "agreement", {Who.MEDIATOR}, True),
        (Act.CONFIRM_DESK, "agreement", {Who.BODY}, False),
        (Act.CONFIRM_DESK, "agreement", {Who.PARTY}, False),
        (Act.CONFIRM_DESK, "settled", {Who.MEDIATOR}, False),
        # Referral: the mediator, before the case is over.
        (Act.REFER, "open", {Who.MEDIATOR}, True),
        (Act.REFER, "agreement", {Who.MEDIATOR}, True),
        (Act.REFER, "referred", {Who.MEDIATOR}, False),
        (Act.REFER, "settled", {Who.MEDIATOR}, False),
        (Act.REFER, "open", {Who.ROUTER}, False),
    ],
)
def test_who_may_do_what_when(act: Act, status: str, who: set[Who], allowed: bool) -> None:
    assert (rules.refusal(act, status, frozenset(who)) is None) is allowed


@pytest.mark.parametrize(
    ("status", "who", "acts"),
    [
        ("", {Who.ROUTER}, [Act.OPEN]),
        ("open", {Who.MEDIATOR}, [Act.SESSION, Act.AGREE, Act.REFER]),
        ("open", {Who.MEDIATOR, Who.BODY}, [Act.ASSIGN, Act.SESSION, Act.AGREE, Act.REFER]),
        ("agreement", {Who.MEDIATOR}, [Act.CONFIRM_DESK, Act.REFER]),
        ("agreement", {Who.PARTY}, [Act.CONFIRM_ONLINE]),
        ("settled", ALL, []),
        ("referred", ALL, []),
    ],
)
def test_next_acts(status: str, who: set[Who], acts: list[Act]) -> None:
    assert rules.next_acts(status, frozenset(who)) == acts


def test_a_refusal_says_who_before_when() -> None:
    assert rules.refusal(Act.AGREE, "settled", frozenset({Who.PARTY})) == rules.NOT_ALLOWED


@pytest.mark.parametrize(
    ("category", "needs"), [("dispute", False), ("property", True), ("other", True)]
)
def test_classing(category: str, needs: bool) -> None:
    assert rules.needs_classing(category) is needs


@pytest.mark.parametrize(
    ("held", "on", "problem"),
    [
        (True, TODAY, False),
        (True, date(2026, 5, 1), False),
        (True, date(2026, 5, 14), True),  # held tomorrow: not yet
        (False, date(2026, 5, 14), False),
        (False, TODAY, False),
        (False, date(2026, 5, 12), True),  # planned yesterday: that is past
    ],
)
def test_session_dates(held: bool, on: date, problem: bool) -> None:
    assert (rules.session_problem(held, on, TODAY) is not None) is problem


@pytest.mark.parametrize(
    ("confirmed", "settled"),
    [
        ({}, False),
        ({"requester": True}, False),
        ({"other": True}, False),
        ({"requester": True, "other": False}, False),
        ({"requester": True, "other": True}, True),
    ],
)
def test_settled_by_both(confirmed: dict[str, bool], settled: bool) -> None:
    assert rules.settled_by(confirmed) is settled
