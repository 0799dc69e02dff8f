"""Deliberation representatives (议事代表): sign-up, candidate notice, election, roster,
mid-term replacement.

Seated representatives hold the REPRESENTATIVE role on their community, which is
what the ballot engine's representatives roll and the meeting quorum count.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultations.messages import check_text
from consultations.models import Candidacy, RepresentativeTerm, RosterEntry
from consultations.rules.journey import POST_MAX, REASON_MAX, TITLE_MAX
from participation import audit
from participation.accounts import Account, RoleGrant, grant_role
from participation.areas import Area
from participation.ballots.boxes import NewBox, NewItem, create_box, get_box
from participation.ballots.casting import voter_facts
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from participation.errors import N_, DomainError
from participation.paging import newest_page
from participation.rules.areas import is_within
from participation.rules.permissions import Role

TERM_STATUS_LABELS = {
    "signup": N_("Candidate sign-up"),
    "notice": N_("Candidates on public notice"),
    "election": N_("Election"),
    "seated": N_("Representatives seated"),
}


def get_term(session: Session, term_id: int) -> RepresentativeTerm:
    term = session.get(RepresentativeTerm, term_id)
    if term is None:
        raise DomainError("term.not_found", N_("No such term."), status=404)
    return term


def open_term(
    session: Session, *, area: Area, title: str, seats: int, starts_on: date, ends_on: date
) -> RepresentativeTerm:
    fields: dict[str, str] = {}
    try:
        check_text("title", title, TITLE_MAX)
    except DomainError as error:
        fields |= error.fields
    if area.kind != "community":
        fields["area_id"] = N_("Representatives are elected by a community.")
    if not 1 <= seats <= 99:
        fields["seats"] = N_("Enter between 1 and 99 seats.")
    if ends_on <= starts_on:
        fields["ends_on"] = N_("The term must end after it starts.")
    if fields:
        raise DomainError("term.invalid", N_("Please correct the marked fields."), fields=fields)
    term = RepresentativeTerm(
        area_id=area.id, title=title.strip(), seats=seats, starts_on=starts_on, ends_on=ends_on
    )
    session.add(term)
    session.flush()
    return term


def sign_up_candidate(
    session: Session, term: RepresentativeTerm, account: Account, statement: str
) -> Candidacy:
    """A verified resident of the community stands for election (once per term)."""
    if term.status != "signup":
        raise DomainError("term.signup_closed", N_("Candidate sign-up has closed."))
    statement = check_text("statement", statement, POST_MAX)
    area = session.get(Area, term.area_id)
    assert area is not None
    facts = voter_facts(session, account.id, Roll.RESIDENTS)
    if facts.community_path is None or not is_within(facts.community_path, area.path):
        raise DomainError(
            "term.not_resident",
            N_("Only verified residents of this community can stand."),
            status=403,
        )
    try:
        with session.begin_nested():
            row = Candidacy(
                term_id=term.id,
                account_id=account.id,
                public_name=account.display_name,
                statement=statement,
            )
            session.add(row)
            session.flush()
    except IntegrityError:
        raise DomainError(
            "term.already_candidate", N_("You are already a candidate."), status=409
        ) from None
    return row


def candidates(session: Session, term_id: int) -> Sequence[Candidacy]:
    return session.scalars(
        select(Candidacy).where(Candidacy.term_id == term_id).order_by(Candidacy.id)
    ).all()


def publish_candidates(
    session: Session, term: RepresentativeTerm, notice_until: datetime, now: datetime
) -> None:
    """Close sign-up and put the candidates on public notice until ``notice_until``."""
    if term.status != "signup":
        raise DomainError("term.wrong_stage", N_("This step has already been taken."))
    if len(candidates(session, term.id)) < term.seats:
        raise DomainError(
            "term.too_few", N_("There are fewer candidates than seats; keep sign-up open.")
        )
    if notice_until <= now:
        raise DomainError("term.notice_past", N_("The notice must end in the future."))
    term.status, term.notice_until = "notice", notice_until


def start_election(
    session: Session,
    term: RepresentativeTerm,
    opens_at: datetime,
    closes_at: datetime,
    actor_id: int | None,
) -> int:
    """Create the election box (residents choose up to ``seats`` candidates)."""
    if term.status != "notice" or term.notice_until is None:
        raise DomainError("term.wrong_stage", N_("Publish the candidates first."))
    if opens_at < term.notice_until:
        raise DomainError(
            "term.notice_running", N_("Voting can open only after the candidate notice ends.")
        )
    area = session.get(Area, term.area_id)
    assert area is not None
    people = candidates(session, term.id)
    box = create_box(
        session,
        NewBox(
            title=f"{term.title}选举",
            area=area,
            roll=Roll.RESIDENTS,
            opens_at=opens_at,
            closes_at=closes_at,
            form=BallotForm(FormKind.CHOOSE, min_choices=1, max_choices=term.seats),
            rule={"rule": "approval", "places": term.seats},
            items=[NewItem(c.public_name, description=c.statement, key=f"c{c.id}") for c in people],
        ),
        actor_id,
    )
    term.status, term.box_id = "election", box.id
    return box.id


def seat_elected(session: Session, term: RepresentativeTerm, actor_id: int | None) -> int:
    """Seat the winners of the published election; returns how many were seated."""
    if term.status != "election" or term.box_id is None:
        raise DomainError("term.wrong_stage", N_("There is no election to take results from."))
    box = get_box(session, term.box_id)
    tally = box.tally
    if tally is None:
        raise DomainError("term.unpublished", N_("Publish the election results first."))
    selected = set(tally["selected"])
    area = session.get(Area, term.area_id)
    seated = 0
    for candidacy in candidates(session, term.id):
        if f"c{candidacy.id}" in selected:
            _seat(session, term, candidacy.account_id, candidacy.public_name, area, actor_id)
            seated += 1
    term.status = "seated"
    audit.record(
        session, actor_id=actor_id, action="term.seat", target=f"term:{term.id}", seated=seated
    )
    return seated


def _seat(
    session: Session,
    term: RepresentativeTerm,
    account_id: int,
    name: str,
    area: Area | None,
    actor_id: int | None,
    replaces: int | None = None,
) -> RosterEntry:
    entry = RosterEntry(
        term_id=term.id, account_id=account_id, public_name=name, replaces_id=replaces
    )
    session.add(entry)
    account = session.get(Account, account_id)
    assert account is not None
    granter = session.get(Account, actor_id) if actor_id else None
    grant_role(session, account, Role.REPRESENTATIVE, area, granter)
    session.flush()
    return entry


def roster(session: Session, term_id: int, *, include_past: bool = False) -> Sequence[RosterEntry]:
    query = select(RosterEntry).where(RosterEntry.term_id == term_id).order_by(RosterEntry.id)
    if not include_past:
        query = query.where(RosterEntry.left_at.is_(None))
    return session.scalars(query).all()


def replace_representative(
    session: Session,
    term: RepresentativeTerm,
    entry_id: int,
    successor: Account,
    reason: str,
    actor_id: int,
    now: datetime,
) -> RosterEntry:
    """End a seat mid-term with a recorded reason and seat the successor."""
    reason = check_text("reason", reason, REASON_MAX)
    entry = session.get(RosterEntry, entry_id)
    if entry is None or entry.term_id != term.id or entry.left_at is not None:
        raise DomainError("term.no_seat", N_("This person does not hold a seat."), status=404)
    if any(e.account_id == successor.id for e in roster(session, term.id)):
        raise DomainError("term.already_seated", N_("The successor already holds a seat."))
    entry.left_at, entry.left_reason = now, reason
    area = session.get(Area, term.area_id)
    assert area is not None
    grant = session.scalar(
        select(RoleGrant).where(
            RoleGrant.account_id == entry.account_id,
            RoleGrant.role == Role.REPRESENTATIVE.value,
            RoleGrant.area_id == area.id,
        )
    )
    if grant is not None:
        session.delete(grant)
    new = _seat(session, term, successor.id, successor.display_name, area, actor_id, entry.id)
    audit.record(
        session,
        actor_id=actor_id,
        action="term.replace",
        target=f"term:{term.id}",
        left=entry.account_id,
        successor=successor.id,
        why=reason,
    )
    return new


def representatives_counted(area_id: int) -> Select[int]:
    """The statement counting the rows :func:`representatives_of` lists."""
    return (
        select(func.count())
        .select_from(Account)
        .join(RoleGrant, RoleGrant.account_id == Account.id)
        .where(RoleGrant.role == Role.REPRESENTATIVE.value, RoleGrant.area_id == area_id)
    )


def representatives_of(session: Session, area_id: int) -> Sequence[tuple[int, str]]:
    """Accounts holding the REPRESENTATIVE role on the community: (id, display name)."""
    rows = session.execute(
        select(Account.id, Account.display_name)
        .join(RoleGrant, RoleGrant.account_id == Account.id)
        .where(RoleGrant.role == Role.REPRESENTATIVE.value, RoleGrant.area_id == area_id)
        .order_by(Account.id)
    ).all()
    return [(i, n) for i, n in rows]


def terms_in(session: Session, area_id: int | None = None) -> Sequence[RepresentativeTerm]:
    query = select(RepresentativeTerm).order_by(RepresentativeTerm.id.desc())
    if area_id is not None:
        query = query.where(RepresentativeTerm.area_id == area_id)
    return session.scalars(query).all()


def page_of_terms(
    session: Session, *, page: int = 1, per_page: int = 50
) -> tuple[list[RepresentativeTerm], int, int]:
    """One page of the representative terms, newest first: the terms, how many there
    are and the page number (past the end, the last). One statement."""
    rows, total, page = newest_page(
        session, RepresentativeTerm, RepresentativeTerm.id, page=page, per_page=per_page
    )
    return list(rows), total, page
