"""A signed-in visitor's next statement is read from each statement's stored vote
count, kept in the vote's own transaction (n = n + 1, so concurrent votes all
count), not by counting the consultation's votes on every request."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert, select
from sqlalchemy.orm import Session

from consultations import deliberation, meetings
from consultations.models import OpinionStatement, OpinionVote
from participation.accounts import Account
from participation.db import make_engine
from tests.conftest import _pg_database
from tests.db.consultations.test_consultation_journey import announced
from tests.support.consultations import NOW, community
from tests.support.pg import Cluster


def _selects(engine: Engine, run: Any) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return seen


def _seed(engine: Engine, voters: int) -> tuple[int, list[int], int]:
    """A consultation with 20 statements and ``voters`` people who voted on all but
    the last five (stored in bulk, then counted); returns (consultation, statements,
    a newcomer)."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        c = community(s)
        consultation = announced(s, c)
        ids = [
            deliberation.add_statement(s, consultation, c.residents[0].id, f"说法{n}", NOW).id
            for n in range(20)
        ]
        first = len(s.scalars(select(Account.id)).all())
        s.execute(
            insert(Account),
            [{"username": f"crowd{n}", "display_name": f"众{n}"} for n in range(voters)],
        )
        crowd = s.scalars(select(Account.id).where(Account.username.like("crowd%"))).all()
        assert len(crowd) == voters and first
        s.execute(
            insert(OpinionVote),
            [
                {
                    "consultation_id": consultation.id,
                    "statement_id": sid,
                    "account_id": person,
                    "choice": 1,
                    "voted_at": NOW,
                }
                for person in crowd
                for sid in ids[: 15 - (person % 3)]  # the first ones most
            ],
        )
        deliberation.recount_statement_votes(s, consultation.id)
        return consultation.id, ids, c.residents[2].id


def test_vote_counts_follow_the_votes_and_choose_the_next_statement(engine: Engine) -> None:
    cid, ids, newcomer = _seed(engine, 30)
    with Session(engine) as s:
        counts = dict(
            s.execute(
                select(OpinionStatement.id, OpinionStatement.vote_count).where(
                    OpinionStatement.consultation_id == cid
                )
            ).all()
        )
    assert counts[ids[0]] == 30 and counts[ids[14]] == 10 and counts[ids[19]] == 0
    with Session(engine) as s, s.begin():
        row = meetings.get_consultation(s, cid)
        seen = []
        for _ in range(20):
            nxt = deliberation.next_statement(s, cid, newcomer)
            assert nxt is not None
            seen.append(nxt.id)
            deliberation.vote_statement(s, row, nxt.id, newcomer, "pass", NOW)
        assert deliberation.next_statement(s, cid, newcomer) is None
        # fewest votes first (then the oldest): the five nobody voted on, ...
        assert seen[:5] == ids[15:20]
        assert sorted(seen) == sorted(ids)
        statement = s.get(OpinionStatement, ids[0])
        assert statement is not None and statement.vote_count == 31


def test_the_next_statement_counts_no_votes(engine: Engine) -> None:
    """Fails on the old code, which grouped the consultation's votes by statement
    (count(*) … GROUP BY) on every signed-in visit."""
    cid, _ids, newcomer = _seed(engine, 30)
    with Session(engine) as s:
        ran = _selects(engine, lambda: deliberation.next_statement(s, cid, newcomer))
    assert len(ran) == 1
    sql = ran[0][0].upper()
    assert "GROUP BY" not in sql and "COUNT(" not in sql


def test_concurrent_votes_on_one_statement_all_count(any_db_url: str) -> None:
    engine = make_engine(any_db_url)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        c = community(s, residents=6)
        consultation = announced(s, c)
        statement = deliberation.add_statement(s, consultation, c.residents[0].id, "应该装", NOW)
        cid, sid = consultation.id, statement.id
        voters = [r.id for r in c.residents] + [r.id for r in c.representatives]
    barrier = threading.Barrier(len(voters))
    errors: list[BaseException] = []

    def vote(person: int) -> None:
        try:
            with Session(engine) as s:
                barrier.wait()
                with s.begin():
                    row = meetings.get_consultation(s, cid)
                    deliberation.vote_statement(s, row, sid, person, "agree", NOW)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=vote, args=(p,)) for p in voters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with Session(engine) as s:
        stored = s.get(OpinionStatement, sid)
        votes = s.scalars(select(OpinionVote.id).where(OpinionVote.statement_id == sid)).all()
        assert len(votes) == len(voters)
        assert stored is not None and stored.vote_count == len(voters)
    engine.dispose()


@pytest.mark.pg
def test_next_statement_uses_the_index_on_postgresql(pg_cluster: Cluster) -> None:
    engine = make_engine(_pg_database(pg_cluster))
    cid, _ids, newcomer = _seed(engine, 3000)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql("ANALYZE")
    with Session(engine) as s:
        ran = _selects(engine, lambda: deliberation.next_statement(s, cid, newcomer))
        (statement, parameters) = ran[0]
        plan = "\n".join(
            row[0] for row in s.connection().exec_driver_sql("EXPLAIN " + statement, parameters)
        )
    assert "ix_opinion_statements_next" in plan, plan
    assert "Seq Scan on opinion_votes" not in plan, plan
    assert "HashAggregate" not in plan and "GroupAggregate" not in plan, plan
    engine.dispose()
