"""Online deliberation: arguments for and against, two-level comment threads,
reports and moderation, and the opinion map's statements and votes.

Everything a person writes is accepted only inside the consultation's
deliberation window. Moderation hides (never deletes), records who hid what and
why, and tells the author.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, select, union_all, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultations.messages import WINDOW, check_text
from consultations.models import (
    Consultation,
    OpinionMapState,
    OpinionStatement,
    OpinionVote,
    Post,
    PostReport,
)
from consultations.rules.journey import POST_MAX, REASON_MAX, STATEMENT_MAX, window_problem
from consultations.rules.opinion import MapState, OpinionMap, opinion_map
from consultations.rules.opinion_clusters import KSmoother
from consultations.standing import check_may_deliberate
from participation import audit, notices
from participation.accounts import Account
from participation.errors import N_, DomainError
from participation.keyset import KeysetPage, beyond, from_link, keyset_page

POST_KINDS = ("for", "against", "comment")
CHOICES = {"agree": 1, "disagree": -1, "pass": 0}
HIDDEN_NOTICE = N_("A moderator hid one of your posts. Reason: %(reason)s")


def _check_window(consultation: Consultation, now: datetime) -> None:
    reason = window_problem(
        consultation.deliberation_opens_at, consultation.deliberation_closes_at, now
    )
    if reason is not None:
        raise DomainError(f"deliberation.{reason}", WINDOW[reason], status=409)


def write_post(
    session: Session,
    consultation: Consultation,
    author: Account,
    kind: str,
    body: str,
    now: datetime,
    parent_id: int | None = None,
) -> Post:
    """An argument (for/against) or a comment; a reply answers a top-level post only."""
    check_may_deliberate(session, consultation, author.id, now)
    _check_window(consultation, now)
    body = check_text("body", body, POST_MAX)
    if kind not in POST_KINDS:
        raise DomainError("deliberation.kind", N_("Choose for, against or comment."))
    if parent_id is not None:
        parent = session.get(Post, parent_id)
        if parent is None or parent.consultation_id != consultation.id:
            raise DomainError("deliberation.no_parent", N_("No such post to reply to."), status=404)
        if parent.parent_id is not None:
            raise DomainError(
                "deliberation.too_deep", N_("Replies go to the first post of a thread.")
            )
        kind = "comment"
    post = Post(
        consultation_id=consultation.id,
        kind=kind,
        parent_id=parent_id,
        author_id=author.id,
        author_name=author.display_name,
        body=body,
        created_at=now,
    )
    session.add(post)
    session.flush()
    return post


def _tell_author(
    session: Session, author_id: int, consultation_id: int, reason: str, now: datetime
) -> None:
    notices.notify(
        session,
        author_id,
        "consultation.hidden",
        HIDDEN_NOTICE,
        link=f"/consultations/{consultation_id}",
        params={"reason": reason},
        now=now,
    )


def get_post(session: Session, consultation: Consultation, post_id: int) -> Post:
    post = session.get(Post, post_id)
    if post is None or post.consultation_id != consultation.id:
        raise DomainError("deliberation.no_post", N_("No such post."), status=404)
    return post


def report_post(session: Session, post: Post, reporter_id: int, reason: str, now: datetime) -> None:
    consultation = session.get(Consultation, post.consultation_id)
    assert consultation is not None  # a post belongs to a consultation (foreign key)
    check_may_deliberate(session, consultation, reporter_id, now)
    reason = check_text("reason", reason, 200)
    try:
        with session.begin_nested():
            session.add(
                PostReport(post_id=post.id, reporter_id=reporter_id, reason=reason, reported_at=now)
            )
            session.flush()
    except IntegrityError:
        raise DomainError(
            "deliberation.already_reported", N_("You have already reported this post."), status=409
        ) from None


def hide_post(session: Session, post: Post, actor_id: int, reason: str, now: datetime) -> None:
    """Hide a post with a recorded reason; the author is told why."""
    reason = check_text("reason", reason, REASON_MAX)
    if post.hidden_at is not None:
        raise DomainError("deliberation.hidden", N_("This post is already hidden."))
    post.hidden_at, post.hidden_by, post.hidden_reason = now, actor_id, reason
    _tell_author(session, post.author_id, post.consultation_id, reason, now)
    audit.record(
        session, actor_id=actor_id, action="deliberation.hide", target=f"post:{post.id}", why=reason
    )


def hide_statement(
    session: Session,
    consultation: Consultation,
    statement_id: int,
    actor_id: int,
    reason: str,
    now: datetime,
) -> None:
    """Hide an opinion statement (its votes leave the map); the author is told why."""
    reason = check_text("reason", reason, REASON_MAX)
    statement = session.get(OpinionStatement, statement_id)
    if statement is None or statement.consultation_id != consultation.id:
        raise DomainError("opinion.no_statement", N_("No such statement."), status=404)
    if statement.hidden_at is not None:
        raise DomainError("opinion.hidden", N_("This statement is already hidden."))
    statement.hidden_at, statement.hidden_reason = now, reason
    _tell_author(session, statement.author_id, consultation.id, reason, now)
    audit.record(
        session,
        actor_id=actor_id,
        action="opinion.hide",
        target=f"statement:{statement.id}",
        why=reason,
    )


def all_statements(session: Session, consultation_id: int) -> Sequence[OpinionStatement]:
    """Every statement, hidden ones included (for moderators)."""
    return session.scalars(
        select(OpinionStatement)
        .where(OpinionStatement.consultation_id == consultation_id)
        .order_by(OpinionStatement.id)
    ).all()


def statement_page(
    session: Session,
    consultation_id: int,
    *,
    after: int = 0,
    before: int = 0,
    per_page: int = 50,
) -> KeysetPage[OpinionStatement]:
    """The page of a consultation's statements, hidden ones included (for
    moderators), oldest first, that starts after the statement of id ``after``,
    or else ends before the statement of id ``before``, or else the first page
    (participation.keyset). One statement of at most ``per_page`` + 1 rows from
    the index on (consultation_id, id), however many statements and however deep
    the page (two when reading back found nothing); no count."""

    def read(cursor: int | None, forward: bool, limit: int) -> Sequence[OpinionStatement]:
        query = select(OpinionStatement).where(OpinionStatement.consultation_id == consultation_id)
        if cursor is not None:
            query = query.where(*beyond((OpinionStatement.id,), (cursor,), ascending=forward))
        order = OpinionStatement.id.asc() if forward else OpinionStatement.id.desc()
        return session.scalars(query.order_by(order).limit(limit)).all()

    cursor, forward = from_link(after, before)
    return keyset_page(read, lambda st: st.id, cursor=cursor, forward=forward, per_page=per_page)


@dataclass(frozen=True)
class Thread:
    post: Post
    replies: Sequence[Post]
    reports: int


def threads(session: Session, consultation_id: int) -> list[Thread]:
    posts = session.scalars(
        select(Post).where(Post.consultation_id == consultation_id).order_by(Post.id)
    ).all()
    reports = dict(
        session.execute(
            select(PostReport.post_id, func.count())
            .join(Post, Post.id == PostReport.post_id)
            .where(Post.consultation_id == consultation_id)
            .group_by(PostReport.post_id)
        ).all()
    )
    children: dict[int, list[Post]] = {}
    for post in posts:
        if post.parent_id is not None:
            children.setdefault(post.parent_id, []).append(post)
    return [
        Thread(p, children.get(p.id, []), int(reports.get(p.id, 0)))
        for p in posts
        if p.parent_id is None
    ]


#: A page of a consultation's threads: their top-level posts, oldest first.
ThreadPage = KeysetPage[Thread]


@cache
def _thread_page_statement(forward: bool, bounded: bool) -> Select[Any]:
    """Built once per direction (the page runs it on every request); bound per
    call: ``cid``, ``size`` and, when ``bounded``, ``cursor``. The page's
    top-level posts are a range of ``ix_consultation_posts_thread``, their
    replies the same index's entries under each of them."""
    cid = bindparam("cid", type_=Integer)
    tops = select(Post.id).where(Post.consultation_id == cid, Post.parent_id.is_(None))
    if bounded:
        cursor = bindparam("cursor", type_=Integer)
        tops = tops.where(Post.id > cursor if forward else Post.id < cursor)
    page = (
        tops.order_by(Post.id.asc() if forward else Post.id.desc())
        .limit(bindparam("size", type_=Integer))
        .cte("page_tops")
    )
    # The page's posts as two ranges of the index, not "id IN ... OR parent_id
    # IN ...": PostgreSQL read that by walking every post of the city in id order.
    posts = union_all(
        select(page.c.id),
        select(Post.id).where(Post.consultation_id == cid, Post.parent_id.in_(select(page.c.id))),
    ).subquery()
    reports = (
        select(func.count()).where(PostReport.post_id == Post.id).correlate(Post).scalar_subquery()
    )
    return select(Post, reports).join(posts, posts.c.id == Post.id).order_by(Post.id)


def thread_page(
    session: Session,
    consultation_id: int,
    *,
    after: int = 0,
    before: int = 0,
    per_page: int = 20,
) -> ThreadPage:
    """The page of a consultation's threads, oldest first, that starts after the
    top-level post of id ``after``, or else ends before the one of id
    ``before``, or else the first page (participation.keyset); each thread with
    its replies and each post's report count.

    One statement however many posts the consultation has and however deep the
    page (two when reading back found nothing): the page's top-level posts and
    one more (whether a page follows), their replies and report counts. No
    OFFSET and no count of the threads: a busy consultation's last page costs
    what its first does.
    """

    def read(cursor: int | None, forward: bool, limit: int) -> list[Thread]:
        bound = {"cid": consultation_id, "size": limit}
        if cursor is not None:
            bound["cursor"] = cursor
        rows = session.execute(_thread_page_statement(forward, cursor is not None), bound).all()
        children: dict[int, list[Post]] = {}
        for post, _ in rows:
            if post.parent_id is not None:
                children.setdefault(post.parent_id, []).append(post)
        found = [
            Thread(post, children.get(post.id, []), int(count))
            for post, count in rows
            if post.parent_id is None
        ]
        return found if forward else found[::-1]

    cursor, forward = from_link(after, before)
    return keyset_page(read, lambda t: t.post.id, cursor=cursor, forward=forward, per_page=per_page)


def add_statement(
    session: Session, consultation: Consultation, author_id: int, text: str, now: datetime
) -> OpinionStatement:
    """A short statement (at most 140 characters) for others to vote on."""
    check_may_deliberate(session, consultation, author_id, now)
    _check_window(consultation, now)
    text = check_text("text", text, STATEMENT_MAX)
    duplicate = session.scalar(
        select(OpinionStatement.id).where(
            OpinionStatement.consultation_id == consultation.id, OpinionStatement.text == text
        )
    )
    if duplicate is not None:
        raise DomainError(
            "opinion.duplicate",
            N_("This statement has already been made; vote on it instead."),
            fields={"text": N_("This statement has already been made; vote on it instead.")},
        )
    statement = OpinionStatement(
        consultation_id=consultation.id, author_id=author_id, text=text, created_at=now
    )
    session.add(statement)
    session.flush()
    return statement


def vote_statement(
    session: Session,
    consultation: Consultation,
    statement_id: int,
    account_id: int,
    choice: str,
    now: datetime,
) -> None:
    """Agree, disagree or pass: once per person and statement, inside the window."""
    check_may_deliberate(session, consultation, account_id, now)
    _check_window(consultation, now)
    if choice not in CHOICES:
        raise DomainError("opinion.choice", N_("Choose agree, disagree or pass."))
    statement = session.get(OpinionStatement, statement_id)
    if (
        statement is None
        or statement.consultation_id != consultation.id
        or statement.hidden_at is not None
    ):
        raise DomainError("opinion.no_statement", N_("No such statement."), status=404)
    try:
        with session.begin_nested():
            session.add(
                OpinionVote(
                    consultation_id=consultation.id,
                    statement_id=statement_id,
                    account_id=account_id,
                    choice=CHOICES[choice],
                    voted_at=now,
                )
            )
            session.flush()
            # Counted in the database (n = n + 1), so concurrent votes on the
            # same statement never lose one another's count.
            session.execute(
                update(OpinionStatement)
                .where(OpinionStatement.id == statement_id)
                .values(vote_count=OpinionStatement.vote_count + 1)
                .execution_options(synchronize_session=False)
            )
            session.expire(statement, ["vote_count"])
    except IntegrityError:
        raise DomainError(
            "opinion.already_voted", N_("You have already voted on this statement."), status=409
        ) from None


def statements(session: Session, consultation_id: int) -> Sequence[OpinionStatement]:
    return session.scalars(
        select(OpinionStatement)
        .where(
            OpinionStatement.consultation_id == consultation_id,
            OpinionStatement.hidden_at.is_(None),
        )
        .order_by(OpinionStatement.id)
    ).all()


def statement_texts(
    session: Session, consultation_id: int, ids: Collection[int] | None = None
) -> dict[int, str]:
    """The visible statements' texts by id (what the map's lists show), in order;
    with ``ids``, only those (a page reads the few its map names, not every one)."""
    if ids is not None and not ids:
        return {}
    if ids is not None:  # the page's read: a statement built once, at import
        rows = session.execute(_TEXTS_OF, {"cid": consultation_id, "ids": sorted(ids)})
        return {sid: text for sid, text in rows}
    query = select(OpinionStatement.id, OpinionStatement.text).where(
        OpinionStatement.consultation_id == consultation_id,
        OpinionStatement.hidden_at.is_(None),
    )
    rows = session.execute(query.order_by(OpinionStatement.id))
    return {sid: text for sid, text in rows}


_TEXTS_OF = (
    select(OpinionStatement.id, OpinionStatement.text)
    .where(
        OpinionStatement.consultation_id == bindparam("cid"),
        OpinionStatement.hidden_at.is_(None),
        OpinionStatement.id.in_(bindparam("ids", expanding=True)),
    )
    .order_by(OpinionStatement.id)
)


def next_statement(
    session: Session, consultation_id: int, account_id: int
) -> OpinionStatement | None:
    """The statement with the fewest votes that this person has not voted on yet.

    Read from the stored counts in index order (consultation, vote count, id);
    each candidate is checked against this person's vote by the unique
    (statement, account) index, so nothing counts the consultation's votes.
    """
    mine = (
        select(OpinionVote.id)
        .where(
            OpinionVote.statement_id == OpinionStatement.id,
            OpinionVote.account_id == account_id,
        )
        .exists()
    )
    return session.scalar(
        select(OpinionStatement)
        .where(
            OpinionStatement.consultation_id == consultation_id,
            OpinionStatement.hidden_at.is_(None),
            ~mine,
        )
        .order_by(OpinionStatement.vote_count, OpinionStatement.id)
        .limit(1)
    )


def recount_statement_votes(session: Session, consultation_id: int | None = None) -> None:
    """Set every statement's ``vote_count`` from its votes (one UPDATE), for votes
    stored in bulk around :func:`vote_statement` (the demo loaders, the benches).
    ``consultation_id`` limits it to one consultation's statements."""
    counted = (
        select(func.count())
        .where(OpinionVote.statement_id == OpinionStatement.id)
        .scalar_subquery()
    )
    query = update(OpinionStatement).values(vote_count=counted)
    if consultation_id is not None:
        query = query.where(OpinionStatement.consultation_id == consultation_id)
    session.execute(query.execution_options(synchronize_session=False))


def map_version(session: Session, consultation_id: int) -> tuple[int, int, int]:
    """Changes whenever the map's input changes: (votes, highest vote id, hidden statements).

    Votes are only ever added, and statements only ever hidden, so this triple
    identifies the input of :func:`compute_map` for caching.
    """
    votes, top = session.execute(
        select(func.count(OpinionVote.id), func.coalesce(func.max(OpinionVote.id), 0)).where(
            OpinionVote.consultation_id == consultation_id
        )
    ).one()
    hidden = session.scalar(
        select(func.count()).where(
            OpinionStatement.consultation_id == consultation_id,
            OpinionStatement.hidden_at.is_not(None),
        )
    )
    return int(votes), int(top), int(hidden or 0)


def compute_map(
    session: Session, consultation_id: int, previous: MapState | None = None
) -> OpinionMap:
    """The opinion map from all votes so far, starting from the ``previous`` state.

    Votes on hidden statements stay in, as passes (Pol.is's treatment of
    moderated-out statements: see consultations.rules.opinion).
    """
    votes = session.execute(
        select(OpinionVote.account_id, OpinionVote.statement_id, OpinionVote.choice).where(
            OpinionVote.consultation_id == consultation_id
        )
    ).all()
    hidden = session.scalars(
        select(OpinionStatement.id).where(
            OpinionStatement.consultation_id == consultation_id,
            OpinionStatement.hidden_at.is_not(None),
        )
    ).all()
    return opinion_map([(a, s, c) for a, s, c in votes], hidden=set(hidden), previous=previous)


def _version_text(version: tuple[int, int, int]) -> str:
    return ":".join(map(str, version))


def _smoother_text(smoother: KSmoother) -> str:
    return json.dumps([smoother.last_k, smoother.last_k_count, smoother.smoothed_k])


def map_state_for(
    session: Session, consultation_id: int, version: tuple[int, int, int]
) -> MapState | None:
    """The state to compute the map of ``version`` from: the last stored map's
    state, or, when the stored map is of this very version, the state it was
    computed from (so the same votes always give the same map)."""
    row = session.get(OpinionMapState, consultation_id)
    if row is None:
        return None
    state = MapState.from_json(json.loads(zlib.decompress(row.state)))
    if row.version == _version_text(version):
        last_k, count, smoothed = json.loads(row.smoother_before)
        return replace(state, smoother=KSmoother(last_k, count, smoothed))
    return state


def save_map_state(
    session: Session,
    consultation_id: int,
    version: tuple[int, int, int],
    previous: MapState | None,
    computed: OpinionMap,
) -> None:
    """Keep ``computed``'s state for the next computation (unless already kept)."""
    if computed.state is None:
        return
    row = session.get(OpinionMapState, consultation_id)
    text = _version_text(version)
    if row is not None and row.version == text:
        return
    blob = zlib.compress(json.dumps(computed.state.to_json(), separators=(",", ":")).encode())
    before = _smoother_text(previous.smoother if previous else KSmoother())
    if row is None:
        try:
            with session.begin_nested():  # another request may store the first state too
                session.add(
                    OpinionMapState(
                        consultation_id=consultation_id,
                        version=text,
                        smoother_before=before,
                        state=blob,
                    )
                )
        except IntegrityError:
            return  # theirs is as good: the same votes give the same map
    else:
        row.version, row.smoother_before, row.state = text, before, blob
