"""The hours ledger: append-only entries in integer minutes.

System entries come from attendance; back-fills are requested and approved by
someone other than the requester, never beyond the shift's length; corrections
are new entries with who and why. A balance is a sum over entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, bindparam, case, func, select
from sqlalchemy.orm import Session

from participation.accounts import Account
from participation.errors import N_, DomainError
from volunteers.models import Activity, BackfillRequest, HoursEntry, Shift, SignUp
from volunteers.signups import shift_context


def credited_for(session: Session, account_id: int, shift_id: int) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.sum(HoursEntry.minutes), 0)).where(
                HoursEntry.account_id == account_id, HoursEntry.shift_id == shift_id
            )
        )
        or 0
    )


def _entry(
    session: Session,
    shift: Shift,
    team_id: int,
    account_id: int,
    minutes: int,
    kind: str,
    **extra: object,
) -> HoursEntry:
    entry = HoursEntry(
        account_id=account_id,
        team_id=team_id,
        area_id=shift.area_id,
        shift_id=shift.id,
        served_on=shift.starts_at.date(),
        minutes=minutes,
        kind=kind,
        **extra,
    )
    session.add(entry)
    session.flush()
    return entry


def record_system(
    session: Session, signup: SignUp, minutes: int, actor_id: int | None, now: datetime
) -> HoursEntry:
    ctx = shift_context(session, signup.shift_id)
    return _entry(
        session,
        ctx.shift,
        ctx.team.id,
        signup.account_id,
        minutes,
        "system",
        recorded_by=actor_id,
        recorded_at=now,
        reason="attendance",
    )


def request_backfill(
    session: Session, signup: SignUp, minutes: int, reason: str, requester_id: int, now: datetime
) -> BackfillRequest:
    ctx = shift_context(session, signup.shift_id)
    room = ctx.shift.minutes - credited_for(session, signup.account_id, ctx.shift.id)
    fields: dict[str, str] = {}
    if not 1 <= minutes <= room:
        fields["minutes"] = N_("Enter minutes from 1 up to the shift's uncredited length.")
    if not reason.strip():
        fields["reason"] = N_("Say why these hours were not recorded.")
    if fields:
        raise DomainError(
            "backfill.invalid", N_("Please correct the marked fields."), fields=fields
        )
    if now < ctx.shift.starts_at:
        raise DomainError(
            "backfill.future", N_("Hours can only be back-filled for a shift that has taken place.")
        )
    request = BackfillRequest(
        signup_id=signup.id,
        minutes=minutes,
        reason=reason.strip()[:200],
        requested_by=requester_id,
        requested_at=now,
    )
    session.add(request)
    session.flush()
    return request


def decide_backfill(
    session: Session, request_id: int, approve: bool, approver_id: int, now: datetime
) -> BackfillRequest:
    """Invariant: the approver is not the requester (nor the person credited), and
    approved minutes never take the shift's credit beyond its length."""
    # Locked and read afresh: of racing decisions, one finds it pending.
    request = session.get(BackfillRequest, request_id, with_for_update=True, populate_existing=True)
    if request is None or request.status != "pending":
        raise DomainError(
            "backfill.not_pending", N_("This request has already been decided."), status=409
        )
    signup = session.get(SignUp, request.signup_id)
    assert signup is not None
    if approver_id in (request.requested_by, signup.account_id):
        raise DomainError(
            "backfill.self",
            N_("Someone other than the requester must approve these hours."),
            status=403,
        )
    request.status = "approved" if approve else "rejected"
    request.decided_by, request.decided_at = approver_id, now
    if approve:
        ctx = shift_context(session, signup.shift_id, lock=True)
        room = ctx.shift.minutes - credited_for(session, signup.account_id, ctx.shift.id)
        if request.minutes > room:
            raise DomainError(
                "backfill.too_long",
                N_("Approving this would credit more than the shift's length."),
                status=409,
            )
        entry = _entry(
            session,
            ctx.shift,
            ctx.team.id,
            signup.account_id,
            request.minutes,
            "backfill",
            recorded_by=request.requested_by,
            recorded_at=now,
            approved_by=approver_id,
            reason=request.reason,
        )
        request.entry_id = entry.id
    session.flush()
    return request


def correct(
    session: Session, entry_id: int, minutes: int, reason: str, actor_id: int, now: datetime
) -> HoursEntry:
    """Append a correction (positive or negative) to an entry's shift credit."""
    original = session.get(HoursEntry, entry_id)
    if original is None:
        raise DomainError("hours.not_found", N_("No such hours entry."), status=404)
    if not reason.strip():
        raise DomainError(
            "hours.reason", N_("A correction needs a reason."), fields={"reason": N_("Say why.")}
        )
    if original.shift_id is not None:
        shift = session.get(Shift, original.shift_id)
        assert shift is not None
        after = credited_for(session, original.account_id, shift.id) + minutes
        if not 0 <= after <= shift.minutes:
            raise DomainError(
                "hours.out_of_range", N_("A shift's credit must stay between zero and its length.")
            )
    entry = HoursEntry(
        account_id=original.account_id,
        team_id=original.team_id,
        area_id=original.area_id,
        shift_id=original.shift_id,
        served_on=original.served_on,
        minutes=minutes,
        kind="correction",
        reason=reason.strip()[:200],
        recorded_by=actor_id,
        recorded_at=now,
        corrects_id=original.id,
    )
    session.add(entry)
    session.flush()
    return entry


def entries_of(session: Session, account_id: int) -> Sequence[HoursEntry]:
    """A person's ledger by date of service, then in the order entries were made
    (a correction follows the entry it corrects)."""
    return session.scalars(
        select(HoursEntry)
        .where(HoursEntry.account_id == account_id)
        .order_by(HoursEntry.served_on, HoursEntry.id)
    ).all()


def entries_page(
    session: Session, account_id: int, number: int, per_page: int
) -> tuple[Sequence[HoursEntry], int, int]:
    """One page of ``entries_of``'s order, paged in SQL, the page number (at most the
    last page) and the number of lines: a long-serving volunteer's ledger has thousands of lines."""
    count = int(
        session.scalar(select(func.count()).where(HoursEntry.account_id == account_id)) or 0
    )
    number = max(1, min(number, -(-count // per_page)))
    rows = session.scalars(
        select(HoursEntry)
        .where(HoursEntry.account_id == account_id)
        .order_by(HoursEntry.served_on, HoursEntry.id)
        .offset((number - 1) * per_page)
        .limit(per_page)
    ).all()
    return rows, number, count


def balances(session: Session, account_id: int, settled_by: datetime) -> tuple[int, int]:
    """The person's balance and the part of it recorded by ``settled_by`` (what the
    shown star level counts, see ``rules.hours.shown_star_level``), summed in SQL."""
    total, settled = session.execute(
        select(
            func.coalesce(func.sum(HoursEntry.minutes), 0),
            func.coalesce(
                func.sum(case((HoursEntry.recorded_at <= settled_by, HoursEntry.minutes), else_=0)),
                0,
            ),
        ).where(HoursEntry.account_id == account_id)
    ).one()
    return int(total), int(settled)


def total_minutes(session: Session, account_id: int) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.sum(HoursEntry.minutes), 0)).where(
                HoursEntry.account_id == account_id
            )
        )
        or 0
    )


@dataclass(frozen=True)
class BackfillRow:
    """A request for back-filled hours as the leader's team page lists it."""

    request: BackfillRequest
    signup: SignUp
    requester: Account


def _backfill_rows() -> Select[BackfillRequest, SignUp, Account]:
    return (
        select(BackfillRequest, SignUp, Account)
        .join(SignUp, SignUp.id == BackfillRequest.signup_id)
        .join(Account, Account.id == SignUp.account_id)
    )


# Built once: constructing it cost more CPU than running it, on every team page.
_PENDING_BACKFILLS = (
    _backfill_rows()
    .join(Shift, Shift.id == SignUp.shift_id)
    .join(Activity, Activity.id == Shift.activity_id)
    .where(Activity.team_id == bindparam("team_id"), BackfillRequest.status == "pending")
    .order_by(BackfillRequest.id)
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
)


def pending_backfills(
    session: Session, team_id: int, offset: int = 0, limit: int = -1
) -> list[BackfillRow]:
    """A page of the team's requests waiting for a decision, oldest first, each
    with its sign-up and the person it would credit, in one query (``limit`` -1:
    all of them; the team page counts them in ``team_page.team_figures``)."""
    params = {"team_id": team_id, "offset": offset, "limit": limit}
    rows = session.execute(_PENDING_BACKFILLS, params).all()
    return [BackfillRow(b, s, a) for b, s, a in rows]


def backfill_row(session: Session, request_id: int) -> BackfillRow:
    """One request, whatever its status (404 when there is none)."""
    row = session.execute(_backfill_rows().where(BackfillRequest.id == request_id)).first()
    if row is None:
        raise DomainError("backfill.not_found", N_("No such request."), status=404)
    return BackfillRow(row[0], row[1], row[2])


def team_of_backfill(session: Session, request_id: int) -> int:
    """The id of the team whose shift a request is about (404 when there is none)."""
    team_id = session.scalar(
        select(Activity.team_id)
        .join(Shift, Shift.activity_id == Activity.id)
        .join(SignUp, SignUp.shift_id == Shift.id)
        .join(BackfillRequest, BackfillRequest.signup_id == SignUp.id)
        .where(BackfillRequest.id == request_id)
    )
    if team_id is None:
        raise DomainError("backfill.not_found", N_("No such request."), status=404)
    return team_id
