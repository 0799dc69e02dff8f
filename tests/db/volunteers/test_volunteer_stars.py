"""Star-level schemes per area: the nearest area up the tree applies, a change is
a new row, bad input stores nothing; which scheme a volunteer's stars follow."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.audit import AuditEntry
from participation.errors import DomainError
from tests.support.volunteering import attend_whole_shift, make_person, make_shift
from tests.support.world import World
from volunteers import stars
from volunteers.models import StarSchemeRecord
from volunteers.rules.stars import DEFAULT_SCHEME, StarScheme

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


def test_the_nearest_area_with_a_scheme_applies(world: World, session: Session) -> None:
    actor = world["people"]["admin"].id
    community, other = world["community"], world["other"]
    assert stars.scheme_for_area(session, community, NOW) == stars.AppliedScheme(
        DEFAULT_SCHEME, None
    )
    stars.set_scheme(session, world["city"], "50 150", "3", actor, NOW - timedelta(days=2))
    stars.set_scheme(session, world["district"], "80 200 400", "5", actor, NOW - timedelta(days=1))
    session.commit()
    applied = stars.scheme_for_area(session, community, NOW)
    assert applied.scheme == StarScheme((80, 200, 400), 5)
    assert applied.area is not None and applied.area.id == world["district"].id
    # The community's own scheme beats the district's, for it alone.
    stars.set_scheme(session, community, "10 20", "0", actor, NOW)
    session.commit()
    assert stars.scheme_for_area(session, community, NOW).scheme == StarScheme((10, 20), 0)
    assert stars.scheme_for_area(session, other, NOW).scheme == StarScheme((80, 200, 400), 5)
    assert stars.scheme_for_area(session, world["city"], NOW).scheme == StarScheme((50, 150), 3)


def test_a_change_is_a_new_row_and_the_newest_in_force_applies(
    world: World, session: Session
) -> None:
    actor = world["people"]["admin"].id
    district = world["district"]
    stars.set_scheme(session, district, "100 200", "7", actor, NOW - timedelta(days=3))
    stars.set_scheme(session, district, "60 120 240", "7", actor, NOW - timedelta(days=1))
    stars.set_scheme(session, district, "1 2", "7", actor, NOW + timedelta(days=1))  # not yet
    session.commit()
    assert stars.scheme_for_area(session, world["community"], NOW).scheme.hours == (60, 120, 240)
    assert [r.hours for r, _, _ in stars.history(session)] == ["1 2", "60 120 240", "100 200"]
    assert (
        session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "volunteer.star_scheme")
        )
        == 3
    )


def test_bad_input_stores_nothing(world: World, session: Session) -> None:
    actor = world["people"]["admin"].id
    for hours, notice, field in (
        ("300 100", "7", "hours"),
        (" ".join(str(h) for h in range(1, 12)), "7", "hours"),
        ("100 200", "61", "notice_days"),
    ):
        with pytest.raises(DomainError) as refused:
            stars.set_scheme(session, world["district"], hours, notice, actor, NOW)
        assert refused.value.status == 422 and field in refused.value.fields
        session.rollback()
    assert session.scalar(select(func.count()).select_from(StarSchemeRecord)) == 0
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_a_volunteers_stars_follow_their_home_area(world: World, session: Session) -> None:
    actor = world["people"]["admin"].id
    community, other = world["community"], world["other"]
    stars.set_scheme(session, community, "10", "0", actor, NOW - timedelta(days=1))
    stars.set_scheme(session, other, "20 40", "0", actor, NOW - timedelta(days=1))
    resident = make_person(session, "home_resident", date(1990, 1, 1), other.id)
    newcomer = make_person(session, "newcomer")
    stranger = make_person(session, "stranger")
    # The newcomer is on no roll but served with a team of the community.
    shift = make_shift(session, community, NOW - timedelta(days=2), hours=2)
    for person in (resident, newcomer):
        attend_whole_shift(session, shift, person, actor_id=actor, now=NOW)
    session.commit()
    # The roll decides for the resident, even though they served in the community.
    assert stars.scheme_for_volunteer(session, resident, NOW).scheme.hours == (20, 40)
    assert stars.scheme_for_volunteer(session, newcomer, NOW).scheme.hours == (10,)
    assert stars.scheme_for_volunteer(session, stranger, NOW) == stars.AppliedScheme(
        DEFAULT_SCHEME, None
    )
