"""Topic intake (议题征集): propose, co-sign (联名), triage (accept, merge, decline)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultations.messages import check_text
from consultations.models import CommunityRules, Cosignature, Topic
from consultations.rules.journey import POST_MAX, REASON_MAX, TITLE_MAX, reaches_threshold
from participation import audit
from participation.areas import Area
from participation.ballots.casting import voter_facts
from participation.ballots.rules.eligibility import Roll
from participation.db import utcnow
from participation.errors import N_, DomainError
from participation.notifying import kinds
from participation.notifying.fanout import fan_out
from participation.paging import counted_page
from participation.rules.areas import is_within


class Source(StrEnum):
    RESIDENT = "resident"
    ORGANIZATION = "organization"
    GRID_WORKER = "grid_worker"
    COMMUNITY_WORKER = "community_worker"


SOURCE_LABELS = {
    Source.RESIDENT: N_("Resident"),
    Source.ORGANIZATION: N_("Organization"),
    Source.GRID_WORKER: N_("Grid worker"),
    Source.COMMUNITY_WORKER: N_("Community worker"),
}
TOPIC_STATUS_LABELS = {
    "collecting": N_("Collecting co-signatures"),
    "triage": N_("Awaiting triage"),
    "accepted": N_("Accepted"),
    "merged": N_("Merged"),
    "declined": N_("Declined"),
}


def community_rules(session: Session, area_id: int) -> CommunityRules:
    """The community's settings, or the defaults (not stored) when it has none."""
    found = session.get(CommunityRules, area_id)
    return found or CommunityRules(
        area_id=area_id,
        cosign_threshold=10,
        quorum_numerator=2,
        quorum_denominator=3,
        notice_days=7,
        announce_days=3,
    )


def set_community_rules(
    session: Session,
    area: Area,
    *,
    cosign_threshold: int,
    quorum_numerator: int,
    quorum_denominator: int,
    notice_days: int,
    announce_days: int,
) -> CommunityRules:
    """Store a community's settings. Topics keep the threshold they were proposed
    under and consultations the quorum they were announced with."""
    fields: dict[str, str] = {}
    if area.kind != "community":
        fields["area_id"] = N_("Choose a community.")
    if not 1 <= cosign_threshold <= 10_000:
        fields["cosign_threshold"] = N_("Enter a threshold between 1 and 10,000.")
    if not 0 < quorum_numerator <= quorum_denominator <= 100:
        fields["quorum_numerator"] = N_("The quorum is a fraction between 0 and 1, such as 2/3.")
    if not 1 <= notice_days <= 60:
        fields["notice_days"] = N_("Enter between 1 and 60 days.")
    if not 0 <= announce_days <= 60:
        fields["announce_days"] = N_("Enter between 0 and 60 days.")
    if fields:
        raise DomainError("rules.invalid", N_("Please correct the marked fields."), fields=fields)
    row = session.get(CommunityRules, area.id)
    if row is None:
        row = CommunityRules(area_id=area.id)
        session.add(row)
    row.cosign_threshold, row.notice_days, row.announce_days = (
        cosign_threshold,
        notice_days,
        announce_days,
    )
    row.quorum_numerator, row.quorum_denominator = quorum_numerator, quorum_denominator
    session.flush()
    return row


def all_community_rules(session: Session) -> Sequence[CommunityRules]:
    """Every community's own settings (communities without any use the defaults)."""
    return session.scalars(select(CommunityRules).order_by(CommunityRules.area_id)).all()


def get_topic(session: Session, topic_id: int) -> Topic:
    topic = session.get(Topic, topic_id)
    if topic is None:
        raise DomainError("topic.not_found", N_("No such topic."), status=404)
    return topic


def topic_with_cosigners(session: Session, topic_id: int) -> tuple[Topic, int]:
    """The topic and its number of co-signatures, in one statement."""
    count = select(func.count()).where(Cosignature.topic_id == topic_id).scalar_subquery()
    row = session.execute(select(Topic, count).where(Topic.id == topic_id)).first()
    if row is None:
        raise DomainError("topic.not_found", N_("No such topic."), status=404)
    return row[0], int(row[1] or 0)


def cosigners(session: Session, topic_id: int) -> int:
    return int(session.scalar(select(func.count()).where(Cosignature.topic_id == topic_id)) or 0)


def propose_topic(
    session: Session,
    *,
    area: Area,
    title: str,
    body: str,
    source: str,
    proposer_id: int,
    public_name: str = "",
) -> Topic:
    """A new topic, signed by its proposer. Only communities collect topics."""
    fields: dict[str, str] = {}
    for name, text, maximum, minimum in (
        ("title", title, TITLE_MAX, 1),
        ("body", body, POST_MAX, 0),
    ):
        try:
            check_text(name, text, maximum, minimum)
        except DomainError as error:
            fields |= error.fields
    if source not in set(Source):
        fields["source"] = N_("Choose who proposes the topic.")
    if area.kind != "community":
        fields["area_id"] = N_("Topics are proposed to a community.")
    if len(public_name.strip()) > 60:
        fields["public_name"] = N_("Enter a name of at most 60 characters.")
    if fields:
        raise DomainError("topic.invalid", N_("Please correct the marked fields."), fields=fields)
    topic = Topic(
        area_id=area.id,
        title=title.strip(),
        body=body.strip(),
        source=source,
        proposer_id=proposer_id,
        proposer_public_name=public_name.strip(),
        threshold=community_rules(session, area.id).cosign_threshold,
    )
    session.add(topic)
    session.flush()
    session.add(Cosignature(topic_id=topic.id, account_id=proposer_id))
    session.flush()
    _maybe_to_triage(session, topic, topic.created_at or utcnow())
    return topic


def cosign(session: Session, topic: Topic, account_id: int, now: datetime) -> int:
    """Add a verified resident's co-signature; returns the new count.

    Invariant: one co-signature per person and topic, also under concurrent
    requests (a unique key decides); a refused co-signature stores nothing.
    """
    if topic.status not in ("collecting", "triage"):  # support still counts before triage ends
        raise DomainError("topic.closed", N_("This topic no longer collects co-signatures."))
    area = session.get(Area, topic.area_id)
    assert area is not None
    facts = voter_facts(session, account_id, Roll.RESIDENTS)
    if facts.community_path is None or not is_within(facts.community_path, area.path):
        raise DomainError(
            "topic.not_resident",
            N_("Only verified residents of this community can co-sign."),
            status=403,
        )
    try:
        with session.begin_nested():
            session.add(Cosignature(topic_id=topic.id, account_id=account_id, signed_at=now))
            session.flush()
    except IntegrityError:
        raise DomainError(
            "topic.already_signed", N_("You have already co-signed this topic."), status=409
        ) from None
    _maybe_to_triage(session, topic, now)
    return cosigners(session, topic.id)


def _maybe_to_triage(session: Session, topic: Topic, now: datetime) -> None:
    if topic.status == "collecting" and reaches_threshold(
        cosigners(session, topic.id), topic.threshold
    ):
        topic.status = "triage"
        _tell_signers(session, topic, "topic.threshold", kinds.TOPIC_THRESHOLD, now)


def _tell_signers(session: Session, topic: Topic, kind: str, message: str, now: datetime) -> None:
    """A notice to each co-signer of ``topic`` (one statement, once per event)."""
    fan_out(
        session,
        event=f"{kind}:{topic.id}",
        kind=kind,
        message=message,
        recipients=select(Cosignature.account_id).where(Cosignature.topic_id == topic.id),
        now=now,
        link=f"/consultations/topics/{topic.id}",
        params={"title": topic.title},
    )


def _decide(topic: Topic, status: str, reason: str, actor_id: int, now: datetime) -> None:
    if topic.status not in ("collecting", "triage"):
        raise DomainError("topic.decided", N_("This topic has already been decided."))
    topic.status, topic.decision_reason = status, reason
    topic.decided_by, topic.decided_at = actor_id, now


def accept_topic(
    session: Session, topic: Topic, actor_id: int, now: datetime, reason: str = ""
) -> None:
    if topic.status != "triage":
        raise DomainError(
            "topic.not_in_triage", N_("Only topics that reached their threshold can be accepted.")
        )
    _decide(topic, "accepted", reason.strip(), actor_id, now)
    _tell_signers(session, topic, "topic.decided", kinds.TOPIC_ACCEPTED, now)
    audit.record(session, actor_id=actor_id, action="topic.accept", target=f"topic:{topic.id}")


def decline_topic(
    session: Session, topic: Topic, reason: str, actor_id: int, now: datetime
) -> None:
    """Decline with a reason that is published on the topic's page."""
    reason = check_text("reason", reason, REASON_MAX)
    _decide(topic, "declined", reason, actor_id, now)
    _tell_signers(session, topic, "topic.decided", kinds.TOPIC_DECLINED, now)
    audit.record(
        session, actor_id=actor_id, action="topic.decline", target=f"topic:{topic.id}", why=reason
    )


#: The open statuses: a topic in one of them may still be merged into (what
#: :func:`merge_topic` and :func:`merge_candidates` agree on).
_CLOSED = ("merged", "declined")

_BAD_MERGE = N_("Choose another open topic of the same community to merge into.")


def _refuse_merge() -> DomainError:
    return DomainError("topic.bad_merge", _BAD_MERGE, fields={"merge_into": _BAD_MERGE})


def merge_target(session: Session, into_id: int | None) -> Topic:
    """The topic of id ``into_id``, to merge into; no id or an unknown one is the
    field message :func:`merge_topic` gives for itself, a closed topic or another
    community's (on ``merge_into``), never a 404 of the whole page."""
    into = session.get(Topic, into_id) if into_id else None
    if into is None:
        raise _refuse_merge()
    return into


def merge_topic(
    session: Session, topic: Topic, into: Topic, reason: str, actor_id: int, now: datetime
) -> int:
    """Merge ``topic`` into ``into``: its co-signers now co-sign ``into`` (once each).

    Returns how many signatures came over. Both topics must be in one community,
    ``into`` still open; a refusal changes nothing.
    """
    reason = check_text("reason", reason, REASON_MAX)
    if into.id == topic.id or into.area_id != topic.area_id or into.status in _CLOSED:
        raise _refuse_merge()
    _decide(topic, "merged", reason, actor_id, now)
    topic.merged_into_id = into.id
    _tell_signers(session, topic, "topic.decided", kinds.TOPIC_MERGED, now)
    already = set(
        session.scalars(select(Cosignature.account_id).where(Cosignature.topic_id == into.id))
    )
    moved = 0
    for account_id in session.scalars(
        select(Cosignature.account_id).where(Cosignature.topic_id == topic.id)
    ):
        if account_id not in already:
            session.add(
                Cosignature(topic_id=into.id, account_id=account_id, carried_from_id=topic.id)
            )
            moved += 1
    session.flush()
    _maybe_to_triage(session, into, now)
    audit.record(
        session,
        actor_id=actor_id,
        action="topic.merge",
        target=f"topic:{topic.id}",
        into=into.id,
        moved=moved,
    )
    return moved


def page_of_topics(
    session: Session, *, page: int = 1, per_page: int = 50
) -> tuple[list[tuple[Topic, int]], int, int]:
    """One page of the topics, newest first, each with its co-signature count
    (counted for the page's topics only): the rows, how many topics there are and
    the page number (past the end, the last). One statement
    (:func:`participation.paging.counted_page`)."""
    count = select(func.count()).where(Cosignature.topic_id == Topic.id).scalar_subquery()
    rows, total, page = counted_page(
        session,
        select(Topic, count).order_by(Topic.id.desc()),
        select(func.count(Topic.id)),
        page=page,
        per_page=per_page,
    )
    return [(t, int(n)) for t, n in rows], total, page


def merge_candidates(
    session: Session, topic: Topic, *, search: str = "", page: int = 1, per_page: int = 20
) -> tuple[list[Topic], int, int]:
    """A page of the topics ``topic`` may be merged into (open, of its community,
    not itself), newest first; ``search`` narrows them to titles containing it, or
    the topic of that number. The rows, how many match and the page number (past
    the end, the last), in one statement however many topics the community holds
    (:func:`participation.paging.counted_page`, on the index of ``area_id``)."""
    match = [
        Topic.area_id == topic.area_id,
        Topic.status.not_in(_CLOSED),
        Topic.id != topic.id,
    ]
    wanted = search.strip()[:TITLE_MAX]
    if wanted:
        titled = Topic.title.contains(wanted, autoescape=True)
        number = wanted.removeprefix("#")
        # A number as long as an id may be (a longer one overflows the database's
        # integer) is also asked for as the topic's number.
        numeric = number.isdecimal() and len(number) <= 12
        match.append(or_(titled, Topic.id == int(number)) if numeric else titled)
    rows, total, page = counted_page(
        session,
        select(Topic).where(*match).order_by(Topic.id.desc()),
        select(func.count(Topic.id)).where(*match),
        page=page,
        per_page=per_page,
    )
    return [t for (t,) in rows], total, page


def page_of_community_rules(
    session: Session, *, page: int = 1, per_page: int = 50
) -> tuple[list[tuple[CommunityRules, str]], int, int]:
    """One page of the communities' own settings, with each community's name, by
    area: the rows, how many there are and the page number. One statement."""
    rows, total, page = counted_page(
        session,
        select(CommunityRules, Area.name)
        .join(Area, Area.id == CommunityRules.area_id)
        .order_by(CommunityRules.area_id),
        select(func.count(CommunityRules.area_id)),
        page=page,
        per_page=per_page,
    )
    return [(r, str(name)) for r, name in rows], total, page


def topics_in(session: Session, area_path: str | None = None) -> Sequence[tuple[Topic, int]]:
    """Topics (newest first) with their co-signature counts, optionally under an area."""
    count = (
        select(Cosignature.topic_id, func.count().label("n"))
        .group_by(Cosignature.topic_id)
        .subquery()
    )
    query = (
        select(Topic, func.coalesce(count.c.n, 0))
        .outerjoin(count, count.c.topic_id == Topic.id)
        .order_by(Topic.id.desc())
    )
    if area_path:
        query = query.join(Area, Area.id == Topic.area_id).where(Area.path.startswith(area_path))
    return [(t, int(n)) for t, n in session.execute(query).all()]


def signers(session: Session, topic_id: int) -> set[int]:
    return set(
        session.scalars(select(Cosignature.account_id).where(Cosignature.topic_id == topic_id))
    )
