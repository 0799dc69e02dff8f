"""A consultation's discussion by keyset (consultations.deliberation.thread_page and
statement_page): the later links visit every thread, with all its replies, and
every statement once, oldest first, the earlier ones go back; and on SQLite and
PostgreSQL each page is a range of migration 0067's indexes, however many posts
the consultation has."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from consultations import deliberation
from consultations.models import OpinionStatement, Post
from participation.keyset import KeysetPage
from tests.support.consultations import NOW, community, elevator_in_two_camps
from tests.support.keyset import walk_both_ways
from tests.support.queries import explained

PER_PAGE = 3  # small, so that a few threads make many pages


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """The order and the plans must hold on SQLite and on PostgreSQL."""
    return any_db_url


@pytest.fixture
def place(engine: Engine) -> tuple[int, int]:
    """A consultation (committed) and a resident who may post: their ids."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        c = community(s)
        _topic, consultation, _ids = elevator_in_two_camps(s, c, NOW)
        return consultation.id, c.residents[0].id


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


def _posts(session: Session, cid: int, author: int, shape: list[int | None]) -> None:
    """A top-level post for each None of ``shape``, else a reply to the k-th
    top-level post so far (modulo their number)."""
    tops: list[int] = []
    for k, parent in enumerate(shape):
        above = tops[parent % len(tops)] if parent is not None and tops else None
        post = Post(
            consultation_id=cid,
            kind="comment" if above else "for",
            parent_id=above,
            author_id=author,
            author_name="居民",
            body=f"帖子{k}",
            created_at=NOW,
        )
        session.add(post)
        session.flush()
        if above is None:
            tops.append(post.id)


def _walk(page_of: Callable[..., KeysetPage[Any]], key: Callable[[Any], Any]) -> list[list[Any]]:
    """The pages from the first by the later links, checking that the earlier
    links retrace them."""
    forward, backward = walk_both_ways(page_of, key)
    assert backward == forward[::-1]
    assert all(len(p) == PER_PAGE for p in forward[:-1])
    return forward


@hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(shape=st.lists(st.one_of(st.none(), st.integers(0, 9)), max_size=25))
def test_the_later_links_visit_every_thread_once_with_its_replies(
    session: Session, place: tuple[int, int], shape: list[int | None]
) -> None:
    cid, author = place
    try:
        _posts(session, cid, author, shape)
        forward = _walk(
            lambda **cursor: deliberation.thread_page(session, cid, per_page=PER_PAGE, **cursor),
            lambda t: (t.post.id, [r.id for r in t.replies]),
        )
        everything = [
            (t.post.id, [r.id for r in t.replies]) for t in deliberation.threads(session, cid)
        ]
        assert [t for page in forward for t in page] == everything
    finally:
        session.rollback()


@hsettings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(count=st.integers(0, 14))
def test_the_later_links_visit_every_statement_once(
    session: Session, place: tuple[int, int], count: int
) -> None:
    cid, author = place
    try:
        for k in range(count):
            session.add(OpinionStatement(consultation_id=cid, author_id=author, text=f"观点{k}"))
        session.flush()
        forward = _walk(
            lambda **cursor: deliberation.statement_page(session, cid, per_page=PER_PAGE, **cursor),
            lambda st: st.id,
        )
        ids = select(OpinionStatement.id).where(OpinionStatement.consultation_id == cid)
        assert [i for page in forward for i in page] == list(
            session.scalars(ids.order_by(OpinionStatement.id))
        )
    finally:
        session.rollback()


def test_a_bad_cursor_gives_the_first_page(session: Session, place: tuple[int, int]) -> None:
    cid, author = place
    _posts(session, cid, author, [None] * 5)
    first = deliberation.thread_page(session, cid, per_page=PER_PAGE).items
    for cursor in (2**31, 10**17, -3):
        for direction in ("after", "before"):
            page = deliberation.thread_page(session, cid, per_page=PER_PAGE, **{direction: cursor})
            assert page.items == first and page.previous_before is None, (direction, cursor)
    session.rollback()


def test_each_page_is_a_range_of_an_index(engine: Engine, place: tuple[int, int]) -> None:
    """Fails without migration 0067: the replies of a page's threads were found by
    reading every post of the consultation, and PostgreSQL sorted its statements."""
    cid, author = place
    with Session(engine) as s, s.begin():
        rows = []
        for k in range(6_000):  # threads of five posts: a top-level one, four replies
            top = k - k % 5 + 1_000_000
            rows.append(
                {
                    "id": k + 1_000_000,
                    "consultation_id": cid,
                    "kind": "for" if k % 5 == 0 else "comment",
                    "parent_id": None if k % 5 == 0 else top,
                    "author_id": author,
                    "author_name": "居民",
                    "body": "",
                    "created_at": NOW,
                    "hidden_reason": "",
                }
            )
        s.execute(insert(Post), rows)
        s.execute(
            insert(OpinionStatement),
            [
                {"consultation_id": cid, "author_id": author, "text": f"观点{k}", "vote_count": 0}
                for k in range(3_000)
            ],
        )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("ANALYZE consultation_posts")
            c.exec_driver_sql("ANALYZE opinion_statements")
    for cursor in ({}, {"after": 1_003_000}, {"before": 1_003_000}):
        (plan,) = explained(
            engine,
            lambda s: deliberation.thread_page(s, cid, **cursor),  # noqa: B023
            no_seqscan=True,
        )
        assert "ix_consultation_posts_thread" in plan, (cursor, plan)
        assert "Seq Scan" not in plan and "SCAN consultation_posts" not in plan, (cursor, plan)
        (plan,) = explained(
            engine,
            lambda s: deliberation.statement_page(s, cid, **cursor),  # noqa: B023
            no_seqscan=True,
        )
        # Or the primary key, in id order too: PostgreSQL's choice when, as here,
        # one consultation holds every statement of the table.
        index = "ix_opinion_statements_consultation_id_id"
        assert index in plan or "pk_opinion_statements" in plan, (cursor, plan)
        assert index in plan or engine.dialect.name == "postgresql", plan
        assert "Sort" not in plan and "TEMP B-TREE" not in plan, (cursor, plan)
        assert "Seq Scan" not in plan and "SCAN opinion_statements" not in plan, (cursor, plan)
