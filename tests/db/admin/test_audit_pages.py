"""The audit log's keyset paging (participation.audit.entries_page): following the
older links from the first page visits every entry the filters keep exactly once,
newest first, and the newer links walk back through the same pages; a cursor
is a place in the order, not an entry, so any id gives a consistent page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from participation import audit
from participation.accounts import Account
from participation.areas import Area
from participation.audit import AuditEntry
from participation.keyset import KeysetPage
from tests.support.keyset import walk_both_ways
from tests.support.queries import explained, statements
from web.admin.audit_lines import audit_lines

PER_PAGE = 3  # small, so that a few entries make many pages
ACTIONS = ["plan.item_edit", "role.grant", "area.rename"]

#: Entries as (action, which of three actors or none, whether an id is skipped
#: before it: the log is append-only, but a rolled-back transaction leaves gaps).
entries = st.lists(
    st.tuples(st.sampled_from(ACTIONS), st.sampled_from([None, 0, 1, 2]), st.booleans()),
    max_size=30,
)


def ids(page: KeysetPage[AuditEntry]) -> list[int]:
    return [e.id for e in page.items]


def walk(
    session: Session, action: str | None, actor_id: int | None
) -> tuple[list[list[int]], list[list[int]]]:
    """The pages from the first by the older links, then back by the newer links."""

    def page_of(after: int = 0, before: int = 0) -> KeysetPage[AuditEntry]:
        return audit.entries_page(
            session, action=action, actor_id=actor_id, after=after, before=before, per_page=PER_PAGE
        )

    return walk_both_ways(page_of, lambda entry: entry.id)


@hsettings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(made=entries, data=st.data())
def test_the_older_links_visit_every_entry_once_and_the_newer_ones_go_back(
    session: Session, made: list[tuple[str, int | None, bool]], data: st.DataObject
) -> None:
    try:
        actors = [Account(display_name=f"管理员{k}") for k in range(3)]
        session.add_all(actors)
        session.flush()
        next_id = (session.scalar(select(func.max(AuditEntry.id))) or 0) + 1
        for k, (action, who, skip) in enumerate(made):
            entry = audit.record(
                session,
                actor_id=None if who is None else actors[who].id,
                action=action,
                target=f"area:{k}",
            )
            next_id += skip
            entry.id = next_id
            next_id += 1
        session.flush()
        wanted = data.draw(st.sampled_from([None, *ACTIONS, "no.such_action"]))
        actor_id = data.draw(st.sampled_from([None, *(a.id for a in actors)]))
        forward, backward = walk(session, wanted, actor_id)
        expected = sorted(
            (
                e.id
                for e in session.scalars(select(AuditEntry))
                if (wanted is None or e.action == wanted)
                and (actor_id is None or e.actor_id == actor_id)
            ),
            reverse=True,
        )
        assert [i for page in forward for i in page] == expected  # each once, newest first
        assert all(len(page) == PER_PAGE for page in forward[:-1])
        assert backward == forward[::-1]
    finally:
        session.rollback()


def test_a_cursor_is_a_place_in_the_order(session: Session) -> None:
    base = (session.scalar(select(func.max(AuditEntry.id))) or 0) + 1
    made = []
    for offset in (0, 1, 2, 5, 6, 7, 8):  # no entry 3 or 4
        entry = audit.record(session, actor_id=None, action="role.grant")
        entry.id = base + offset
        made.append(entry.id)
    session.flush()
    newest = made[::-1]

    def page_ids(after: int = 0, before: int = 0) -> list[int]:
        return ids(audit.entries_page(session, after=after, before=before, per_page=PER_PAGE))

    assert page_ids() == newest[:3]
    # Past the log's end: the newest entries. Before the first: the first page.
    assert page_ids(after=10**17) == newest[:3]
    assert page_ids(before=10**17) == newest[:3] and page_ids(before=newest[0]) == newest[:3]
    # An id no entry has starts where it would lie.
    assert page_ids(after=base + 4) == [base + 2, base + 1, base]
    assert page_ids(before=base + 3) == [base + 7, base + 6, base + 5]
    assert page_ids(after=base) == []  # past the oldest: an empty last page
    # An actor number past any account's finds nothing (PostgreSQL refused it).
    assert audit.entries_page(session, actor_id=10**17).items == []
    session.rollback()


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """The plans must hold on SQLite and on PostgreSQL."""
    return any_db_url


def test_each_page_is_a_range_of_an_index_in_id_order(engine: Engine) -> None:
    """Fails without the (action, id) and (actor_id, id) indexes on PostgreSQL: it
    sorted every entry of the action (or of the actor) to show a page."""
    with Session(engine) as s, s.begin():
        first = (s.scalar(select(func.max(Account.id))) or 0) + 1
        s.execute(insert(Account), [{"display_name": f"管理员{k}"} for k in range(20)])
        s.execute(
            insert(AuditEntry),
            [
                {
                    # One entry in 200 of a rare action, one in 300 by a rare actor:
                    # walking the whole log newest first would read thousands for a page.
                    "action": "act.rare" if k % 200 == 0 else f"act.{k % 10}",
                    "actor_id": first + 19 if k % 300 == 0 else first + k % 19,
                    "target": "",
                    "detail": "{}",
                }
                for k in range(20_000)
            ],
        )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("ANALYZE audit_log")
    # Each filter's index, the id bound of a cursor inside its condition: a page
    # is a range of it, whatever the number of the filter's entries before it.
    # Unfiltered, the primary key (SQLite's "SCAN audit_log" of the first page
    # walks the table in rowid order, which is id order). PostgreSQL may still
    # sort the few rows of a range; it never sorts the log.
    cases: dict[tuple[str, ...], dict[str, Any]] = {
        ("ix_audit_log_action_id",): {"action": "act.rare"},
        ("ix_audit_log_actor_id_id",): {"actor_id": first + 19},
        ("pk_audit_log", "INTEGER PRIMARY KEY", "SCAN audit_log"): {},
    }
    for indexes, filters in cases.items():
        cursors: list[dict[str, Any]] = [{}, {"after": 12_345}, {"before": 12_345}]
        for cursor in cursors:
            plans = explained(
                engine,
                lambda s: audit.entries_page(s, **filters, **cursor),  # noqa: B023
            )
            assert len(plans) == 1, plans
            plan = plans[0]
            assert "Seq Scan" not in plan and "TEMP B-TREE" not in plan, (filters, cursor, plan)
            assert any(index in plan for index in indexes), (filters, cursor, plan)
            if not filters:
                assert "Sort" not in plan, plan
            if cursor:
                bound = re.search(r"(Index Cond: |SEARCH ).*\b(row)?id ?[<>]", plan)
                assert bound, (filters, cursor, plan)


def test_a_page_names_its_actors_and_targets_in_one_statement(session: Session) -> None:
    """On both databases: one UNION of a select per kind, its ids as parameters."""
    admin = Account(display_name="管理员甲")
    area = Area(name="一社区", kind="community", code="C1", path="/c1/")
    session.add_all([admin, area])
    session.flush()
    for target in (f"area:{area.id}", f"account:{admin.id}", "plan_item:99999", "free text", ""):
        audit.record(session, actor_id=admin.id, action="area.rename", target=target, n=1)
    audit.record(session, actor_id=None, action="some.future_action")
    session.flush()
    entries = audit.entries_page(session).items
    with statements() as seen:
        lines = audit_lines(session, entries)
    assert len(seen) == 1
    assert [(line.who, line.action, line.target, line.detail) for line in lines] == [
        ("", "some.future_action", "", ""),
        ("管理员甲", "重命名区域", "", "n: 1"),
        ("管理员甲", "重命名区域", "free text", "n: 1"),
        ("管理员甲", "重命名区域", "计划事项 #99999", "n: 1"),
        ("管理员甲", "重命名区域", "账户：管理员甲", "n: 1"),
        ("管理员甲", "重命名区域", "区域：一社区", "n: 1"),
    ]
    session.rollback()
