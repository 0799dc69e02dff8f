"""Volunteer service tables: teams and rosters, activities and shifts, sign-ups,
the append-only hours ledger and certificates.

Invariants kept by the services (and by constraints where a database can):
- a person holds at most one sign-up per shift (unique ``shift_id, account_id``);
- arrival order on a shift is a gap-free counter (``Shift.arrivals``), unique per shift;
- ``Shift.confirmed`` equals the number of confirmed sign-ups and never exceeds
  ``capacity``; it changes only while the shift row is locked;
- hours entries are never updated or deleted (database triggers refuse it).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from participation import accounts as _accounts  # noqa: F401  (tables our keys refer to)
from participation import areas as _areas  # noqa: F401
from participation.db import Base, utcnow
from volunteers.rules.signup import ShiftRules

_DEFAULT_RULES = ShiftRules()


def _rule(name: str) -> Any:
    """A team's rule column: NOT NULL, defaulting (in Python and in the database)
    to the rule's default."""
    value = getattr(_DEFAULT_RULES, name)
    return mapped_column(default=value, server_default=text(str(value)))


class Team(Base):
    """A volunteer team (志愿服务队) of an area, with its sign-up rules."""

    __tablename__ = "vol_teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # featured | professional
    join_mode: Mapped[str] = mapped_column(String(16), default="open")
    description: Mapped[str] = mapped_column(Text, default="")
    # Rules, per team: one column per ShiftRules field, defaults from there.
    opens_hours_before: Mapped[int] = _rule("opens_hours_before")
    cancel_closes_hours_before: Mapped[int] = _rule("cancel_closes_hours_before")
    overlap_grace_minutes: Mapped[int] = _rule("overlap_grace_minutes")
    promotion_cutoff_hours: Mapped[int] = _rule("promotion_cutoff_hours")
    offer_minutes: Mapped[int] = _rule("offer_minutes")
    coverage_percent: Mapped[int] = _rule("coverage_percent")
    no_show_lock: Mapped[int] = _rule("no_show_lock")
    consent_age: Mapped[int] = _rule("consent_age")
    self_signup_age: Mapped[int] = _rule("self_signup_age")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Membership(Base):
    __tablename__ = "vol_memberships"
    __table_args__ = (UniqueConstraint("team_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("vol_teams.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="member")  # leader | core | member
    # pending (asked to join) | invited | active | left | refused
    status: Mapped[str] = mapped_column(String(16), default="active")
    since: Mapped[datetime] = mapped_column(default=utcnow)


class MembershipEvent(Base):
    """Membership history: one row per change, never edited."""

    __tablename__ = "vol_membership_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("vol_memberships.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    event: Mapped[str] = mapped_column(String(24))
    role: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))


class VolunteerProfile(Base):
    """What volunteering needs to know of a person beyond their account."""

    __tablename__ = "vol_profiles"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    volunteer_number: Mapped[str] = mapped_column(String(24), unique=True)
    guardian_name: Mapped[str | None] = mapped_column(String(60))
    guardian_consent_at: Mapped[datetime | None] = mapped_column()
    # No-shows before this moment no longer lock (a leader unlocked the person).
    no_shows_cleared_at: Mapped[datetime | None] = mapped_column()
    calendar_token: Mapped[str] = mapped_column(String(43), unique=True)
    email: Mapped[str | None] = mapped_column(String(255))  # for reminders and notices
    reminder_minutes: Mapped[int] = mapped_column(default=120)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Qualification(Base):
    """A qualification a person holds (e.g. first_aid), recorded by a leader."""

    __tablename__ = "vol_qualifications"
    __table_args__ = (UniqueConstraint("account_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    valid_until: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Activity(Base):
    __tablename__ = "vol_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("vol_teams.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    service_content: Mapped[str] = mapped_column(String(120), default="")
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    # Per-activity overrides of the team's rules (None: the team's setting).
    opens_hours_before: Mapped[int | None] = mapped_column()
    cancel_closes_hours_before: Mapped[int | None] = mapped_column()
    overlap_grace_minutes: Mapped[int | None] = mapped_column()
    promotion_cutoff_hours: Mapped[int | None] = mapped_column()
    offer_minutes: Mapped[int | None] = mapped_column()
    coverage_percent: Mapped[int | None] = mapped_column()
    no_show_lock: Mapped[int | None] = mapped_column()
    consent_age: Mapped[int | None] = mapped_column()
    self_signup_age: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


#: A shift lasts at most this long (create_shift and move_shift refuse longer), so
#: a shift still running at ``t`` started after ``t - LONGEST_SHIFT``: lists of
#: coming shifts bound ``starts_at`` with it and read the index on it.
LONGEST_SHIFT = timedelta(hours=24)


class Shift(Base):
    __tablename__ = "vol_shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("vol_activities.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    place: Mapped[str] = mapped_column(String(120), default="")
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column()
    capacity: Mapped[int] = mapped_column()
    # Space-separated qualification codes, all required.
    qualifications: Mapped[str] = mapped_column(String(200), default="")
    members_only: Mapped[bool] = mapped_column(Boolean, default=False)
    cancelled_at: Mapped[datetime | None] = mapped_column()
    # Changed only with the row locked: the arrival counter and confirmed count.
    arrivals: Mapped[int] = mapped_column(default=0)
    confirmed: Mapped[int] = mapped_column(default=0)

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def qualification_codes(self) -> frozenset[str]:
        return frozenset(self.qualifications.split())


#: A confirmed place whose attendance nobody recorded yet (neither checked out nor
#: credited), as each engine renders ``volunteers.home``'s conditions: a partial
#: index serves a query only when its terms match the index's own.
UNRECORDED_SQLITE = "status = 'confirmed' AND checked_out_at IS NULL AND credited IS 0"
UNRECORDED_POSTGRESQL = "status = 'confirmed' AND checked_out_at IS NULL AND credited IS false"


class SignUp(Base):
    __tablename__ = "vol_signups"
    __table_args__ = (
        UniqueConstraint("shift_id", "account_id"),
        UniqueConstraint("shift_id", "arrival"),
        # A person's sign-ups, and a member's missed shifts (the roster's lock
        # column, volunteers/team_page.py) found among that person's no-shows, not
        # among all their sign-ups. No index on account_id alone: this one serves
        # it, and beside it SQLite's planner took the narrower one for the no-shows
        # (its statistics average over statuses, and no-shows are rare).
        Index("ix_vol_signups_account_id_status", "account_id", "status"),
        # Places whose attendance nobody recorded yet (volunteers.home's
        # attendance_to_record): a handful beside a team's years of recorded ones,
        # which the leader's home page would otherwise read on every view.
        Index(
            "ix_vol_signups_unrecorded",
            "shift_id",
            sqlite_where=text(UNRECORDED_SQLITE),
            postgresql_where=text(UNRECORDED_POSTGRESQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("vol_shifts.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    arrival: Mapped[int] = mapped_column()  # order of arrival on this shift, 1, 2, ...
    # confirmed | waitlisted | offered | cancelled | no_show
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    offer_expires_at: Mapped[datetime | None] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()
    late_cancel_reason: Mapped[str | None] = mapped_column(String(200))
    checked_in_at: Mapped[datetime | None] = mapped_column()
    checked_out_at: Mapped[datetime | None] = mapped_column()
    attendance_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    credited: Mapped[bool] = mapped_column(Boolean, default=False)


class HoursEntry(Base):
    """One line of the append-only hours ledger, in integer minutes (may be negative
    for a correction). The database refuses UPDATE and DELETE on this table."""

    __tablename__ = "vol_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("vol_teams.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("vol_shifts.id"), index=True)
    served_on: Mapped[date] = mapped_column(Date, index=True)
    minutes: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(16))  # system | backfill | correction
    reason: Mapped[str] = mapped_column(String(200), default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("vol_hours.id"))


class HoursTotal(Base):
    """The ledger summed per month ("YYYY-MM"), team and area, for the reports over
    everything (a city's ledger holds a million lines). Written in the transaction
    that inserts each ledger line (``_add_to_totals`` below), so it is always
    current; a loader that inserts lines in bulk, past the ORM, calls
    ``volunteers.reports.rebuild_totals`` after."""

    __tablename__ = "vol_hour_totals"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    # Indexed on its own: a team's total (the roster) reads the team's rows only.
    team_id: Mapped[int] = mapped_column(ForeignKey("vol_teams.id"), primary_key=True, index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    minutes: Mapped[int] = mapped_column()
    lines: Mapped[int] = mapped_column()


class TeamPersonMinutes(Base):
    """The ledger summed per team and person: who has a positive balance in a team,
    for the open data's small-cell rule (``volunteers.rules.disclosure``), without
    reading the ledger. Kept like :class:`HoursTotal` (``_add_to_totals`` below,
    ``volunteers.reports.rebuild_totals``)."""

    __tablename__ = "vol_hour_team_people"
    __table_args__ = (
        # A small team's people with a positive balance: a range of this index.
        Index("ix_vol_hour_team_people_team_id_minutes", "team_id", "minutes"),
    )

    team_id: Mapped[int] = mapped_column(ForeignKey("vol_teams.id"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    minutes: Mapped[int] = mapped_column()


class MonthPersonMinutes(Base):
    """The ledger summed per month ("YYYY-MM") and person, as :class:`TeamPersonMinutes`
    per team: the city-wide month totals follow the same small-cell rule."""

    __tablename__ = "vol_hour_month_people"
    __table_args__ = (Index("ix_vol_hour_month_people_month_minutes", "month", "minutes"),)

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    minutes: Mapped[int] = mapped_column()


class TeamContributors(Base):
    """How many people have a positive balance in each team (the rows of
    :class:`TeamPersonMinutes` above zero), counted as balances cross zero: open data
    reads one row per team instead of counting a city's people on every request."""

    __tablename__ = "vol_hour_team_contributors"

    team_id: Mapped[int] = mapped_column(ForeignKey("vol_teams.id"), primary_key=True)
    people: Mapped[int] = mapped_column()


class MonthContributors(Base):
    """How many people have a positive balance in each month (of
    :class:`MonthPersonMinutes`), as :class:`TeamContributors` per team."""

    __tablename__ = "vol_hour_month_contributors"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    people: Mapped[int] = mapped_column()


@event.listens_for(HoursEntry, "after_insert")
def _add_to_totals(_mapper: Mapper[HoursEntry], connection: Connection, entry: HoursEntry) -> None:
    """Add a new ledger line to its month's total and to its person's balances in
    its team and month, in the same transaction, and count the person in or out of
    the team's and month's contributors when their balance crosses zero. Each upsert
    adds in the database (``minutes = minutes + new``), so two writers of the same
    cell both count on PostgreSQL too; the balance it returns is the one after this
    line alone (the upsert holds the row until commit), so a crossing counts once."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    month = f"{entry.served_on:%Y-%m}"
    table = HoursTotal.__table__
    new = dialect.insert(table).values(
        month=month,
        team_id=entry.team_id,
        area_id=entry.area_id,
        minutes=entry.minutes,
        lines=1,
    )
    connection.execute(
        new.on_conflict_do_update(
            index_elements=["month", "team_id", "area_id"],
            set_={"minutes": table.c.minutes + new.excluded.minutes, "lines": table.c.lines + 1},
        )
    )
    for people, counts, key in (
        (TeamPersonMinutes.__table__, TeamContributors.__table__, {"team_id": entry.team_id}),
        (MonthPersonMinutes.__table__, MonthContributors.__table__, {"month": month}),
    ):
        add = dialect.insert(people).values(
            **key, account_id=entry.account_id, minutes=entry.minutes
        )
        after = connection.execute(
            add.on_conflict_do_update(
                index_elements=[*key, "account_id"],
                set_={"minutes": people.c.minutes + add.excluded.minutes},
            ).returning(people.c.minutes)
        ).scalar_one()
        step = int(after > 0) - int(after - entry.minutes > 0)
        if step:
            count = dialect.insert(counts).values(**key, people=step)
            connection.execute(
                count.on_conflict_do_update(
                    index_elements=[*key],
                    set_={"people": counts.c.people + count.excluded.people},
                )
            )


class BackfillRequest(Base):
    """A request to credit hours the system did not record; approved into the ledger
    by someone other than the requester."""

    __tablename__ = "vol_backfills"

    id: Mapped[int] = mapped_column(primary_key=True)
    signup_id: Mapped[int] = mapped_column(ForeignKey("vol_signups.id"), index=True)
    minutes: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(String(200))
    requested_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Indexed: a team's pending requests are found from the few pending ones.
    status: Mapped[str] = mapped_column(
        String(16), default="pending", index=True
    )  # approved | rejected
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("vol_hours.id"))


class Certificate(Base):
    """志愿服务记录证明: a snapshot of approved hours, verifiable by number."""

    __tablename__ = "vol_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    holder_name: Mapped[str] = mapped_column(String(60))
    masked_id: Mapped[str] = mapped_column(String(24))
    volunteer_number: Mapped[str] = mapped_column(String(24))
    minutes: Mapped[int] = mapped_column()
    service_content: Mapped[str] = mapped_column(Text)
    issuer: Mapped[str] = mapped_column(String(120))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    revoke_reason: Mapped[str | None] = mapped_column(String(200))


class CertificateTeam(Base):
    """A team whose hours a certificate counts: one row per distinct team of the
    holder's ledger lines recorded up to its issue, written in the transaction
    that inserts the certificate (the event below), never changed after. The
    ledger is append-only and lines are recorded at the time they are written,
    so these rows are what ``volunteers.certificates.service_area_paths`` finds
    for the certificate; the teams' areas are joined when read (a team moved to
    another area moves its certificates with it, as before).

    Why it is kept: which certificates an officer may manage is decided by these
    teams' areas, and the certificates list counts them; found from each holder's
    ledger it read the whole ledger of every holder (0.4 s at 50,000 certificates
    in a 5 % city), found from here it reads the officer's teams' rows."""

    __tablename__ = "vol_certificate_teams"
    # The officer's certificates, found from their teams (the primary key serves
    # the other way: a certificate's teams).
    __table_args__ = (Index("ix_vol_certificate_teams_team", "team_id", "certificate_id"),)

    certificate_id: Mapped[int] = mapped_column(ForeignKey("vol_certificates.id"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("vol_teams.id"), primary_key=True)


@event.listens_for(Certificate, "after_insert")
def _certified_teams(
    _mapper: Mapper[Certificate], connection: Connection, cert: Certificate
) -> None:
    """Keep :class:`CertificateTeam` with every certificate, in its flush: the
    distinct teams of the holder's ledger lines recorded up to its issue (as
    migration 0065 wrote them for the certificates issued before)."""
    connection.execute(
        insert(CertificateTeam).from_select(
            ["certificate_id", "team_id"],
            select(literal(cert.id), HoursEntry.team_id)
            .where(
                HoursEntry.account_id == cert.account_id,
                HoursEntry.recorded_at <= cert.issued_at,
            )
            .distinct(),
        )
    )


class StarSchemeRecord(Base):
    """A star-level scheme set for an area (see volunteers.rules.stars). Never
    edited: a change is a new row; the newest one in force applies."""

    __tablename__ = "vol_star_schemes"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    hours: Mapped[str] = mapped_column(String(80))  # thresholds, space-separated: "100 300"
    notice_days: Mapped[int] = mapped_column()
    effective_at: Mapped[datetime] = mapped_column()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
