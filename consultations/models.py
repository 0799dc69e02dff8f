"""Tables of community consultations (社区协商): topics, representatives, meetings,
deliberation, the opinion map, the decision and its public notice.

Every row that a person writes (a co-signature, a comment, an opinion vote, an
objection) is unique where the journey needs one-per-person; moderation hides
but never deletes, and records who hid what and why.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from participation import accounts as _accounts  # noqa: F401  (tables our keys refer to)
from participation import areas as _areas  # noqa: F401
from participation import departments
from participation.ballots import models as _ballots  # noqa: F401
from participation.db import Base, utcnow


class CommunityRules(Base):
    """A community's own settings; communities without a row use the defaults."""

    __tablename__ = "consultation_rules"

    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    cosign_threshold: Mapped[int] = mapped_column(default=10)
    quorum_numerator: Mapped[int] = mapped_column(default=2)
    quorum_denominator: Mapped[int] = mapped_column(default=3)
    notice_days: Mapped[int] = mapped_column(default=7)  # public notice (公示) of a resolution
    announce_days: Mapped[int] = mapped_column(default=3)  # a meeting is announced this far ahead


class Topic(Base):
    """A proposed topic (议题): collecting co-signatures, then triaged."""

    __tablename__ = "consultation_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text, default="")
    # resident | organization | grid_worker | community_worker
    source: Mapped[str] = mapped_column(String(20))
    proposer_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    # Shown publicly only when the proposer chose to publish it.
    proposer_public_name: Mapped[str] = mapped_column(String(60), default="")
    # collecting | triage | accepted | merged | declined
    status: Mapped[str] = mapped_column(String(12), default="collecting", index=True)
    threshold: Mapped[int] = mapped_column()  # copied from the community when proposed
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_topics.id"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Cosignature(Base):
    """One person's co-signature (联名) on a topic; merged topics keep theirs."""

    __tablename__ = "consultation_cosignatures"
    __table_args__ = (UniqueConstraint("topic_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("consultation_topics.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    # Set when the signature came over from a topic merged into this one.
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_topics.id"))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)


class RepresentativeTerm(Base):
    """A community's term of deliberation representatives (议事代表)."""

    __tablename__ = "representative_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    seats: Mapped[int] = mapped_column()
    starts_on: Mapped[date] = mapped_column()
    ends_on: Mapped[date] = mapped_column()
    # signup | notice | election | seated
    status: Mapped[str] = mapped_column(String(10), default="signup")
    notice_until: Mapped[datetime | None] = mapped_column()  # candidate notice
    box_id: Mapped[int | None] = mapped_column(ForeignKey("ballot_boxes.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Candidacy(Base):
    __tablename__ = "representative_candidacies"
    __table_args__ = (UniqueConstraint("term_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("representative_terms.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    public_name: Mapped[str] = mapped_column(String(60))
    statement: Mapped[str] = mapped_column(Text, default="")
    signed_up_at: Mapped[datetime] = mapped_column(default=utcnow)


class RosterEntry(Base):
    """A seat held on a term's roster; a replacement ends one entry and adds another."""

    __tablename__ = "representative_roster"

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("representative_terms.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    public_name: Mapped[str] = mapped_column(String(60))
    seated_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column()
    left_reason: Mapped[str] = mapped_column(Text, default="")
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("representative_roster.id"))


class Consultation(Base):
    """A consultation on an accepted topic, from announcement to final resolution."""

    __tablename__ = "consultations"
    # The public list's order: the latest meeting first, a page at a time.
    __table_args__ = (Index("ix_consultations_meets_at", "meets_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("consultation_topics.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    agenda: Mapped[str] = mapped_column(Text)
    materials: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    online_link: Mapped[str] = mapped_column(String(300), default="")
    meets_at: Mapped[datetime] = mapped_column()
    announced_at: Mapped[datetime] = mapped_column()
    quorum_numerator: Mapped[int] = mapped_column(default=2)
    quorum_denominator: Mapped[int] = mapped_column(default=3)
    # Meeting record.
    summary: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    recorder_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    host_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    recorder_signed_at: Mapped[datetime | None] = mapped_column()
    host_signed_at: Mapped[datetime | None] = mapped_column()
    # Online deliberation window (arguments, comments, opinion statements and votes).
    deliberation_opens_at: Mapped[datetime] = mapped_column()
    deliberation_closes_at: Mapped[datetime] = mapped_column()
    # Decision.
    box_id: Mapped[int | None] = mapped_column(ForeignKey("ballot_boxes.id"))
    resolution: Mapped[str] = mapped_column(Text, default="")
    commits_to_action: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_department: Mapped[str] = mapped_column(String(120), default="")
    owner_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id"), index=True
    )
    budget_yuan: Mapped[int] = mapped_column(default=0)
    due_on: Mapped[date | None] = mapped_column()
    passed: Mapped[bool | None] = mapped_column(Boolean)
    notice_starts_at: Mapped[datetime | None] = mapped_column()
    notice_ends_at: Mapped[datetime | None] = mapped_column()
    final_at: Mapped[datetime | None] = mapped_column()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Participant(Base):
    """Who takes part: representatives, affected residents, departments, organizations."""

    __tablename__ = "consultation_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # representative|resident|department|organization
    name: Mapped[str] = mapped_column(String(100))


class Attendance(Base):
    """A representative's sign-in at the meeting (counts towards the quorum)."""

    __tablename__ = "consultation_attendance"
    __table_args__ = (UniqueConstraint("consultation_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    signed_in_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))


class Speaker(Base):
    __tablename__ = "consultation_speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    summary: Mapped[str] = mapped_column(Text)


class Post(Base):
    """An argument for/against, or a comment (a reply has a top-level parent).

    ``kind``: ``for`` | ``against`` | ``comment``. Replies are comments whose
    parent has no parent: threads are two levels deep at most.
    """

    __tablename__ = "consultation_posts"
    # A page of threads is a range of top-level posts (parent_id NULL) in id
    # order, and each one's replies another range of the same index.
    __table_args__ = (Index("ix_consultation_posts_thread", "consultation_id", "parent_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    kind: Mapped[str] = mapped_column(String(8))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_posts.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    author_name: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    hidden_at: Mapped[datetime | None] = mapped_column()
    hidden_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    hidden_reason: Mapped[str] = mapped_column(Text, default="")


class PostReport(Base):
    __tablename__ = "consultation_post_reports"
    __table_args__ = (UniqueConstraint("post_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("consultation_posts.id"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    reason: Mapped[str] = mapped_column(String(200))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)


class OpinionStatement(Base):
    """One statement to vote on. ``vote_count`` is its number of votes, raised in
    the same transaction as each vote by an ``UPDATE … SET vote_count = vote_count
    + 1`` (never read-modify-write), so that the next statement to show a person
    is read from one index instead of counting the consultation's votes."""

    __tablename__ = "opinion_statements"
    __table_args__ = (
        Index("ix_opinion_statements_next", "consultation_id", "vote_count", "id"),
        # The moderators' pages of statements, in id order (keyset).
        Index("ix_opinion_statements_consultation_id_id", "consultation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    text: Mapped[str] = mapped_column(String(140))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    hidden_at: Mapped[datetime | None] = mapped_column()
    hidden_reason: Mapped[str] = mapped_column(Text, default="")
    vote_count: Mapped[int] = mapped_column(default=0, server_default="0")


class OpinionVote(Base):
    """Agree (+1), disagree (-1) or pass (0): one per person and statement."""

    __tablename__ = "opinion_votes"
    __table_args__ = (
        UniqueConstraint("statement_id", "account_id"),
        # The stored map's staleness check reads "this consultation's votes after
        # id N" as one index range, however many votes came before.
        Index("ix_opinion_votes_consultation_id_id", "consultation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("opinion_statements.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    choice: Mapped[int] = mapped_column()
    voted_at: Mapped[datetime] = mapped_column(default=utcnow)


class OpinionMapState(Base):
    """What one opinion-map computation hands to the next (as Pol.is carries its
    conversation state): who was grouped, base and group centres, the k smoother
    and the groups' members by label, so that groups keep their letters and k
    changes only when the data keep asking for it. One row per consultation.

    ``state`` is zlib-compressed JSON (``MapState.to_json``); ``version`` is the
    vote version it was computed for, and ``smoother_before`` the k smoother it
    started from, so that recomputing the same version gives the same map.
    """

    __tablename__ = "opinion_map_states"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    smoother_before: Mapped[str] = mapped_column(String(64))
    state: Mapped[bytes] = mapped_column(LargeBinary)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoredOpinionMap(Base):
    """The last opinion map the worker computed for a consultation, which the
    pages read (they never compute one). One row per consultation.

    ``body`` is zlib-compressed JSON of the map (``consultations.opinion_maps``),
    or None while no map was ever stored (the row then only carries a lease).
    ``votes``, ``top_vote_id`` and ``hidden`` are the input it was computed from
    (votes counted, the highest vote id, hidden statements); ``algorithm`` the
    version of the map code that wrote it (another version counts as stale).
    ``lease_owner`` / ``lease_until``: the worker computing it now; only the
    lease holder may write the map, and a crashed holder's lease runs out.
    """

    __tablename__ = "opinion_maps"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), primary_key=True)
    algorithm: Mapped[int] = mapped_column(default=0)
    votes: Mapped[int] = mapped_column(default=0)
    top_vote_id: Mapped[int] = mapped_column(default=0)
    hidden: Mapped[int] = mapped_column(default=0)
    computed_at: Mapped[datetime | None] = mapped_column()
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    lease_owner: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[datetime | None] = mapped_column()


class Objection(Base):
    """An objection lodged during the public notice, and staff's public answer."""

    __tablename__ = "consultation_objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    author_name: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    lodged_at: Mapped[datetime] = mapped_column()
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    answered_at: Mapped[datetime | None] = mapped_column()


departments.refers(Consultation, Consultation.owner_department_id, Consultation.owner_department)
