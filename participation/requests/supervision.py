"""Supervision (督办) of resident requests: supervision notices issued by the overdue
sweep and climbing the area tree, extensions (延期) asked by the unit and decided by
the level above, and deputies' supervision notes (代表联络站).

Every notice is a row keyed by (request, clock, due date, level, kind): the sweep
issues what the ladder calls for and is missing, so running it twice issues nothing
twice (the unique key holds even if two sweeps race)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    case,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from participation import audit, notices
from participation.accounts import Account, RoleGrant
from participation.areas import Area
from participation.db import Base, utcnow
from participation.errors import N_, DomainError
from participation.keyset import KeysetPage, beyond, key_of, keyset_page
from participation.requests import membership, records
from participation.requests.membership import UnitMember
from participation.requests.models import HandlingUnit, RequestStep, ResidentRequest
from participation.requests.rules.calendar import add_working_days, local_day
from participation.requests.rules.catalog import limits_for
from participation.requests.rules.lateness import Lateness, lateness
from participation.requests.rules.supervision import (
    TOP_KINDS,
    Kind,
    extension_cap,
    rungs,
    stage_of,
)
from participation.requests.units import level_above
from participation.rolls import Congress, DeputyEntry
from participation.rules.permissions import ROLE_PERMISSIONS, Permission


class SupervisionNotice(Base):
    """A supervision notice (督办单) or a due-date reminder, to one unit."""

    __tablename__ = "request_supervisions"
    __table_args__ = (
        UniqueConstraint("request_id", "stage", "due_on", "level", "kind"),
        Index("ix_request_supervisions_unit_issued", "unit_id", "issued_at"),
        Index("ix_request_supervisions_issued", "issued_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("resident_requests.id"), index=True)
    stage: Mapped[str] = mapped_column(String(8))  # accept | resolve
    due_on: Mapped[date] = mapped_column()
    level: Mapped[int] = mapped_column(Integer)  # 0: the handling unit, 1: above it, ...
    kind: Mapped[str] = mapped_column(String(8))  # rules.supervision.Kind
    unit_id: Mapped[int] = mapped_column(ForeignKey("request_units.id"))
    working_days_late: Mapped[int] = mapped_column(Integer, default=0)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)


class Extension(Base):
    """An extension (延期) asked by the handling unit; one per request, ever."""

    __tablename__ = "request_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("resident_requests.id"), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("request_units.id"))
    days: Mapped[int] = mapped_column(Integer)  # working days asked for
    reason: Mapped[str] = mapped_column(Text)
    asked_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    # pending | granted | refused
    status: Mapped[str] = mapped_column(String(8), default="pending")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    answer: Mapped[str] = mapped_column(Text, default="")
    old_due: Mapped[date | None] = mapped_column()
    new_due: Mapped[date | None] = mapped_column()


T = TypeVar("T")


# --- who is told -----------------------------------------------------------------------

HANDLING_ROLES = tuple(
    r.value for r, p in ROLE_PERMISSIONS.items() if Permission.HANDLE_REQUESTS in p
)


def staff_of(session: Session, unit: HandlingUnit) -> Sequence[int]:
    """The unit's active members once it has any (membership.py); else active accounts
    handling requests at exactly the unit's area (the people of that level; those
    above are told at their own level)."""
    if membership.staffed(session, unit.id):
        return session.scalars(
            select(UnitMember.account_id)
            .join(Account, Account.id == UnitMember.account_id)
            .where(UnitMember.unit_id == unit.id, Account.is_active.is_(True))
            .order_by(UnitMember.account_id)
        ).all()
    if unit.area_id is None:
        return []
    return session.scalars(
        select(RoleGrant.account_id)
        .join(Account, Account.id == RoleGrant.account_id)
        .where(
            RoleGrant.area_id == unit.area_id,
            RoleGrant.role.in_(HANDLING_ROLES),
            Account.is_active.is_(True),
        )
        .distinct()
        .order_by(RoleGrant.account_id)
    ).all()


def _tell_staff(
    session: Session, unit: HandlingUnit, request: ResidentRequest, message: str, now: datetime
) -> int:
    return _tell(session, staff_of(session, unit), unit, request, message, now)


def _tell(
    session: Session,
    told: Sequence[int],
    unit: HandlingUnit,
    request: ResidentRequest,
    message: str,
    now: datetime,
) -> int:
    for account_id in told:
        notices.notify(
            session,
            account_id,
            "request.supervision",
            message,
            link=f"/admin/requests/{request.id}",
            params={"number": request.number, "unit": unit.name},
            now=now,
        )
    return len(told)


def ladder(session: Session, unit: HandlingUnit) -> list[HandlingUnit]:
    """The handling unit and the units above it, up to a district."""
    chain = [unit]
    while len(chain) < 8:
        area = session.get(Area, chain[-1].area_id) if chain[-1].area_id else None
        if area is None or (area.kind in TOP_KINDS and chain[-1].kind != "department"):
            break
        above = level_above(session, chain[-1])
        if above is None:
            break
        chain.append(above)
    return chain


# --- the sweep --------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepReport:
    reminders: int
    notices: int
    escalations: int  # notices to a level above the unit
    told: int  # accounts notified


MESSAGES = {
    (Kind.SOON, False): N_("Request %(number)s is due soon (%(unit)s)."),
    (Kind.OVERDUE, False): N_("Supervision notice: request %(number)s is overdue (%(unit)s)."),
    (Kind.OVERDUE, True): N_(
        "Supervision raised to you: request %(number)s is overdue (%(unit)s)."
    ),
}


@dataclass(frozen=True)
class _Candidate:
    """What the sweep reads of a request (no ORM object: tens of thousands a night)."""

    id: int
    number: str
    status: str
    unit_id: int | None
    accept_due: date | None
    resolve_due: date | None
    supervised: bool
    version: int
    requester_id: int | None


@dataclass
class _Batch:
    """What one chunk of the sweep writes, by request (so a request changed by
    someone else meanwhile can be left out whole)."""

    supervisions: dict[int, list[dict[str, object]]]
    steps: dict[int, list[dict[str, object]]]
    told: dict[int, list[notices.NewNotice]]
    flip: dict[int, int]  # request id -> version read: to be marked supervised


def sweep(session: Session, now: datetime, *, chunk: int = 2000) -> SweepReport:
    """Issue every reminder and supervision notice that is due and not yet issued.

    The candidates (routed past or near the time to accept, accepted past or near the
    time to resolve) come from the partial indexes ``ix_resident_requests_routed_due``
    and ``ix_resident_requests_accepted_due`` (requests.counts), ``chunk`` at a time in
    id order; the notices already issued are read once per chunk, and each unit's
    ladder and staff once per sweep, so the work grows with the overdue requests, not
    with all requests.

    Each chunk writes in a fixed number of statements: one UPDATE marks its newly
    supervised requests (bumping their version, as any change of a request does, and
    only where the version is still the one read: a request a handler changed in the
    meantime is left out of this run whole, and the next sweep sees it as it is now),
    then one INSERT each of notices, steps and account notices (with their e-mail
    copies)."""
    today = local_day(now)
    horizon = add_working_days(today, 1)
    ladders: dict[int, list[HandlingUnit]] = {}
    staff: dict[int, Sequence[int]] = {}
    total = [0, 0, 0, 0]  # reminders, notices, escalations, told
    last = 0
    R = ResidentRequest
    while True:
        rows = session.execute(
            select(
                R.id,
                R.number,
                R.status,
                R.unit_id,
                R.accept_due,
                R.resolve_due,
                R.supervised,
                R.version,
                R.requester_id,
            )
            .where(
                R.unit_id.is_not(None),
                or_(
                    (R.status == "routed") & (R.accept_due <= horizon),
                    (R.status == "accepted") & (R.resolve_due <= horizon),
                ),
                R.id > last,
            )
            .order_by(R.id)
            .limit(chunk)
        ).all()
        if not rows:
            break
        candidates = [_Candidate(*row) for row in rows]
        last = candidates[-1].id
        issued_before: dict[tuple[int, str, date], set[tuple[int, str]]] = {}
        for request_id, stage_, due_on, level, kind_ in session.execute(
            select(
                SupervisionNotice.request_id,
                SupervisionNotice.stage,
                SupervisionNotice.due_on,
                SupervisionNotice.level,
                SupervisionNotice.kind,
            ).where(SupervisionNotice.request_id.in_([c.id for c in candidates]))
        ):
            issued_before.setdefault((request_id, stage_, due_on), set()).add((level, kind_))
        batch = _Batch({}, {}, {}, {})
        counts: dict[int, tuple[int, int, int, int]] = {}
        for request in candidates:
            counted = _sweep_one(session, request, now, today, ladders, staff, issued_before, batch)
            if any(counted):
                counts[request.id] = counted
        left_out = _mark_supervised(session, batch.flip)
        for request_id, counted in counts.items():
            if request_id not in left_out:
                total = [t + c for t, c in zip(total, counted, strict=True)]
        _write(session, batch, left_out, now)
    return SweepReport(*total)


def _mark_supervised(session: Session, read: dict[int, int]) -> set[int]:
    """Mark requests supervised with their version bumped, where the version is still
    the one read; the ids left out (changed by someone else since)."""
    if not read:
        return set()
    R = ResidentRequest
    marked = set(
        session.execute(
            update(R)
            .where(R.id.in_(list(read)), R.version == case(read, value=R.id))
            .values(supervised=True, version=R.version + 1)
            .returning(R.id)
            .execution_options(synchronize_session=False)
        ).scalars()
    )
    for request_id in marked:  # keep requests already in this session current
        loaded = session.identity_map.get(identity_key(R, request_id))
        if loaded is not None:
            set_committed_value(loaded, "supervised", True)
            set_committed_value(loaded, "version", read[request_id] + 1)
    return set(read) - marked


def _write(session: Session, batch: _Batch, left_out: set[int], now: datetime) -> None:
    def kept(by_request: dict[int, list[T]]) -> list[T]:
        return [row for rid, rows in by_request.items() if rid not in left_out for row in rows]

    connection = session.connection()
    supervisions = kept(batch.supervisions)
    if supervisions:
        connection.execute(insert(cast(Table, SupervisionNotice.__table__)), supervisions)
    steps = kept(batch.steps)
    if steps:
        connection.execute(insert(cast(Table, RequestStep.__table__)), steps)
    notices.notify_many(session, kept(batch.told), now)


@functools.lru_cache(maxsize=4096)
def _lateness(
    status: str, accept_due: date | None, resolve_due: date | None, today: date
) -> Lateness:
    """``rules.lateness``, remembered: many requests share their due dates."""
    return lateness(status, accept_due, resolve_due, today)


REQUESTER_MESSAGES = {
    False: N_("Your request %(number)s is overdue: a supervision notice went to its unit."),
    True: N_("Your request %(number)s is overdue: supervision of its unit has been raised."),
}


def _sweep_one(
    session: Session,
    request: _Candidate,
    now: datetime,
    today: date,
    ladders: dict[int, list[HandlingUnit]],
    staff: dict[int, Sequence[int]],
    issued_before: dict[tuple[int, str, date], set[tuple[int, str]]],
    batch: _Batch,
) -> tuple[int, int, int, int]:
    reminders = issued = up = told = 0
    stage = stage_of(request.status)
    late = _lateness(request.status, request.accept_due, request.resolve_due, today)
    if stage is None or late.on is None or request.unit_id is None:
        return 0, 0, 0, 0
    chain = ladders.get(request.unit_id)
    if chain is None:
        unit = session.get(HandlingUnit, request.unit_id)
        assert unit is not None
        chain = ladders[request.unit_id] = ladder(session, unit)
    wanted = rungs(late.due, late.working_days_late, len(chain))
    if not wanted:
        return 0, 0, 0, 0
    have = issued_before.get((request.id, stage, late.on), set())
    for rung in wanted:
        if (rung.level, rung.kind.value) in have:
            continue
        to = chain[rung.level]
        batch.supervisions.setdefault(request.id, []).append(
            {
                "request_id": request.id,
                "stage": stage,
                "due_on": late.on,
                "level": rung.level,
                "kind": rung.kind.value,
                "unit_id": to.id,
                "working_days_late": late.working_days_late,
                "issued_at": now,
            }
        )
        raised = rung.level > 0
        kind = (
            "due_reminder"
            if rung.kind is Kind.SOON
            else "supervision_up"
            if raised
            else "supervision"
        )
        batch.steps.setdefault(request.id, []).append(
            {
                "request_id": request.id,
                "at": now,
                "kind": kind,
                "actor_id": None,
                "unit_id": to.id,
                "note": "",
                "minutes": 0,
            }
        )
        if to.id not in staff:
            staff[to.id] = staff_of(session, to)
        tell = batch.told.setdefault(request.id, [])
        tell.extend(
            notices.NewNotice(
                account_id,
                "request.supervision",
                MESSAGES[(rung.kind, raised)],
                link=f"/admin/requests/{request.id}",
                params={"number": request.number, "unit": to.name},
            )
            for account_id in staff[to.id]
        )
        told += len(staff[to.id])
        if rung.kind is Kind.SOON:
            reminders += 1
            continue
        issued += 1
        up += raised
        if not request.supervised:
            batch.flip[request.id] = request.version
        if request.requester_id is not None:  # records.tell_requester
            tell.append(
                notices.NewNotice(
                    request.requester_id,
                    "request.step",
                    REQUESTER_MESSAGES[raised],
                    link=f"/requests/mine/{request.id}",
                    params={"number": request.number},
                )
            )
    return reminders, issued, up, told


@dataclass(frozen=True)
class NoticeView:
    notice: SupervisionNotice
    request: ResidentRequest
    unit: HandlingUnit


#: Notices a page of the office's list of supervision notices.
NOTICES_PER_PAGE = 50

#: The list's order, newest first: the index ``ix_request_supervisions_issued``.
_NOTICE_KEY = (SupervisionNotice.issued_at, SupervisionNotice.id)


def notices_page(
    session: Session,
    handle_paths: Sequence[str] | None,
    *,
    after: int = 0,
    before: int = 0,
    per_page: int = NOTICES_PER_PAGE,
) -> KeysetPage[NoticeView]:
    """The page of the notices to units in the person's areas (``None``:
    everywhere), newest first (issue time, then id), that starts after (is older
    than) the notice of id ``after``, or else ends before (is newer than) the
    notice of id ``before``, or else the first page (participation.keyset).

    At most three statements of at most ``per_page`` + 1 rows, however many
    notices the city has and however deep the page: the named notice's time,
    the page from the index on (issued_at, id) read from that key on, and the
    first page when nothing newer was found. An id naming no notice, or past any
    id a row can have, gives the first page.
    """
    cursor = key_of(session, _NOTICE_KEY, SupervisionNotice.id, after or before)

    def read(key: tuple[Any, ...] | None, forward: bool, limit: int) -> list[NoticeView]:
        query = (
            select(SupervisionNotice, ResidentRequest, HandlingUnit)
            .join(ResidentRequest, ResidentRequest.id == SupervisionNotice.request_id)
            .join(HandlingUnit, HandlingUnit.id == SupervisionNotice.unit_id)
            .outerjoin(Area, Area.id == HandlingUnit.area_id)
        )
        if handle_paths is not None:
            query = query.where(or_(False, *[Area.path.startswith(p) for p in handle_paths]))
        if key is not None:  # newest first: forward is descending
            query = query.where(*beyond(_NOTICE_KEY, key, ascending=not forward))
        order = [c.desc() if forward else c.asc() for c in _NOTICE_KEY]
        return [
            NoticeView(n, r, u) for n, r, u in session.execute(query.order_by(*order).limit(limit))
        ]

    return keyset_page(
        read,
        lambda row: row.notice.id,
        cursor=cursor,
        forward=cursor is None or bool(after),
        per_page=per_page,
    )


def notices_of(
    session: Session, request_id: int, last: int | None = None
) -> tuple[list[tuple[SupervisionNotice, HandlingUnit]], bool]:
    """A request's notices, oldest first: all of them, or the newest ``last``; and
    whether older ones were left out. One statement however many there are."""
    query = (
        select(SupervisionNotice, HandlingUnit)
        .join(HandlingUnit, HandlingUnit.id == SupervisionNotice.unit_id)
        .where(SupervisionNotice.request_id == request_id)
    )
    if last is None:
        return [(n, u) for n, u in session.execute(query.order_by(SupervisionNotice.id))], False
    newest = query.order_by(SupervisionNotice.id.desc()).limit(last + 1)
    rows = [(n, u) for n, u in session.execute(newest)][::-1]
    return rows[-last:] if last else [], len(rows) > last


# --- extensions (延期) ------------------------------------------------------------------


def extension_of(session: Session, request_id: int) -> Extension | None:
    return session.scalar(select(Extension).where(Extension.request_id == request_id))


def approver_unit(session: Session, request: ResidentRequest) -> HandlingUnit | None:
    """The level above the handling unit, who decides its extension (None: the top;
    then only people granted everywhere decide)."""
    unit = session.get(HandlingUnit, request.unit_id) if request.unit_id else None
    return level_above(session, unit) if unit is not None else None


PAST_CAP = N_("An extension cannot be longer than the time this kind of matter has to be resolved.")


def cap_for(request: ResidentRequest) -> int:
    return extension_cap(limits_for(request.category, request.urgency).resolve)


@records.guarded
def ask_extension(
    session: Session,
    request: ResidentRequest,
    unit_id: int,
    days: int | None,
    reason: str,
    now: datetime,
    actor_id: int,
) -> Extension:
    """The handling unit asks for more working days to resolve, with a reason; once."""
    if request.status != "accepted" or request.unit_id != unit_id:
        raise DomainError(
            "extension.status",
            N_("An extension is asked for by the unit handling the request, while it is handled."),
            status=409,
        )
    if extension_of(session, request.id) is not None:
        raise DomainError(
            "extension.twice",
            N_("This request has already had its one extension request."),
            status=409,
        )
    cap = cap_for(request)
    problems: dict[str, str] = {}
    why = (reason or "").strip()
    if not why:
        problems["reason"] = N_("Give a reason.")
    elif len(why) > 1000:
        problems["reason"] = N_("This text is too long.")
    if days is None or days < 1:
        problems["days"] = N_("Enter the working days needed, from 1.")
    elif days > cap:
        problems["days"] = PAST_CAP
    if problems:
        message = (
            PAST_CAP
            if problems.get("days") == PAST_CAP
            else N_("Please correct the marked fields.")
        )
        raise DomainError("extension.form", message, fields=problems, params={"cap": cap})
    assert days is not None
    asked = Extension(
        request_id=request.id,
        unit_id=unit_id,
        days=days,
        reason=why,
        asked_by=actor_id,
        asked_at=now,
        old_due=request.resolve_due,
    )
    session.add(asked)
    records.step(session, request, "ext_asked", now, actor_id=actor_id, unit_id=unit_id, note=why)
    above = approver_unit(session, request)
    if above is not None:
        _tell_staff(
            session,
            above,
            request,
            N_("Request %(number)s: %(unit)s is asked to decide an extension."),
            now,
        )
    audit.record(
        session, actor_id=actor_id, action="request.extension_asked", target=f"request:{request.id}"
    )
    records.save(session)
    return asked


NOT_PENDING = N_("There is no extension request waiting for a decision.")


@records.guarded
def decide_extension(
    session: Session,
    request: ResidentRequest,
    grant: bool,
    answer: str,
    now: datetime,
    actor_id: int,
) -> Extension:
    """The level above grants (the due date moves by the working days asked) or refuses."""
    asked = extension_of(session, request.id)
    if asked is None or asked.status != "pending":
        raise DomainError(
            "extension.none",
            N_("There is no extension request waiting for a decision."),
            status=409,
        )
    if asked.asked_by == actor_id:
        raise DomainError(
            "extension.own", N_("Someone else decides the extension you asked for."), status=403
        )
    text = (answer or "").strip()
    if len(text) > 1000:
        message = N_("This text is too long.")
        raise DomainError("extension.answer", message, fields={"answer": message})
    if not grant and not text:
        message = N_("Say why the extension is refused.")
        raise DomainError("extension.answer", message, fields={"answer": message})
    if request.status != "accepted" and grant:
        raise DomainError(
            "extension.status",
            N_("The request is no longer being handled: the extension can only be refused."),
            status=409,
        )
    # Of two decisions at once, one wins: only a row still pending is decided.
    decided = session.execute(
        update(Extension)
        .where(Extension.id == asked.id, Extension.status == "pending")
        .values(
            status="granted" if grant else "refused",
            decided_by=actor_id,
            decided_at=now,
            answer=text,
        )
        .execution_options(synchronize_session=False)
    )
    if decided.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError("extension.none", NOT_PENDING, status=409)
    session.refresh(asked)
    if asked.status == "granted":
        base = request.resolve_due or local_day(now)
        asked.new_due = add_working_days(base, asked.days)
        request.resolve_due = asked.new_due
        records.tell_requester(
            session, request, N_("The time to resolve your request %(number)s was extended."), now
        )
    records.step(
        session,
        request,
        f"ext_{asked.status}",  # step kinds are at most 16 characters
        now,
        actor_id=actor_id,
        unit_id=asked.unit_id,
        note=text,
    )
    if asked.asked_by is not None:
        notices.notify(
            session,
            asked.asked_by,
            "request.extension",
            N_("Your extension request for %(number)s was granted.")
            if asked.status == "granted"
            else N_("Your extension request for %(number)s was refused."),
            link=f"/admin/requests/{request.id}",
            params={"number": request.number},
            now=now,
        )
    audit.record(
        session,
        actor_id=actor_id,
        action=f"request.extension_{asked.status}",
        target=f"request:{request.id}",
    )
    records.save(session)
    return asked


# --- deputies (代表联络站) ----------------------------------------------------------------


def constituencies(session: Session, account_id: int) -> list[Area]:
    """The areas a deputy answers for, from the deputy rolls: the area named by the
    roll's constituency within the congress's area, else the congress's whole area."""
    rows = session.execute(
        select(DeputyEntry, Area)
        .join(Congress, Congress.id == DeputyEntry.congress_id)
        .join(Area, Area.id == Congress.area_id)
        .where(DeputyEntry.account_id == account_id)
    ).all()
    found: dict[int, Area] = {}
    for entry, seat in rows:
        named = (
            session.scalar(
                select(Area).where(
                    Area.name == entry.constituency.strip(), Area.path.startswith(seat.path)
                )
            )
            if entry.constituency.strip()
            else None
        )
        area = named or seat
        found[area.id] = area
    return sorted(found.values(), key=lambda a: a.path)


def in_constituency(session: Session, areas: Sequence[Area], request: ResidentRequest) -> bool:
    place = session.get(Area, request.area_id)
    return place is not None and any(place.path.startswith(a.path) for a in areas)


def constituency_requests(
    session: Session, areas: Sequence[Area], *, open_only: bool = False, limit: int = 300
) -> list[tuple[ResidentRequest, Area]]:
    if not areas:
        return []
    query = (
        select(ResidentRequest, Area)
        .join(Area, Area.id == ResidentRequest.area_id)
        .where(or_(*[Area.path.startswith(a.path) for a in areas]))
        .where(ResidentRequest.merged_into_id.is_(None))
        .order_by(ResidentRequest.id.desc())
        .limit(limit)
    )
    if open_only:
        query = query.where(ResidentRequest.status != "closed")
    return [(r, a) for r, a in session.execute(query)]


def add_deputy_note(
    session: Session, request: ResidentRequest, note: str, now: datetime, actor_id: int
) -> None:
    """A deputy's supervision note, on the timeline; the unit's staff are told."""
    text = (note or "").strip()
    if not text:
        message = N_("Write the supervision note.")
        raise DomainError("deputy.note", message, fields={"note": message})
    if len(text) > 1000:
        message = N_("This text is too long.")
        raise DomainError("deputy.note", message, fields={"note": message})
    records.step(session, request, "deputy_note", now, actor_id=actor_id, note=text)
    unit = session.get(HandlingUnit, request.unit_id) if request.unit_id else None
    if unit is not None:
        _tell_staff(
            session,
            unit,
            request,
            N_("A deputy added a supervision note to request %(number)s."),
            now,
        )
    audit.record(
        session, actor_id=actor_id, action="request.deputy_note", target=f"request:{request.id}"
    )
    session.flush()
