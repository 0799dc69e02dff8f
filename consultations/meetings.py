"""Announcing a consultation and recording its meeting: participants, sign-in
attendance with a quorum, speakers, summary, minutes signed by recorder and host."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultations.messages import check_text
from consultations.models import Attendance, Consultation, Participant, Speaker, Topic
from consultations.representatives import representatives_counted, representatives_of
from consultations.rules.journey import POST_MAX, TITLE_MAX, quorum_met, quorum_needed
from consultations.topics import community_rules
from participation import audit
from participation.accounts import Account
from participation.areas import Area
from participation.errors import N_, DomainError
from participation.notifying import audiences, kinds
from participation.notifying.fanout import fan_out
from participation.paging import newest_page

PARTICIPANT_KINDS = ("representative", "resident", "department", "organization")
PARTICIPANT_LABELS = {
    "representative": N_("Representative"),
    "resident": N_("Affected resident"),
    "department": N_("Department"),
    "organization": N_("Organization"),
}


@dataclass(frozen=True)
class Announcement:
    title: str
    agenda: str
    materials: str
    place: str
    online_link: str
    meets_at: datetime
    deliberation_opens_at: datetime
    deliberation_closes_at: datetime
    participants: Sequence[tuple[str, str]] = ()  # (kind, name)


def get_consultation(session: Session, consultation_id: int) -> Consultation:
    found = session.get(Consultation, consultation_id)
    if found is None:
        raise DomainError("consultation.not_found", N_("No such consultation."), status=404)
    return found


def page_of_consultations(
    session: Session, *, page: int = 1, per_page: int = 50
) -> tuple[list[Consultation], int, int]:
    """One page of the consultations, newest first (the back office's list), how many there
    are and the page number (past the end, the last). One statement."""
    rows, total, page = newest_page(
        session, Consultation, Consultation.id, page=page, per_page=per_page
    )
    return list(rows), total, page


def consultations_of_topic(session: Session, topic_id: int) -> Sequence[Consultation]:
    """The consultations a topic led to (usually one), in the order announced."""
    return session.scalars(
        select(Consultation).where(Consultation.topic_id == topic_id).order_by(Consultation.id)
    ).all()


def officer_names(session: Session, consultation: Consultation) -> dict[int, str]:
    """Display names of the meeting's recorder and host, by account id."""
    ids = [x for x in (consultation.recorder_id, consultation.host_id) if x]
    if not ids:
        return {}
    rows = session.execute(select(Account.id, Account.display_name).where(Account.id.in_(ids)))
    return {account_id: name for account_id, name in rows}


def announce(
    session: Session, topic: Topic, new: Announcement, actor_id: int, now: datetime
) -> Consultation:
    """Announce a consultation on an accepted topic, at least the community's
    ``announce_days`` (three by default) before the meeting: the notice period."""
    rules = community_rules(session, topic.area_id)
    fields: dict[str, str] = {}
    for name, text, maximum in (("title", new.title, TITLE_MAX), ("agenda", new.agenda, POST_MAX)):
        try:
            check_text(name, text, maximum)
        except DomainError as error:
            fields |= error.fields
    if len(new.materials) > POST_MAX:
        fields["materials"] = N_("This is too long (at most 2,000 characters).")
    if not new.place.strip() and not new.online_link.strip():
        fields["place"] = N_("Give a place or an online link.")
    if new.online_link.strip() and not new.online_link.strip().startswith(("https://", "http://")):
        fields["online_link"] = N_("The online link must start with https://")
    if new.meets_at < now + timedelta(days=rules.announce_days):
        fields["meets_at"] = N_("The meeting is too soon for the community's notice period.")
    if new.deliberation_closes_at <= new.deliberation_opens_at:
        fields["deliberation_closes_at"] = N_("Online deliberation must close after it opens.")
    if any(kind not in PARTICIPANT_KINDS or not name.strip() for kind, name in new.participants):
        fields["participants"] = N_("Choose how each participant takes part, and give a name.")
    if topic.status != "accepted":
        fields["topic_id"] = N_("Only accepted topics can be consulted on.")
    if fields:
        raise DomainError(
            "consultation.invalid", N_("Please correct the marked fields."), fields=fields
        )
    row = Consultation(
        topic_id=topic.id,
        area_id=topic.area_id,
        title=new.title.strip(),
        agenda=new.agenda.strip(),
        materials=new.materials.strip(),
        place=new.place.strip(),
        online_link=new.online_link.strip(),
        meets_at=new.meets_at,
        announced_at=now,
        deliberation_opens_at=new.deliberation_opens_at,
        deliberation_closes_at=new.deliberation_closes_at,
        quorum_numerator=rules.quorum_numerator,
        quorum_denominator=rules.quorum_denominator,
        created_by=actor_id,
    )
    session.add(row)
    session.flush()
    names = [("representative", n) for _, n in representatives_of(session, topic.area_id)]
    for kind, name in [*names, *new.participants]:
        session.add(Participant(consultation_id=row.id, kind=kind, name=name.strip()[:100]))
    audit.record(
        session, actor_id=actor_id, action="consultation.announce", target=f"consultation:{row.id}"
    )
    session.flush()
    area = session.get(Area, topic.area_id)
    assert area is not None
    fan_out(
        session,
        event=f"consultation.announced:{row.id}",
        kind="consultation.announced",
        message=kinds.CONSULTATION_ANNOUNCED,
        recipients=audiences.verified_residents(area.path),
        now=now,
        link=f"/consultations/{row.id}",
        params={"title": row.title},
    )
    return row


_PARTICIPANTS = (
    select(Participant)
    .where(Participant.consultation_id == bindparam("consultation_id"))
    .order_by(Participant.id)
)


def participants(session: Session, consultation_id: int) -> Sequence[Participant]:
    """The consultation's participants, by a statement built once, at import."""
    return session.scalars(_PARTICIPANTS, {"consultation_id": consultation_id}).all()


@dataclass(frozen=True)
class Quorum:
    present: int
    roster: int
    needed: int
    met: bool


def quorum(session: Session, consultation: Consultation) -> Quorum:
    """The roster (the community's representatives, as :func:`representatives_of`
    lists them) and the attendance, counted in one statement."""
    on_roster = representatives_counted(consultation.area_id).scalar_subquery()
    attending = (
        select(func.count()).where(Attendance.consultation_id == consultation.id).scalar_subquery()
    )
    roster, present = (int(n or 0) for n in session.execute(select(on_roster, attending)).one())
    n, d = consultation.quorum_numerator, consultation.quorum_denominator
    return Quorum(present, roster, quorum_needed(roster, n, d), quorum_met(present, roster, n, d))


def sign_in(
    session: Session, consultation: Consultation, account_id: int, actor_id: int, now: datetime
) -> None:
    """Record a representative's attendance (once)."""
    if account_id not in {i for i, _ in representatives_of(session, consultation.area_id)}:
        raise DomainError(
            "consultation.not_representative",
            N_("Only the community's representatives sign in for the quorum."),
        )
    if now < consultation.meets_at - timedelta(hours=12):
        raise DomainError("consultation.too_early", N_("Sign-in opens on the day of the meeting."))
    try:
        with session.begin_nested():
            session.add(
                Attendance(
                    consultation_id=consultation.id,
                    account_id=account_id,
                    signed_in_at=now,
                    recorded_by=actor_id,
                )
            )
            session.flush()
    except IntegrityError:
        raise DomainError(
            "consultation.already_signed_in",
            N_("This representative has already signed in."),
            status=409,
        ) from None


def attendees(session: Session, consultation_id: int) -> set[int]:
    return set(
        session.scalars(
            select(Attendance.account_id).where(Attendance.consultation_id == consultation_id)
        )
    )


def record_meeting(
    session: Session,
    consultation: Consultation,
    *,
    summary: str,
    minutes: str,
    speakers: Sequence[tuple[str, str]],
    recorder_id: int,
    host_id: int,
    now: datetime,
) -> None:
    """Record summary, minutes and speakers; any change voids earlier sign-offs."""
    if now < consultation.meets_at:
        raise DomainError("consultation.not_held", N_("The meeting has not taken place yet."))
    if consultation.recorder_signed_at and consultation.host_signed_at:
        raise DomainError("consultation.minutes_signed", N_("The minutes are signed and final."))
    summary = check_text("summary", summary, POST_MAX)
    minutes = check_text("minutes", minutes, 20_000)
    if recorder_id == host_id:
        raise DomainError(
            "consultation.same_signers",
            N_("The recorder and the host must be two different people."),
            fields={"host_id": N_("The recorder and the host must be two different people.")},
        )
    consultation.summary, consultation.minutes = summary, minutes
    consultation.recorder_id, consultation.host_id = recorder_id, host_id
    consultation.recorder_signed_at = consultation.host_signed_at = None
    for old in session.scalars(select(Speaker).where(Speaker.consultation_id == consultation.id)):
        session.delete(old)
    for name, said in speakers:
        session.add(
            Speaker(consultation_id=consultation.id, name=name.strip()[:60], summary=said.strip())
        )
    session.flush()


def speakers(session: Session, consultation_id: int) -> Sequence[Speaker]:
    return session.scalars(
        select(Speaker).where(Speaker.consultation_id == consultation_id).order_by(Speaker.id)
    ).all()


def sign_minutes(
    session: Session, consultation: Consultation, account_id: int, now: datetime
) -> str:
    """The recorder or the host signs the minutes off; returns which of them signed."""
    if not consultation.minutes:
        raise DomainError("consultation.no_minutes", N_("There are no minutes to sign yet."))
    if account_id == consultation.recorder_id and consultation.recorder_signed_at is None:
        consultation.recorder_signed_at = now
        return "recorder"
    if account_id == consultation.host_id and consultation.host_signed_at is None:
        consultation.host_signed_at = now
        return "host"
    raise DomainError(
        "consultation.not_signer",
        N_("Only the recorder and the host sign the minutes, once each."),
        status=403,
    )


def minutes_signed(consultation: Consultation) -> bool:
    return consultation.recorder_signed_at is not None and consultation.host_signed_at is not None
