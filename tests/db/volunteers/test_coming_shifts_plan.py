"""The lists of coming shifts (/volunteers, a team's pages) find their shifts through
the index on ``starts_at`` on SQLite, in order, instead of reading every shift of
every activity: a shift lasts at most LONGEST_SHIFT, so "still running now" also
bounds its start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from participation.accounts import Account
from tests.support.volunteering import make_shift
from tests.support.world import World
from volunteers import activities

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _plans(session: Session, run: Any) -> list[str]:
    """EXPLAIN QUERY PLAN of every SELECT ``run`` sends, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", note)
    try:
        run()
    finally:
        event.remove(connection, "before_cursor_execute", note)
    plans = []
    for statement, parameters in seen:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        plans.append("\n".join(str(r[-1]) for r in rows))
    return plans


def _use_statistics(session: Session, city: dict[str, list[tuple[str, str]]]) -> None:
    """Make SQLite's planner see ``city``'s statistics (per table, each index's
    ``sqlite_stat1`` row as ANALYZE wrote it on a city-sized load) instead of the
    small test database's own."""
    for table, rows in city.items():
        session.execute(text("DELETE FROM sqlite_stat1 WHERE tbl = :t"), {"t": table})
        for index, stat in rows:
            session.execute(
                text("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (:t, :i, :s)"),
                {"t": table, "i": index, "s": stat},
            )
    session.execute(text("ANALYZE sqlite_schema"))  # reads the statistics again


def test_coming_shifts_are_found_by_their_start(world: World, session: Session) -> None:
    for k in range(30):
        make_shift(session, world["community"], NOW + timedelta(days=k - 10))
    session.execute(text("ANALYZE"))
    plans = _plans(
        session,
        lambda: activities.shifts_page(session, 1, 20, since=NOW, public_only=True),
    )
    assert len(plans) == 2  # the count, then the page with its waiting counts
    for plan in plans:
        assert "vol_shifts USING INDEX ix_vol_shifts_starts_at (starts_at>?)" in plan, plan
    rows, number, total = activities.shifts_page(session, 1, 20, since=NOW, public_only=True)
    assert (number, total, len(rows)) == (1, 20, 20)
    assert rows[0].shift.starts_at == NOW  # still running: it ends three hours after


def test_a_teams_pending_requests_and_total_are_found_by_index(
    world: World, session: Session
) -> None:
    """The roster's pending hours requests start from the pending ones and its
    total from the team's summary rows, not from every request or every total."""
    from volunteers import ledger, reports
    from volunteers.models import Activity

    shift = make_shift(session, world["community"], NOW)
    team_id = session.get_one(Activity, shift.activity_id).team_id
    session.execute(text("ANALYZE"))
    pending = "\n".join(_plans(session, lambda: ledger.pending_backfills(session, team_id)))
    assert "vol_backfills USING INDEX ix_vol_backfills_status (status=?)" in pending, pending
    total = "\n".join(_plans(session, lambda: reports.team_minutes(session, team_id)))
    assert "ix_vol_hour_totals_team_id (team_id=?)" in total, total


def test_the_public_list_reads_its_page_and_count_by_start_in_one_statement(
    world: World, session: Session
) -> None:
    """Fails on the old code: the count was a statement of its own. The count runs
    inside the page's statement, and both read the shifts through the index on
    ``starts_at`` (SQLite started the count from the activities, reading every
    shift of each, until the join was kept off the index on ``activity_id``)."""
    from volunteers import listings
    from volunteers.models import Activity

    # As in a city: few activities, each with a year of shifts, most of them past.
    for a in range(5):
        first = make_shift(session, world["community"], NOW - timedelta(days=400 + a))
        activity = session.get_one(Activity, first.activity_id)
        for k in range(60):
            start = NOW + timedelta(days=4 * k - 220)
            activities.create_shift(
                session,
                activity,
                area=world["community"],
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                capacity=2,
            )
    session.execute(text("ANALYZE"))
    # The planner's statistics of the whole city (demo/city_scale.py; 10,272 shifts,
    # 44 an activity, 4 a start time), as ANALYZE wrote them there.
    city = {
        "vol_shifts": [
            ("ix_vol_shifts_starts_at", "10272 4"),
            ("ix_vol_shifts_activity_id", "10272 44"),
        ],
        "vol_activities": [("ix_vol_activities_team_id", "234 1")],
        "vol_teams": [("ix_vol_teams_area_id", "217 1"), ("sqlite_autoindex_vol_teams_1", "217 1")],
        "areas": [
            ("ix_areas_path", "5594 1"),
            ("ix_areas_parent_id", "5594 10"),
            ("sqlite_autoindex_areas_1", "5594 1"),
        ],
        "vol_signups": [
            ("ix_vol_signups_status", "1002555 334185"),
            ("ix_vol_signups_shift_id", "1002555 109"),
        ],
    }
    _use_statistics(session, city)
    (plan,) = _plans(session, lambda: listings.coming_shifts(session, 1, 20, NOW, public_only=True))
    assert plan.count("vol_shifts USING INDEX ix_vol_shifts_starts_at (starts_at>?)") == 2, plan
    assert "ix_vol_shifts_activity_id" not in plan, plan
    rows, number, total = listings.coming_shifts(session, 1, 20, NOW, public_only=True)
    coming = session.scalar(
        text("SELECT count(*) FROM vol_shifts WHERE ends_at > :now"),
        {"now": NOW.replace(tzinfo=None)},
    )
    assert (number, total, len(rows)) == (1, coming, 20)
    assert rows == sorted(rows, key=lambda r: (r.starts_at, r.id))
    assert listings.coming_shifts(session, 99, 20, NOW, public_only=True)[1:] == (
        -(-coming // 20),
        coming,
    )


def test_the_rosters_missed_shifts_are_found_by_person_and_status(
    world: World, session: Session
) -> None:
    """The roster's count of each member's no-shows reads the index on
    (account_id, status), not every sign-up of the member. (At a twentieth of the
    city SQLite took an index on account_id alone while one existed beside it:
    migration 0052 dropped it. This small database does not reproduce that
    choice; the test keeps the plan that replaced it.)"""
    from volunteers import team_page
    from volunteers.models import Activity

    shift = make_shift(session, world["community"], NOW)
    team_id = session.get_one(Activity, shift.activity_id).team_id
    session.execute(text("ANALYZE"))
    # As ANALYZE wrote them at a twentieth of the city (demo/city_scale.py): 42
    # sign-ups a person, 39 a person and status.
    city = {
        "vol_signups": [
            ("ix_vol_signups_account_id_status", "52555 42 39"),
            ("ix_vol_signups_account_id", "52555 42"),
            ("ix_vol_signups_status", "52555 17519"),
            ("ix_vol_signups_shift_id", "52555 74"),
            ("sqlite_autoindex_vol_signups_1", "52555 74 1"),
        ],
        "vol_shifts": [
            ("ix_vol_shifts_starts_at", "772 2"),
            ("ix_vol_shifts_activity_id", "772 18"),
        ],
        "vol_memberships": [("ix_vol_memberships_team_id", "1458 54")],
    }
    _use_statistics(session, city)
    (plan,) = _plans(
        session,
        lambda: team_page.roster_entries(session, team_id, ("active", "pending"), 0, 25),
    )
    assert (
        "vol_signups USING INDEX ix_vol_signups_account_id_status (account_id=? AND status=?)"
        in plan
    ), plan


def test_the_leaders_unrecorded_attendance_is_found_among_unrecorded_places(
    world: World, session: Session
) -> None:
    """Fails on the old code: the leader's home page counted the shifts awaiting
    attendance by reading every sign-up of every shift the team ever ran (years of
    recorded attendance); now it reads the partial index of unrecorded places,
    and still counts exactly the ended shifts with one."""
    from sqlalchemy import insert, update

    from volunteers import home
    from volunteers.models import Activity, Membership, SignUp, Team

    first = make_shift(session, world["community"], NOW - timedelta(days=200))
    team = session.get_one(Team, session.get_one(Activity, first.activity_id).team_id)
    leader = world["people"]["nobody"].id
    session.add(Membership(team_id=team.id, account_id=leader, role="leader", status="active"))
    people = [
        session.scalar(
            insert(Account)
            .values(username=f"att{k}", display_name=f"志愿者{k}")
            .returning(Account.id)
        )
        for k in range(8)
    ]
    shifts = [first.id]
    activity = session.get_one(Activity, first.activity_id)
    for k in range(1, 40):
        start = NOW + timedelta(days=5 * k - 195)
        shifts.append(
            activities.create_shift(
                session,
                activity,
                area=world["community"],
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                capacity=10,
            ).id
        )
    # Every place recorded, except one confirmed place on shifts 3, 7 and 11 (past)
    # and 39 (still to come), a checked-out one on 5 and a no-show on 9.
    rows = []
    for shift in shifts:
        for arrival, person in enumerate(people, start=1):
            rows.append(
                {
                    "shift_id": shift,
                    "account_id": person,
                    "arrival": arrival,
                    "status": "confirmed",
                    "credited": True,
                }
            )
    session.execute(insert(SignUp), rows)
    for index, change in (
        (3, {}),
        (7, {}),
        (11, {}),
        (39, {}),
        (5, {"checked_out_at": NOW}),
        (9, {"status": "no_show"}),
    ):
        session.execute(
            update(SignUp)
            .where(SignUp.shift_id == shifts[index], SignUp.account_id == people[0])
            .values(credited=False, **change)
        )
    session.execute(text("ANALYZE"))
    # As ANALYZE wrote them at a twentieth of the city (demo/city_scale.py), with
    # the new index: 489 unrecorded places among 52,555 sign-ups.
    _use_statistics(
        session,
        {
            "vol_memberships": [
                ("ix_vol_memberships_team_id", "1458 54"),
                ("ix_vol_memberships_account_id", "1458 2"),
                ("sqlite_autoindex_vol_memberships_1", "1458 54 1"),
            ],
            "vol_signups": [
                ("ix_vol_signups_unrecorded", "489 8"),
                ("ix_vol_signups_account_id_status", "52555 42 39"),
                ("ix_vol_signups_status", "52555 17519"),
                ("ix_vol_signups_shift_id", "52555 74"),
                ("sqlite_autoindex_vol_signups_2", "52555 74 1"),
                ("sqlite_autoindex_vol_signups_1", "52555 74 1"),
            ],
            "vol_shifts": [
                ("ix_vol_shifts_starts_at", "772 2"),
                ("ix_vol_shifts_activity_id", "772 18"),
            ],
            "vol_activities": [("ix_vol_activities_team_id", "44 2")],
            "vol_teams": [
                ("ix_vol_teams_area_id", "27 2"),
                ("sqlite_autoindex_vol_teams_1", "27 1"),
            ],
        },
    )
    (plan,) = _plans(session, lambda: home.attendance_to_record(session, leader, NOW))
    assert "vol_signups USING INDEX ix_vol_signups_unrecorded (shift_id=?)" in plan, plan
    waiting = home.attendance_to_record(session, leader, NOW)
    assert [(w.team_id, w.count) for w in waiting] == [(team.id, 3)]
