"""Personal-information rights: what export and closing do, table by table.

The two proofs of closing: the person's ballots stay counted (and secret), and the
hours ledger and the audit log stay whole; and nothing that identifies the person
is left in any table (the resident and deputy rolls excepted: they are the
community's registers, imported from it, and only unlinked from the account).
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation import accounts
from participation.audit import AuditEntry
from participation.ballots.closing import publish
from participation.ballots.models import BallotBox, Participation
from participation.db import Base, make_engine
from participation.errors import DomainError
from participation.privacy import closing, export
from participation.privacy.consent import NOTICE_VERSION, latest_version
from participation.rolls import RollEntry
from search import indexing
from tests.support.privacy import CLONED, EMAIL, NAME, NOW, PASSWORD, PHONE, Person, make_person
from web.accounts.privacy import COVERAGE

#: The community's registers: closing unlinks the entry, it does not edit the roll.
REGISTERS = {"roll_entries", "deputy_entries"}


@pytest.fixture
def engine(demo_url: str) -> Engine:
    return make_engine(demo_url)


@pytest.fixture
def person(engine: Engine) -> Person:
    with Session(engine) as s, s.begin():
        return make_person(s, COVERAGE)


def account_columns() -> set[tuple[str, str]]:
    """Every column that holds an account id, read from the metadata."""
    found = set()
    for table in Base.metadata.tables.values():
        for column in table.columns:
            points = any(fk.column.table.name == "accounts" for fk in column.foreign_keys)
            if points or column.name == "account_id":
                found.add((table.name, column.name))
    return found


def test_every_account_column_is_exported_erased_or_kept_with_a_reason() -> None:
    covered = COVERAGE.covered()
    missing = sorted(account_columns() - covered - {("accounts", "id")})
    assert not missing, f"say in a privacy module how these are exported, erased or kept: {missing}"
    assert (
        not covered
        - account_columns()
        - {
            ("accounts", "id"),
            ("participations", "voter_key"),
        }
    ), "an entry names a column that does not hold an account id"
    for entry in COVERAGE.entries:
        assert entry.erase is not None or entry.kept


def test_export_holds_each_kind_of_data_and_nothing_of_other_people(
    engine: Engine, person: Person
) -> None:
    with Session(engine) as s:
        account = s.get_one(accounts.Account, person.account_id)
        data = export.collect(s, account, COVERAGE)
        others = {a.display_name for a in s.scalars(select(accounts.Account)) if a.id != account.id}
    kinds = set(CLONED) | {
        "accounts",
        "roll_entries",
        "identities",
        "privacy_consents",
        "participations",
        "eval_participations",
        "outbox",
        "sign_in_failures",
    }
    assert kinds <= set(data), kinds - set(data)
    text = json.dumps(data, ensure_ascii=False)
    assert NAME in text and PHONE in text and EMAIL in text
    [mine] = data["accounts"]
    assert mine["id"] == person.account_id and mine["phone"] == PHONE
    assert mine["display_name"] == NAME and mine["closed_at"] is None
    assert "password_hash" not in mine and "session_epoch" not in mine
    [entry] = data["roll_entries"]
    assert "id_hash" not in entry and "e" * 64 not in text  # the ID hash is not handed out
    assert {b["id"] for b in data["participations"]} == set(person.boxes)
    # Ballots are secret: no receipt, no content, nothing of what was chosen.
    assert person.receipt not in text
    assert "甲方案" not in text and '"approved": [' not in text
    leaked = sorted(n for n in others if len(n) >= 3 and n in text)
    assert not leaked, f"other people's names in the export: {leaked}"
    assert "password_hash" not in text and "calendar_token" not in text
    assert {f["key"] for f in data["sign_in_failures"]} == {
        f"account:{PHONE}",
        f"account-ip:{PHONE}|198.51.100.7",
    }


def _tallies(s: Session, ids: tuple[int, int]) -> list[str | None]:
    return [s.get_one(BallotBox, i).tally_json for i in ids]


def _scan(s: Session, words: list[str]) -> list[str]:
    """Every stored text value, in every table but the registers, that contains one
    of ``words``."""
    found = []
    for table in Base.metadata.sorted_tables:
        if table.name in REGISTERS:
            continue
        texts = [c for c in table.columns if c.type.python_type is str]
        if not texts:
            continue
        for row in s.execute(select(*texts)).all():
            for column, value in zip(texts, row, strict=True):
                if isinstance(value, str) and any(w in value for w in words):
                    found.append(f"{table.name}.{column.name}: {value[:60]}")
    return found


def test_closing_keeps_ballots_counted_and_ledgers_whole_and_erases_the_person(
    engine: Engine, person: Person
) -> None:
    first, second = person.boxes
    with Session(engine) as s, s.begin():
        # Not while a ballot the person voted in is open: they could vote again.
        with pytest.raises(DomainError) as refused:
            closing.close_account(
                s, s.get_one(accounts.Account, person.account_id), PASSWORD, COVERAGE, now=NOW
            )
        assert refused.value.code == "account.voting"
    later = NOW + timedelta(hours=2)
    with Session(engine) as s, s.begin():
        publish(s, s.get_one(BallotBox, first), later)
    hours = "SELECT COALESCE(SUM(minutes), 0), COUNT(*) FROM vol_hours"
    with Session(engine) as s:
        tally_before = _tallies(s, person.boxes)
        ledger_before = s.connection().exec_driver_sql(hours).all()
        mine_before = (
            s.connection().exec_driver_sql(hours + f" WHERE account_id = {person.account_id}").all()
        )
        audit_before = [
            (a.id, a.actor_id, a.action, a.target, a.detail)
            for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]
    assert mine_before[0][1] >= 1
    with Session(engine) as s, s.begin():
        # Their topic and proposal are in the search index, with their name in the text
        # (the worker's job indexes what changed and what is new since it last ran).
        indexing.drain(s)
    with Session(engine) as s:
        # The scan below would see the person: they are in many tables before closing.
        before = {hit.split(".")[0] for hit in _scan(s, [NAME, PHONE, EMAIL])}
    assert {"accounts", "identities", "outbox", "consultation_posts", "vol_certificates"} <= before
    assert "search_docs" in before
    with Session(engine) as s, s.begin():
        account = s.get_one(accounts.Account, person.account_id)
        with pytest.raises(DomainError) as wrong:
            closing.close_account(s, account, "not my password", COVERAGE, now=later)
        assert wrong.value.code == "account.wrong_password"
    with Session(engine) as s, s.begin():
        account = s.get_one(accounts.Account, person.account_id)
        closing.close_account(s, account, PASSWORD, COVERAGE, now=later, ip="203.0.113.9")
    with Session(engine) as s, s.begin():
        # Closing twice: a clear refusal, nothing changed.
        with pytest.raises(DomainError) as twice:
            closing.close_account(
                s, s.get_one(accounts.Account, person.account_id), PASSWORD, COVERAGE, now=later
            )
        assert twice.value.code == "account.closed"
        assert twice.value.message == "This account has already been closed."
        indexing.drain(s)  # the worker's search-index job: the changed texts are reindexed
    with Session(engine) as s, s.begin():
        # The published tally is unchanged; the box counted after closing still
        # counts the closed account's ballot (three voters, three ballots).
        assert _tallies(s, person.boxes)[0] == tally_before[0]
        bulletin = publish(s, s.get_one(BallotBox, second), later + timedelta(minutes=1))
        assert len(bulletin["ballots"]) == 3
        voted = select(func.count()).select_from(Participation)
        assert s.scalar(voted.where(Participation.voter_key == f"account:{person.account_id}")) == 2
    with Session(engine) as s:
        assert s.connection().exec_driver_sql(hours).all() == ledger_before
        assert (
            s.connection().exec_driver_sql(hours + f" WHERE account_id = {person.account_id}").all()
            == mine_before
        )
        audit_after = [
            (a.id, a.actor_id, a.action, a.target, a.detail)
            for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]
        assert audit_after[: len(audit_before)] == audit_before
        [closed] = audit_after[len(audit_before) :]
        assert closed[1:4] == (person.account_id, "account.close", f"account:{person.account_id}")
        account = s.get_one(accounts.Account, person.account_id)
        assert account.display_name == f"已注销用户 #{person.account_id}"
        assert (account.phone, account.username, account.password_hash) == (None, None, None)
        assert not account.is_active and account.closed_at is not None
        left = _scan(s, [NAME, PHONE, EMAIL])
        assert not left, left
        entry = s.get_one(RollEntry, person.roll_entry_id)
        assert entry.account_id is None and entry.verified_at is None
        assert accounts.authenticate(s, PHONE, PASSWORD) is None
        # Someone else's failed sign-ins stay (their login is a prefix of the phone).
        failures = s.execute(text("SELECT key FROM sign_in_failures")).scalars().all()
        assert f"account:{PHONE[:-1]}" in failures
    with Session(engine) as s, s.begin():
        # The phone registers again, as a new person who has agreed to the notice.
        again = accounts.sign_up(s, login=PHONE, password=PASSWORD, display_name=NAME)
        assert again.id != person.account_id
        assert latest_version(s, again.id) == NOTICE_VERSION


def test_the_migrated_schema_has_the_consent_table(engine: Engine) -> None:
    names = inspect(engine).get_table_names()
    assert "privacy_consents" in names
    assert "closed_at" in {c["name"] for c in inspect(engine).get_columns("accounts")}


def test_consent_and_closing_on_both_databases(any_db_url: str) -> None:
    """The migration, the consent rows and every eraser's SQL, on SQLite and PostgreSQL."""
    engine = make_engine(any_db_url)
    with Session(engine) as s, s.begin():
        account = accounts.sign_up(s, login=PHONE, password=PASSWORD, display_name=NAME)
        accounts.record_failure(s, PHONE, "198.51.100.7", None, NOW)
        account_id = account.id
    with Session(engine) as s, s.begin():
        assert latest_version(s, account_id) == NOTICE_VERSION
        closing.close_account(
            s, s.get_one(accounts.Account, account_id), PASSWORD, COVERAGE, now=NOW
        )
    with Session(engine) as s:
        assert s.get_one(accounts.Account, account_id).closed_at is not None
        assert _scan(s, [NAME, PHONE]) == []
    engine.dispose()
