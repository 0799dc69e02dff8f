"""The table counters (participation/table_versions.py): every committed write moves
the written tables' counters and nothing else's; a rollback moves nothing; SQL the
tracker cannot read counts as a write to everything; reads are recorded by table."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation import table_versions as tv
from participation.accounts import Account
from participation.areas import Area
from participation.audit import AuditEntry
from tests.support.world import World


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


def _now(engine: Engine) -> dict[int, int]:
    with engine.connect() as c:
        return tv.current(c)


def _moved(before: dict[int, int], after: dict[int, int]) -> set[int]:
    return {b for b in set(before) | set(after) if before.get(b, 0) != after.get(b, 0)}


def test_a_committed_write_moves_its_tables_counter_only(engine: Engine, world: World) -> None:
    before = _now(engine)
    with Session(engine) as s, s.begin():
        s.execute(update(Area).where(Area.id == world["community"].id).values(name="新名"))
    assert _moved(before, _now(engine)) == {tv.bucket("areas")}

    before = _now(engine)
    with Session(engine) as s, s.begin():
        person = s.get(Account, world["people"]["admin"].id)
        assert person is not None
        person.display_name = "改名"  # an ORM flush, not a Core statement
    assert _moved(before, _now(engine)) == {tv.bucket("accounts")}


def test_a_rolled_back_write_moves_nothing(engine: Engine, world: World) -> None:
    before = _now(engine)
    with Session(engine) as s:
        s.execute(update(Area).values(name="不算"))
        s.rollback()
    assert _moved(before, _now(engine)) == set()
    # ...and the next commit on the same pooled connection does not carry it over.
    with Session(engine) as s, s.begin():
        s.execute(update(Account).where(Account.id == -1).values(display_name="x"))
    assert _moved(before, _now(engine)) == {tv.bucket("accounts")}


def test_sql_text_that_writes_counts_as_writing_everything(engine: Engine, world: World) -> None:
    before = _now(engine)
    with Session(engine) as s, s.begin():
        s.execute(text("UPDATE areas SET name = name"))
    assert _moved(before, _now(engine)) == {tv.EVERYTHING}
    reads = tv.Reads()
    assert tv.EVERYTHING in reads.buckets  # so every recorded page sees such a write


def test_reads_are_recorded_by_table_and_unknown_sql_is_unsafe(
    engine: Engine, world: World
) -> None:
    with Session(engine) as s:
        reads = tv.Reads()
        token = tv.reading.set(reads)
        try:
            counted = select(func.count()).where(AuditEntry.actor_id == Account.id)
            s.execute(
                select(Area.name, counted.scalar_subquery()).join(Account, Account.id == Area.id)
            ).all()
            assert not reads.unsafe
            assert {tv.bucket(t) for t in ("areas", "accounts", "audit_log")} <= reads.buckets
            s.execute(text("SELECT 1")).all()
            assert reads.unsafe
        finally:
            tv.reading.reset(token)


@pytest.mark.parametrize(
    ("sql", "writes", "buckets"),
    [
        ("BEGIN IMMEDIATE", False, frozenset()),
        ("COMMIT", False, frozenset()),
        ("  select 1", False, None),
        ("PRAGMA foreign_keys=ON", False, None),
        ("INSERT INTO x VALUES (1)", True, tv.ALL),
        ("with t as (select 1) delete from x", True, tv.ALL),
        ("CREATE TABLE y (a int)", True, tv.ALL),
        ("", True, tv.ALL),
    ],
)
def test_sql_known_only_as_text(sql: str, writes: bool, buckets: frozenset[int] | None) -> None:
    assert tv._classify_text(sql) == (writes, buckets)


def test_buckets_are_stable_and_in_range() -> None:
    # The bucket is part of what every process must agree on: crc32, not hash().
    assert tv.bucket("areas") == 604
    assert all(0 <= tv.bucket(f"t{i}") < tv.BUCKETS for i in range(2000))
