"""The roll's summary (``roll_counts``) equals counting ``roll_entries`` after every
kind of write that changes it: an import, a verification, an account closed, the
ORM's own inserts, changes and deletes, and a rebuild after a bulk load."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from participation import accounts
from participation.accounts import Account
from participation.errors import DomainError
from participation.privacy import closing
from participation.roll_import import run_job, start_job
from participation.rolls import RollCount, RollEntry, rebuild_counts
from participation.verification import verify
from tests.support.people import roll_csv
from tests.support.roll_counts import counted, summary
from tests.support.world import World
from web.accounts.privacy import COVERAGE

SECRET = b"test-secret"
NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
PASSWORD = "Gz-roll-count-secret-38"


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """The upserts are written for each database: SQLite and PostgreSQL."""
    return any_db_url


def import_roll(engine: Engine, count: int, community: str = "M1", start: int = 0) -> None:
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions.begin() as s:
        job = start_job(s, "residents", "roll.csv", None)
    done = run_job(sessions, job.id, roll_csv(count, community, start).encode(), secret=SECRET)
    assert done.status == "done", done.errors


def new_account(s: Session, login: str) -> Account:
    return accounts.sign_up(s, login=login, password=PASSWORD, display_name=login)


def verify_next(engine: Engine, login: str, skip: int = 0) -> Account:
    """A new account verifies as an unverified entry of the roll (the ``skip``-th)."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        unverified = s.scalars(
            select(RollEntry).where(RollEntry.account_id.is_(None)).order_by(RollEntry.id)
        ).all()
        account = new_account(s, login)
        verify(s, account, unverified[skip % len(unverified)], NOW)
    return account


def close(engine: Engine, account_id: int) -> None:
    with Session(engine) as s, s.begin():
        account = s.get(Account, account_id)
        assert account is not None
        closing.close_account(s, account, PASSWORD, COVERAGE, now=NOW)


def test_an_import_counts_its_entries_per_community(world: World, engine: Engine) -> None:
    import_roll(engine, 5, "M1")
    import_roll(engine, 3, "M2", start=5)
    m1, m2 = world["community"].id, world["other"].id
    assert summary(engine) == counted(engine) == {m1: (5, 0), m2: (3, 0)}


def test_a_failed_import_counts_nothing(world: World, engine: Engine) -> None:
    """All rows or none: a file with a wrong row leaves the counts as the roll."""
    import_roll(engine, 2)
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions.begin() as s:
        job = start_job(s, "residents", "roll.csv", None)
    bad = roll_csv(3, start=2) + "某人,123,1990-01-01,M1,H9,\n"
    assert run_job(sessions, job.id, bad.encode(), secret=SECRET).status == "failed"
    assert summary(engine) == counted(engine) == {world["community"].id: (2, 0)}


def test_verifying_and_closing_move_the_verified_count(world: World, engine: Engine) -> None:
    import_roll(engine, 4)
    m1 = world["community"].id
    first = verify_next(engine, "first1")
    verify_next(engine, "second2")
    assert summary(engine) == counted(engine) == {m1: (4, 2)}
    close(engine, first.id)  # the entry stays on the roll, unverified
    assert summary(engine) == counted(engine) == {m1: (4, 1)}
    verify_next(engine, "again3")
    assert summary(engine) == counted(engine) == {m1: (4, 2)}


def test_a_refused_verification_counts_nothing(world: World, engine: Engine) -> None:
    import_roll(engine, 2)
    account = verify_next(engine, "taker1")
    with Session(engine) as s, s.begin():
        taken = s.scalar(select(RollEntry).where(RollEntry.account_id == account.id))
        other = new_account(s, "latecomer")
        assert taken is not None
        with pytest.raises(DomainError) as refused:
            verify(s, other, taken, NOW)
        assert refused.value.code == "verify.taken"
    assert summary(engine) == counted(engine) == {world["community"].id: (2, 1)}


def test_the_orms_writes_move_the_counts(world: World, engine: Engine) -> None:
    m1, m2 = world["community"].id, world["other"].id
    with Session(engine) as s, s.begin():
        resident = new_account(s, "ormresident")
        s.add_all(
            RollEntry(
                community_id=m1,
                name=f"手录{k}",
                id_hash=f"orm-{k}",
                birth_date=date(1980, 1, 1),
                household_code="H",
                account_id=resident.id if k == 0 else None,
            )
            for k in range(3)
        )
    assert summary(engine) == counted(engine) == {m1: (3, 1)}
    with Session(engine) as s, s.begin():
        verified = s.scalar(select(RollEntry).where(RollEntry.id_hash == "orm-0"))
        assert verified is not None
        verified.community_id = m2  # moved, still verified
    assert summary(engine) == counted(engine) == {m1: (2, 0), m2: (1, 1)}
    with Session(engine) as s, s.begin():
        moved = s.scalar(select(RollEntry).where(RollEntry.id_hash == "orm-0"))
        assert moved is not None
        s.expire(moved)  # the old values are loaded before the change (active history)
        moved.account_id, moved.community_id = None, m1
    assert summary(engine) == counted(engine) == {m1: (3, 0)}
    with Session(engine) as s, s.begin():
        gone = s.scalar(select(RollEntry).where(RollEntry.id_hash == "orm-1"))
        s.delete(gone)
    assert summary(engine) == counted(engine) == {m1: (2, 0)}


def test_a_bulk_load_is_counted_by_a_rebuild(world: World, engine: Engine) -> None:
    """Rows inserted past the ORM (the demo's city) are counted by rebuilding."""
    m1 = world["community"].id
    with Session(engine) as s, s.begin():
        s.execute(
            insert(RollEntry),
            [
                {
                    "community_id": m1,
                    "name": f"批量{k}",
                    "id_hash": f"bulk-{k}",
                    "birth_date": date(1980, 1, 1),
                    "household_code": "H",
                }
                for k in range(7)
            ],
        )
    with Session(engine) as s, s.begin():
        assert rebuild_counts(s) == 1
    assert summary(engine) == counted(engine) == {m1: (7, 0)}


def test_a_rebuild_mends_a_wrong_summary_and_changes_nothing_run_again(
    world: World, engine: Engine
) -> None:
    """Whatever the summary held (too many, too few, a row for a community without
    entries, a community's row missing), a rebuild makes it the roll's count; a
    second rebuild writes the same rows (idempotent)."""
    import_roll(engine, 4, "M1")
    import_roll(engine, 2, "M2", start=4)
    verify_next(engine, "mended1")
    m1, m2, street = world["community"].id, world["other"].id, world["street"].id
    with Session(engine) as s, s.begin():
        s.execute(delete(RollCount).where(RollCount.community_id == m2))
        s.execute(update(RollCount).values(entries=RollCount.entries + 40, verified=7))
        s.add(RollCount(community_id=street, entries=3, verified=1))
    assert summary(engine) != counted(engine)
    for _ in range(2):
        with Session(engine) as s, s.begin():
            assert rebuild_counts(s) == 2
        with Session(engine) as s:
            every_row = set(s.execute(select(RollCount.community_id, RollCount.entries)))
        assert summary(engine) == counted(engine) == {m1: (4, 1), m2: (2, 0)}
        assert every_row == {(m1, 4), (m2, 2)}


# --- any sequence of writes -----------------------------------------------------------

#: (write, a, b): which write, and two numbers choosing what it writes.
writes = st.lists(
    st.tuples(
        st.sampled_from(["import", "verify", "close", "add", "move", "unlink", "delete"]),
        st.integers(0, 1000),
        st.integers(0, 1000),
    ),
    min_size=1,
    max_size=8,
)


class Play:
    """Plays writes on one database; numbers never repeat across examples."""

    def __init__(self, engine: Engine, communities: tuple[int, int]) -> None:
        self.engine = engine
        self.communities = communities
        self.numbers = itertools.count(1)
        self.closable: list[int] = []  # accounts verified here, with the password

    def entries(self, s: Session, verified: bool | None = None) -> list[RollEntry]:
        query = select(RollEntry).order_by(RollEntry.id)
        if verified is not None:
            query = query.where(
                RollEntry.account_id.is_not(None) if verified else RollEntry.account_id.is_(None)
            )
        return list(s.scalars(query))

    def __call__(self, write: str, a: int, b: int) -> None:
        n = next(self.numbers)
        community = self.communities[b % 2]
        if write == "import":
            code = "M1" if community == self.communities[0] else "M2"
            import_roll(self.engine, 1 + a % 3, code, start=n * 10)
            return
        if write == "verify":
            with Session(self.engine) as s:
                if not self.entries(s, verified=False):
                    return
            self.closable.append(verify_next(self.engine, f"verifier{n}", skip=a).id)
            return
        if write == "close":
            if self.closable:
                close(self.engine, self.closable.pop(a % len(self.closable)))
            return
        with Session(self.engine) as s, s.begin():
            if write == "add":
                account = new_account(s, f"added{n}") if a % 2 else None
                s.add(
                    RollEntry(
                        community_id=community,
                        name=f"手录{n}",
                        id_hash=f"play-{n}",
                        birth_date=date(1980, 1, 1),
                        household_code="H",
                        account_id=account.id if account else None,
                    )
                )
                return
            found = self.entries(s, verified=True if write == "unlink" else None)
            if not found:
                return
            entry = found[a % len(found)]
            if write == "move":
                entry.community_id = community
            elif write == "unlink":
                entry.account_id, entry.verified_at = None, None
            else:
                s.delete(entry)


@hsettings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(script=writes)
def test_after_any_writes_the_summary_equals_counting(
    world: World,
    engine: Engine,
    script: list[tuple[str, int, int]],
) -> None:
    """Each example goes on from the last one's roll (the imports commit in jobs of
    their own, so nothing is rolled back): the invariant holds at every commit."""
    play = _plays.setdefault(
        engine.url.render_as_string(),
        Play(engine, (world["community"].id, world["other"].id)),
    )
    for write, a, b in script:
        play(write, a, b)
        assert summary(engine) == counted(engine), (write, a, b)


#: One player per database (hypothesis calls the test again with the same fixtures).
_plays: dict[str, Play] = {}
