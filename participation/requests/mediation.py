"""Mediation cases (矛盾纠纷调解): a request classed as a dispute is handled by a
mediation body. The case keeps the parties (name and contact, never shown publicly),
the mediator (an account of the body), the sessions, and the outcome: an agreement
both parties confirm, each separately, or a referral. Each step is also a step of the
request (without the parties' details), and the request closes with the case.

The case row carries a version counter: two confirmations at once both change it,
so one wins and the other is refused (and told to look again); nothing counts twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    ForeignKey,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    and_,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from participation import audit
from participation.accounts import Account, RoleGrant
from participation.areas import Area
from participation.db import Base, utcnow
from participation.errors import N_, DomainError
from participation.keyset import KeysetPage, beyond, from_link, keyset_page
from participation.paging import counted_page
from participation.requests import records
from participation.requests.deadlines import local_day
from participation.requests.membership import UnitMember
from participation.requests.models import HandlingUnit, ResidentRequest
from participation.requests.rules import mediation as rules
from participation.requests.rules.catalog import OPEN_STATUSES
from participation.requests.rules.mediation import Act, Who
from participation.rules.permissions import ROLE_PERMISSIONS, Permission, Role


class MediationCase(Base):
    __tablename__ = "mediation_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("resident_requests.id"), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("request_units.id"), index=True)
    mediator_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="open")  # rules.STATUSES
    classed_reason: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    agreement: Mapped[str] = mapped_column(Text, default="")
    agreed_at: Mapped[datetime | None] = mapped_column()
    referral: Mapped[str] = mapped_column(String(12), default="")  # rules.REFERRALS
    referral_reason: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column()
    confirmations: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class MediationParty(Base):
    """One side of the dispute: the requester or the other party (private)."""

    __tablename__ = "mediation_parties"
    __table_args__ = (UniqueConstraint("case_id", "side"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_cases.id"), index=True)
    side: Mapped[str] = mapped_column(String(12))  # rules.PARTIES
    name: Mapped[str] = mapped_column(String(60))
    contact: Mapped[str] = mapped_column(String(60), default="")
    # The party's own account, when they have one: they may confirm signed in.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column()
    confirmed_way: Mapped[str] = mapped_column(String(12), default="")  # rules.WAYS
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))


class MediationSession(Base):
    __tablename__ = "mediation_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_cases.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    held: Mapped[bool] = mapped_column(Boolean, default=True)  # False: planned
    place: Mapped[str] = mapped_column(String(120))
    requester_present: Mapped[bool] = mapped_column(Boolean, default=False)
    other_present: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- reading -------------------------------------------------------------------------


def case_of(session: Session, request_id: int) -> MediationCase | None:
    return session.scalar(select(MediationCase).where(MediationCase.request_id == request_id))


def get_case(session: Session, case_id: int) -> MediationCase:
    found = session.get(MediationCase, case_id)
    if found is None:
        raise DomainError("mediation.not_found", N_("No such mediation case."), status=404)
    return found


def parties(session: Session, case_id: int) -> dict[str, MediationParty]:
    rows = session.scalars(select(MediationParty).where(MediationParty.case_id == case_id))
    return {p.side: p for p in rows}


def sessions_page(
    session: Session, case_id: int, *, page: int, per_page: int
) -> tuple[list[MediationSession], int, int]:
    """One page of a case's sessions, newest first (by the day held, then as
    recorded): the sessions, how many there are and the page number (a page past
    the end: the last). One statement however many sessions (paging.counted_page)."""
    of_case = MediationSession.case_id == case_id
    rows, total, page = counted_page(
        session,
        select(MediationSession)
        .where(of_case)
        .order_by(MediationSession.held_on.desc(), MediationSession.id.desc()),
        select(func.count(MediationSession.id)).where(of_case),
        page=page,
        per_page=per_page,
    )
    return [s for (s,) in rows], total, page


@dataclass(frozen=True)
class CaseView:
    """A case with its body, mediator and parties; its sessions are paged apart
    (:func:`sessions_page`), as only the office's case page lists them."""

    case: MediationCase
    body: HandlingUnit
    mediator: Account | None
    parties: dict[str, MediationParty]


def view(session: Session, case: MediationCase) -> CaseView:
    body = session.get(HandlingUnit, case.unit_id)
    assert body is not None
    mediator = session.get(Account, case.mediator_id) if case.mediator_id else None
    return CaseView(case, body, mediator, parties(session, case.id))


def bodies(session: Session) -> Sequence[HandlingUnit]:
    return session.scalars(
        select(HandlingUnit).where(HandlingUnit.kind == "mediation").order_by(HandlingUnit.name)
    ).all()


def bodies_near(session: Session, place: Area, also: int | None = None) -> list[HandlingUnit]:
    """The mediation bodies sitting in ``place`` or an area above it (a city has one
    in most streets and communities: not all of them), and the unit ``also``
    when it is one, by name: one statement."""
    above = [int(i) for i in place.path.strip("/").split("/") if i]
    return list(
        session.scalars(
            select(HandlingUnit)
            .where(
                HandlingUnit.kind == "mediation",
                or_(HandlingUnit.area_id.in_(above), HandlingUnit.id == (also or 0)),
            )
            .order_by(HandlingUnit.name)
        )
    )


def body(session: Session, body_id: int | None) -> HandlingUnit | None:
    """The mediation body with this id (None: no such body)."""
    found = session.get(HandlingUnit, body_id) if body_id else None
    return found if found is not None and found.kind == "mediation" else None


def mediators(session: Session, body: HandlingUnit) -> list[Account]:
    """The accounts of a mediation body: whoever handles requests where it sits
    (a grant there, above it or everywhere), filtered in SQL: a city's handling
    staff are thousands, a body's a few."""
    place = session.get(Area, body.area_id) if body.area_id else None
    handlers = [r.value for r in Role if Permission.HANDLE_REQUESTS in ROLE_PERMISSIONS[r]]
    where_granted: ColumnElement[bool] = RoleGrant.area_id.is_(None)
    if place is not None:
        where_granted = or_(where_granted, literal(place.path).startswith(Area.path))
    granted = (
        select(RoleGrant.account_id)
        .outerjoin(Area, Area.id == RoleGrant.area_id)
        .where(RoleGrant.role.in_(handlers), where_granted)
    )
    return list(
        session.scalars(
            select(Account)
            .where(Account.id.in_(granted), Account.is_active.is_(True))
            .order_by(Account.id)
        )
    )


def cases_of_bodies(session: Session, body_ids: Sequence[int]) -> Sequence[MediationCase]:
    return session.scalars(
        select(MediationCase)
        .where(MediationCase.unit_id.in_(body_ids))
        .order_by(MediationCase.id.desc())
    ).all()


def _office_cases(
    account_id: int, handle_paths: Sequence[str] | None
) -> Select[MediationCase, ResidentRequest, str]:
    """The cases of the mediation bodies the account acts for, as
    ``web.requests.acting.acts_for`` decides (the caller checks that they hold a
    handling role): a body with members, as one of them; one without, by a handling
    grant over its area (``handle_paths``; None: everywhere)."""
    member = exists().where(
        UnitMember.unit_id == HandlingUnit.id, UnitMember.account_id == account_id
    )
    staffed = exists().where(UnitMember.unit_id == HandlingUnit.id)
    within = (
        true()
        if handle_paths is None
        else or_(false(), *[Area.path.startswith(p) for p in handle_paths])
    )
    return (
        select(MediationCase, ResidentRequest, HandlingUnit.name)
        .join(HandlingUnit, HandlingUnit.id == MediationCase.unit_id)
        .join(ResidentRequest, ResidentRequest.id == MediationCase.request_id)
        .outerjoin(Area, Area.id == HandlingUnit.area_id)
        .where(HandlingUnit.kind == "mediation", or_(member, and_(~staffed, within)))
    )


#: Cases a page of the office's list of mediation cases.
CASES_PER_PAGE = 50

#: A case of the office's list, with its request and its body's name.
OfficeCase = tuple["MediationCase", ResidentRequest, str]


def office_cases(
    session: Session,
    account_id: int,
    handle_paths: Sequence[str] | None,
    *,
    after: int = 0,
    before: int = 0,
    per_page: int = CASES_PER_PAGE,
) -> KeysetPage[OfficeCase]:
    """The page of the cases of the bodies the account acts for, the newest first
    (by id), each with its request and body's name, that starts after (is older
    than) the case of id ``after``, or else ends before (is newer than) the case
    of id ``before``, or else the first page (participation.keyset).

    One statement of at most ``per_page`` + 1 rows however many cases the city
    has and however deep the page (two when reading back found nothing newer):
    no OFFSET, no count. A cursor needs no case of its id, only a place in the
    order; one past any id a row can have gives the first page.
    """

    def read(cursor: int | None, forward: bool, limit: int) -> list[OfficeCase]:
        query = _office_cases(account_id, handle_paths)
        if cursor is not None:
            query = query.where(*beyond((MediationCase.id,), (cursor,), ascending=not forward))
        order = MediationCase.id.desc() if forward else MediationCase.id.asc()
        return [(c, r, str(n)) for c, r, n in session.execute(query.order_by(order).limit(limit))]

    cursor, forward = from_link(after, before)
    return keyset_page(
        read, lambda row: row[0].id, cursor=cursor, forward=forward, per_page=per_page
    )


def cases_of_party(session: Session, account_id: int) -> Sequence[MediationCase]:
    return session.scalars(
        select(MediationCase)
        .join(MediationParty, MediationParty.case_id == MediationCase.id)
        .where(MediationParty.account_id == account_id)
        .order_by(MediationCase.id.desc())
    ).all()


# --- acting --------------------------------------------------------------------------


def _require(
    case: MediationCase | None, act: Act, who: frozenset[Who], actor_id: int | None = None
) -> None:
    """Refuse ``act`` unless it may happen now by ``who``; whether the actor is the
    case's mediator is decided here, from the case, never taken from the caller."""
    who = who - {Who.MEDIATOR}
    if case is not None and actor_id is not None and case.mediator_id == actor_id:
        who = who | {Who.MEDIATOR}
    problem = rules.refusal(act, case.status if case else "", who)
    if problem:
        status = 403 if problem == rules.NOT_ALLOWED else 409
        raise DomainError(f"mediation.{act.value}", problem, status=status)


def _open_request(request: ResidentRequest) -> None:
    if request.status not in OPEN_STATUSES:
        raise DomainError(
            "mediation.request_closed", N_("This request is no longer open."), status=409
        )


def _text(value: str, field: str, empty: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError("mediation.form", empty, fields={field: empty})
    if len(text) > limit:
        message = N_("This text is too long.")
        raise DomainError("mediation.form", message, fields={field: message})
    return text


def _account_by_phone(session: Session, contact: str) -> int | None:
    digits = contact.strip()
    if not (digits.isascii() and digits.isdigit() and len(digits) == 11):
        return None
    return session.scalar(select(Account.id).where(Account.phone == digits))


@dataclass(frozen=True)
class NewCase:
    requester_name: str
    requester_contact: str
    other_name: str
    other_contact: str
    reason: str = ""  # why staff class it as a dispute (outside the dispute categories)
    mediator_id: int | None = None


@records.guarded
def open_case(
    session: Session,
    request: ResidentRequest,
    body: HandlingUnit,
    new: NewCase,
    now: datetime,
    actor_id: int,
    who: frozenset[Who],
) -> MediationCase:
    """Class the request as a dispute and give it to ``body``: the request is with the
    body, being handled, from now on."""
    _require(case_of(session, request.id), Act.OPEN, who)
    _open_request(request)
    problems: dict[str, str] = {}
    if body.kind != "mediation":
        problems["body"] = N_("Choose a mediation body.")
    requester_name = (new.requester_name or request.requester_name).strip()
    for field, value, limit in (
        ("requester_name", requester_name, 60),
        ("other_name", new.other_name.strip(), 60),
        ("requester_contact", new.requester_contact.strip(), 60),
        ("other_contact", new.other_contact.strip(), 60),
    ):
        if field.endswith("name") and not value:
            problems[field] = N_("Give the party's name.")
        elif len(value) > limit:
            problems[field] = N_("This text is too long.")
    reason = new.reason.strip()
    if rules.needs_classing(request.category) and not reason:
        problems["reason"] = N_("Say why this request is a dispute.")
    elif len(reason) > 1000:
        problems["reason"] = N_("This text is too long.")
    if new.mediator_id is not None and new.mediator_id not in {
        a.id for a in mediators(session, body)
    }:
        problems["mediator_id"] = N_("Choose a mediator of this mediation body.")
    if problems:
        raise DomainError(
            "mediation.form", N_("Please correct the marked fields."), fields=problems
        )
    case = MediationCase(
        request_id=request.id,
        unit_id=body.id,
        mediator_id=new.mediator_id,
        status="open",
        classed_reason=reason,
        opened_at=now,
        opened_by=actor_id,
    )
    session.add(case)
    session.flush()
    session.add_all(
        [
            MediationParty(
                case_id=case.id,
                side="requester",
                name=requester_name,
                contact=(new.requester_contact or request.requester_phone).strip(),
                account_id=request.requester_id,
            ),
            MediationParty(
                case_id=case.id,
                side="other",
                name=new.other_name.strip(),
                contact=new.other_contact.strip(),
                account_id=_account_by_phone(session, new.other_contact),
            ),
        ]
    )
    if request.unit_id != body.id:
        request.unit_id = body.id
        request.routed_at = now
    request.status = "accepted"
    request.accepted_at = request.accepted_at or now
    # The reason for classing may name people: it stays in the case, not the timeline.
    records.step(session, request, "med_opened", now, actor_id=actor_id, unit_id=body.id)
    if new.mediator_id is not None:
        records.step(session, request, "med_mediator", now, unit_id=body.id)
    records.tell_requester(
        session, request, N_("Your request %(number)s is now a mediation case."), now
    )
    audit.record(
        session, actor_id=actor_id, action="mediation.opened", target=f"request:{request.id}"
    )
    records.save(session)
    return case


def _request_of(session: Session, case: MediationCase) -> ResidentRequest:
    return records.get_request(session, case.request_id)


@records.guarded
def assign(
    session: Session,
    case: MediationCase,
    mediator_id: int | None,
    now: datetime,
    actor_id: int,
    who: frozenset[Who],
) -> None:
    _require(case, Act.ASSIGN, who, actor_id)
    body = session.get(HandlingUnit, case.unit_id)
    assert body is not None
    if mediator_id is None or mediator_id not in {a.id for a in mediators(session, body)}:
        message = N_("Choose a mediator of this mediation body.")
        raise DomainError("mediation.form", message, fields={"mediator_id": message})
    case.mediator_id = mediator_id
    request = _request_of(session, case)
    records.step(session, request, "med_mediator", now, actor_id=actor_id, unit_id=body.id)
    records.save(session)


@dataclass(frozen=True)
class NewSession:
    held_on: date | None
    held: bool
    place: str
    requester_present: bool
    other_present: bool
    notes: str


@records.guarded
def add_session(
    session: Session,
    case: MediationCase,
    new: NewSession,
    now: datetime,
    actor_id: int,
    who: frozenset[Who],
) -> MediationSession:
    """A session held (date, place, who came, notes) or planned."""
    _require(case, Act.SESSION, who, actor_id)
    problems: dict[str, str] = {}
    if new.held_on is None:
        problems["held_on"] = N_("Give the date.")
    else:
        wrong = rules.session_problem(new.held, new.held_on, local_day(now))
        if wrong:
            problems["held_on"] = wrong
    place = new.place.strip()
    if not place:
        problems["place"] = N_("Give the place.")
    elif len(place) > 120:
        problems["place"] = N_("This text is too long.")
    if len(new.notes) > 5000:
        problems["notes"] = N_("This text is too long.")
    if problems:
        raise DomainError(
            "mediation.form", N_("Please correct the marked fields."), fields=problems
        )
    assert new.held_on is not None
    added = MediationSession(
        case_id=case.id,
        held_on=new.held_on,
        held=new.held,
        place=place,
        requester_present=new.requester_present if new.held else False,
        other_present=new.other_present if new.held else False,
        notes=new.notes.strip(),
        recorded_by=actor_id,
        recorded_at=now,
    )
    session.add(added)
    request = _request_of(session, case)
    records.step(
        session,
        request,
        "med_held" if new.held else "med_planned",
        now,
        actor_id=actor_id,
        unit_id=case.unit_id,
        note=new.held_on.isoformat(),
    )
    records.save(session)
    return added


@records.guarded
def record_agreement(
    session: Session,
    case: MediationCase,
    text: str,
    now: datetime,
    actor_id: int,
    who: frozenset[Who],
) -> None:
    """The agreement the parties reached; it waits for both to confirm it."""
    _require(case, Act.AGREE, who, actor_id)
    request = _request_of(session, case)
    _open_request(request)
    case.agreement = _text(text, "agreement", N_("Write the agreement's text."), 10_000)
    case.agreed_at = now
    case.status = "agreement"
    records.step(session, request, "med_agreed", now, actor_id=actor_id, unit_id=case.unit_id)
    records.tell_requester(
        session,
        request,
        N_("The mediation agreement for %(number)s is ready: please confirm it."),
        now,
    )
    records.save(session)


def _confirm(
    session: Session,
    case: MediationCase,
    party: MediationParty,
    way: str,
    now: datetime,
    actor_id: int,
) -> bool:
    if party.confirmed_at is not None:
        raise DomainError(
            "mediation.confirmed_twice",
            N_("This party has already confirmed the agreement."),
            status=409,
        )
    party.confirmed_at = now
    party.confirmed_way = way
    party.confirmed_by = actor_id
    # Every confirmation changes the case row: of two at once, its version refuses one.
    case.confirmations += 1
    request = _request_of(session, case)
    records.step(session, request, f"med_ok_{party.side}", now, unit_id=case.unit_id)
    everyone = parties(session, case.id)
    done = rules.settled_by({side: p.confirmed_at is not None for side, p in everyone.items()})
    if done:
        case.status = "settled"
        case.closed_at = now
        records.close(request, "mediated", now)
        records.step(session, request, "med_settled", now, unit_id=case.unit_id)
        records.tell_requester(
            session,
            request,
            N_("Both parties confirmed the agreement: request %(number)s is closed."),
            now,
        )
        audit.record(
            session, actor_id=actor_id, action="mediation.settled", target=f"request:{request.id}"
        )
    records.save(session)
    return done


@records.guarded
def confirm_online(
    session: Session, case: MediationCase, side: str, now: datetime, account_id: int
) -> bool:
    """A party confirms the agreement signed in, for themself only. True: settled."""
    everyone = parties(session, case.id)
    party = everyone.get(side)
    mine = party is not None and party.account_id == account_id
    if not mine:
        raise DomainError(
            "mediation.not_yours",
            N_("You can only confirm the agreement for yourself."),
            status=403,
        )
    _require(case, Act.CONFIRM_ONLINE, frozenset({Who.PARTY}))
    assert party is not None
    return _confirm(session, case, party, "online", now, account_id)


@records.guarded
def confirm_at_desk(
    session: Session,
    case: MediationCase,
    side: str,
    way: str,
    now: datetime,
    actor_id: int,
    who: frozenset[Who],
) -> bool:
    """The mediator records a party's confirmation at the desk, and how it was given."""
    _require(case, Act.CONFIRM_DESK, who, actor_id)
    problems: dict[str, str] = {}
    party = parties(session, case.id).get(side)
    if party is None:
        problems["side"] = N_("Choose one.")
    if way not in rules.DESK_WAYS:
        problems["way"] = N_("Choose how the party confirmed.")
    if problems:
        raise DomainError(
            "mediation.form", N_("Please correct the marked fields."), fields=problems
        )
    assert party is not None
    return _confirm(session, case, party, way, now, actor_id)


@records.guarded
def refer(
    session: Session,
    case: MediationCase,
    to: str,
    reason: str,
    now: datetime,
    actor_id: int,
    who: frozenset[Who],
) -> None:
    """Mediation ends without agreement: the matter goes to the court's pre-litigation
    mediation, legal aid or 信访, with a reason; the request closes."""
    _require(case, Act.REFER, who, actor_id)
    request = _request_of(session, case)
    _open_request(request)
    if to not in rules.REFERRALS:
        message = N_("Choose where the matter is referred.")
        raise DomainError("mediation.form", message, fields={"referral": message})
    case.referral_reason = _text(reason, "reason", N_("Give a reason."), 2000)
    case.referral = to
    case.status = "referred"
    case.closed_at = now
    records.close(request, "referred", now)
    records.step(session, request, f"med_to_{to}", now, actor_id=actor_id, unit_id=case.unit_id)
    records.tell_requester(
        session, request, N_("Your request %(number)s is referred after mediation."), now
    )
    audit.record(
        session, actor_id=actor_id, action="mediation.referred", target=f"request:{request.id}"
    )
    records.save(session)
