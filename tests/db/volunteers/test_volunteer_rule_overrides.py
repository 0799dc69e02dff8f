"""An activity's rules override its team's: the sign-up decision, cancellation,
promotion, offers and credited hours follow the activity's setting, while the
team's other activities keep the team's."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.audit import AuditEntry
from participation.errors import DomainError
from tests.support.volunteering import make_person, make_shift
from tests.support.world import World
from volunteers import attendance, ledger, signups, team_rules
from volunteers.activities import get_activity
from volunteers.models import Activity, Shift, Team
from volunteers.rules.settings import RULE_NAMES, merge
from volunteers.rules.signup import ShiftRules
from volunteers.teams import create_team, get_team, rules_of

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _team(session: Session, world: World) -> Team:
    return create_team(
        session, area=world["community"], name="规则测试队", kind="featured", join_mode="open"
    )


def _refusal(session: Session, shift: Shift, person: int, at: datetime = NOW) -> DomainError:
    with pytest.raises(DomainError) as refused:
        signups.sign_up(session, shift.id, person, at)
    session.rollback()
    return refused.value


def test_an_activity_raises_the_consent_age(world: World, session: Session) -> None:
    team = _team(session, world)
    strict = make_shift(
        session, world["community"], NOW + timedelta(days=2), team=team, rules={"consent_age": 16}
    )
    usual = make_shift(session, world["community"], NOW + timedelta(days=2), team=team)
    fifteen = make_person(session, "fifteen", date(2011, 6, 1), world["community"].id)
    session.commit()
    refused = _refusal(session, strict, fifteen)
    assert refused.code == "signup.needs_guardian_consent"
    assert refused.params == {"age": 16}
    assert signups.sign_up(session, usual.id, fifteen, NOW).status == "confirmed"


def test_an_activity_raises_the_no_show_lock(world: World, session: Session) -> None:
    team = _team(session, world)
    leader = world["people"]["team_leader"].id
    person = make_person(session, "twice_absent")
    for days in (10, 5):
        past = make_shift(session, world["community"], NOW - timedelta(days=days), team=team)
        signups.sign_up(session, past.id, person, past.starts_at - timedelta(days=1))
        attendance.mark(
            session,
            past.id,
            person,
            checked_in=None,
            checked_out=None,
            no_show=True,
            actor_id=leader,
            now=NOW,
        )
    lenient = make_shift(
        session, world["community"], NOW + timedelta(days=1), team=team, rules={"no_show_lock": 3}
    )
    usual = make_shift(session, world["community"], NOW + timedelta(days=2), team=team)
    session.commit()
    refused = _refusal(session, usual, person)
    assert (refused.code, refused.params) == ("signup.locked", {"count": 2})
    assert signups.sign_up(session, lenient.id, person, NOW).status == "confirmed"


def test_an_activity_allows_more_overlap(world: World, session: Session) -> None:
    team = _team(session, world)
    community = world["community"]
    start = NOW + timedelta(days=2)
    first = make_shift(session, community, start, team=team, hours=3)
    later = start + timedelta(hours=2, minutes=30)  # 30 minutes into the first shift
    usual = make_shift(session, community, later, team=team)
    relaxed = make_shift(session, community, later, team=team, rules={"overlap_grace_minutes": 45})
    person = make_person(session, "busy")
    signups.sign_up(session, first.id, person, NOW)
    session.commit()
    assert _refusal(session, usual, person).code == "signup.overlaps"
    assert signups.sign_up(session, relaxed.id, person, NOW).status == "confirmed"


def _cancel_first_of_two(session: Session, shift: Shift, at: datetime) -> str:
    a, b = make_person(session, f"a{shift.id}"), make_person(session, f"b{shift.id}")
    signups.sign_up(session, shift.id, a, at - timedelta(hours=1))
    assert signups.sign_up(session, shift.id, b, at - timedelta(hours=1)).status == "waitlisted"
    signups.cancel(session, shift.id, a, at, "临时有事")
    return signups.signups_of_shift(session, shift.id, ("confirmed", "offered"))[0].status


def test_promotion_cutoff_and_offer_minutes_follow_the_activity(
    world: World, session: Session
) -> None:
    team = _team(session, world)
    community = world["community"]
    start = NOW + timedelta(hours=10)  # inside the team's 24-hour cut-off
    usual = make_shift(session, community, start, team=team, capacity=1)
    late_cutoff = make_shift(
        session, community, start, team=team, capacity=1, rules={"promotion_cutoff_hours": 6}
    )
    long_offer = make_shift(
        session, community, start, team=team, capacity=1, rules={"offer_minutes": 90}
    )
    assert _cancel_first_of_two(session, usual, NOW) == "offered"
    assert _cancel_first_of_two(session, late_cutoff, NOW) == "confirmed"
    assert _cancel_first_of_two(session, long_offer, NOW) == "offered"
    offers = {
        s.shift_id: s.offer_expires_at
        for s in list(signups.signups_of_shift(session, usual.id, ("offered",)))
        + list(signups.signups_of_shift(session, long_offer.id, ("offered",)))
    }
    assert offers[usual.id] == NOW + timedelta(minutes=30)
    assert offers[long_offer.id] == NOW + timedelta(minutes=90)


def test_cancel_window_follows_the_activity(world: World, session: Session) -> None:
    team = _team(session, world)
    start = NOW + timedelta(hours=5)
    usual = make_shift(session, world["community"], start, team=team)
    later = start + timedelta(hours=4)  # 9 h ahead, after the first shift
    strict = make_shift(
        session, world["community"], later, team=team, rules={"cancel_closes_hours_before": 12}
    )
    person = make_person(session, "canceller")
    for shift in (usual, strict):
        signups.sign_up(session, shift.id, person, NOW)
    session.commit()
    signups.cancel(session, usual.id, person, NOW)  # 5 h before: fine for the team (3 h)
    with pytest.raises(DomainError) as refused:
        signups.cancel(session, strict.id, person, NOW)
    assert refused.value.code == "signup.late_reason"


def test_coverage_follows_the_activity(world: World, session: Session) -> None:
    team = _team(session, world)
    leader = world["people"]["team_leader"].id
    start = NOW - timedelta(days=1)
    usual = make_shift(session, world["community"], start, team=team, hours=3)
    short_ok = make_shift(
        session,
        world["community"],
        start + timedelta(hours=4),
        team=team,
        hours=3,
        rules={"coverage_percent": 30},
    )
    person = make_person(session, "briefly")
    for shift in (usual, short_ok):
        signups.sign_up(session, shift.id, person, shift.starts_at - timedelta(days=1))
        attendance.mark(
            session,
            shift.id,
            person,
            checked_in=shift.starts_at,
            checked_out=shift.starts_at + timedelta(minutes=60),
            no_show=False,
            actor_id=leader,
            now=NOW,
        )
    assert ledger.credited_for(session, person, usual.id) == 0  # 60 of 180 < 60 %
    assert ledger.credited_for(session, person, short_ok.id) == 60  # >= 30 %


def test_rules_of_reads_only_the_rows_it_is_given() -> None:
    """No session, no query: the sign-up path's rules come from rows it loaded."""
    team = Team(**{name: value + 1 for name, value in vars(ShiftRules()).items()})
    activity = Activity(consent_age=17, offer_minutes=None, no_show_lock=5)
    rules = rules_of(team, activity)
    assert rules.consent_age == 17 and rules.no_show_lock == 5
    assert rules.offer_minutes == ShiftRules().offer_minutes + 1  # inherited
    assert rules_of(team) == ShiftRules(**{k: v + 1 for k, v in vars(ShiftRules()).items()})


@given(
    st.fixed_dictionaries({n: st.integers(0, 2000) for n in RULE_NAMES}),
    st.fixed_dictionaries({n: st.none() | st.integers(0, 2000) for n in RULE_NAMES}),
)
def test_rules_of_is_the_teams_rules_merged_with_the_overrides(
    team_values: dict[str, int], overrides: dict[str, int | None]
) -> None:
    """Every field is combined the same way: no rule is forgotten."""
    rules = rules_of(Team(**team_values), Activity(**overrides))
    assert rules == merge(ShiftRules(**team_values), overrides)


def _audits(session: Session, action: str) -> list[dict[str, object]]:
    rows = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == action)).all()
    return [json.loads(d) for d in rows]


def test_team_rules_are_saved_and_audited_or_refused_whole(world: World, session: Session) -> None:
    team = _team(session, world)
    actor = world["people"]["team_leader"].id
    session.commit()
    form = {k: str(v) for k, v in vars(ShiftRules()).items()}
    with pytest.raises(DomainError) as refused:
        team_rules.set_team_rules(
            session, team, form | {"coverage_percent": "0", "no_show_lock": "3"}, actor
        )
    assert set(refused.value.fields) == {"coverage_percent"}
    session.rollback()
    assert get_team(session, team.id).no_show_lock == 2  # nothing stored
    changes = team_rules.set_team_rules(session, team, form | {"no_show_lock": "3"}, actor)
    session.commit()
    assert changes == {"no_show_lock": [2, 3]}
    session.expire_all()
    assert get_team(session, team.id).no_show_lock == 3
    assert _audits(session, "volunteer.team_rules") == [{"changes": {"no_show_lock": [2, 3]}}]


def test_activity_overrides_are_checked_against_the_team(world: World, session: Session) -> None:
    team = _team(session, world)
    actor = world["people"]["team_leader"].id
    shift = make_shift(session, world["community"], NOW + timedelta(days=2), team=team)
    activity = get_activity(session, shift.activity_id)
    session.commit()
    with pytest.raises(DomainError) as refused:
        team_rules.set_activity_rules(session, activity, team, {"self_signup_age": "15"}, actor)
    assert set(refused.value.fields) == {"self_signup_age"}  # above the team's consent age
    session.rollback()
    changes = team_rules.set_activity_rules(
        session, activity, team, {"self_signup_age": "15", "consent_age": "16"}, actor
    )
    session.commit()
    assert changes == {"self_signup_age": [None, 15], "consent_age": [None, 16]}
    # Emptying a field goes back to the team's setting.
    team_rules.set_activity_rules(session, activity, team, {}, actor)
    session.commit()
    assert rules_of(team, get_activity(session, activity.id)) == rules_of(team)
    assert len(_audits(session, "volunteer.activity_rules")) == 2
