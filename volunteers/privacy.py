"""What exporting and closing an account do with the volunteers' tables (see
participation.privacy.tables). The hours ledger stays whole: totals never change."""

from __future__ import annotations

import secrets

from sqlalchemy import update
from sqlalchemy.orm import Session

from participation.privacy.tables import STAFF_WORK, Entry, Person, anonymise, remove, rows, table
from volunteers import models as _models  # noqa: F401  (their tables)


def _profile(session: Session, person: Person) -> None:
    """Guardian, e-mail and the calendar feed's token go (the token is replaced by a
    fresh random one nobody knows, so the old feed link stops working)."""
    t = table("vol_profiles")
    session.execute(
        update(t)
        .where(t.c.account_id == person.account_id)
        .values(guardian_name=None, email=None, calendar_token=secrets.token_urlsafe(32))
    )


ENTRIES: tuple[Entry, ...] = (
    Entry(
        "vol_profiles",
        ("account_id",),
        rows("vol_profiles", "account_id", omit=("calendar_token",)),
        _profile,
    ),
    Entry(
        "vol_hours",
        ("account_id",),
        rows("vol_hours", "account_id"),
        kept="the hours ledger is append-only; entries point at the anonymised account",
    ),
    Entry("vol_hours", ("recorded_by", "approved_by"), kept=STAFF_WORK),
    # The ledger summed per person (its copy for counting people): kept with it.
    Entry(
        "vol_hour_team_people",
        ("account_id",),
        kept="the hours ledger summed per team and person; points at the anonymised account",
    ),
    Entry(
        "vol_hour_month_people",
        ("account_id",),
        kept="the hours ledger summed per month and person; points at the anonymised account",
    ),
    Entry(
        "vol_certificates",
        ("account_id",),
        rows("vol_certificates", "account_id"),
        anonymise(
            "vol_certificates", "account_id", label=("holder_name",), clear={"masked_id": ""}
        ),
    ),
    Entry("vol_certificates", ("issued_by", "revoked_by"), kept=STAFF_WORK),
    Entry(
        "vol_signups",
        ("account_id",),
        rows("vol_signups", "account_id"),
        kept="a shift's sign-ups and attendance; points at the anonymised account",
    ),
    Entry("vol_signups", ("attendance_by",), kept=STAFF_WORK),
    Entry(
        "vol_memberships",
        ("account_id",),
        rows("vol_memberships", "account_id"),
        kept="a team's history; points at the anonymised account",
    ),
    Entry("vol_membership_events", ("actor_id",), kept=STAFF_WORK),
    Entry(
        "vol_qualifications",
        ("account_id",),
        rows("vol_qualifications", "account_id"),
        remove("vol_qualifications", "account_id"),
    ),
    Entry("vol_qualifications", ("recorded_by",), kept=STAFF_WORK),
    Entry("vol_backfills", ("requested_by", "decided_by"), kept=STAFF_WORK),
    Entry("vol_star_schemes", ("created_by",), kept=STAFF_WORK),
)
