"""Backups taken while the portal writes restore every acknowledged write
(SQLite's online backup API; pg_dump and pg_restore on PostgreSQL)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from participation import outbox
from participation.db import make_engine
from participation.outbox import OutboxMessage
from tests.support.pg import Cluster
from tests.support.servers import HANG_GUARD_SECONDS
from web.cli import main
from web.ops.backup import BackupError, backup, restore
from web.ops.schema import code_heads, schema_state


def _fresh_database(any_db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """An empty database of the same kind, as a new host would have."""
    if any_db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path}/restored/gongzhi.db"
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    admin = create_engine(cluster.admin_url, isolation_level="AUTOCOMMIT")
    name = f"restored_{abs(hash(any_db_url)) % 10**8}"
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return cluster.url(name)


def _keys(url: str) -> set[str]:
    engine = make_engine(url)
    with Session(engine) as s:
        keys = set(s.scalars(select(OutboxMessage.key)))
    engine.dispose()
    return {k for k in keys if k}


def test_a_backup_taken_during_writes_restores_every_acknowledged_write(
    any_db_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    engine = make_engine(any_db_url)
    sessions = sessionmaker(engine)
    acknowledged: list[str] = []
    attempted: list[str] = []
    enough = threading.Event()
    stop = threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            i = 0
            while not stop.is_set():
                key = f"write-{i}"
                attempted.append(key)
                with sessions.begin() as s:
                    outbox.queue(s, to="a@example.cn", subject=key, body="b", key=key)
                acknowledged.append(key)  # the commit returned: the write is acknowledged
                i += 1
                if i == 50:
                    enough.set()
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)
            enough.set()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert enough.wait(timeout=HANG_GUARD_SECONDS)  # only a guard against a hang
        before = set(acknowledged)
        summary = backup(any_db_url, tmp_path / "backups" / "gongzhi.backup")
        during = len(acknowledged) - len(before)
    finally:
        stop.set()
        thread.join()
    engine.dispose()
    assert not failures
    assert "backed up" in summary

    fresh = _fresh_database(any_db_url, tmp_path, request)
    print(restore(fresh, tmp_path / "backups" / "gongzhi.backup"))
    restored = _keys(fresh)
    assert before <= restored  # every write acknowledged before the backup began
    assert restored <= set(attempted)  # and nothing that was never written
    # Whatever the backup caught of the writes that went on meanwhile, it caught
    # whole transactions: the restored writes are a prefix of the writer's order.
    order = {key: n for n, key in enumerate(attempted)}
    assert sorted(order[k] for k in restored) == list(range(len(restored)))
    print(f"{len(before)} writes before the backup, {during} acknowledged while it ran")
    restored_engine = make_engine(fresh)
    assert schema_state(restored_engine).database == code_heads()
    restored_engine.dispose()


def test_restore_refuses_a_database_with_data_unless_told(
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GONGZHI_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("GONGZHI_ENV", "test")
    engine = make_engine(sqlite_url)
    with Session(engine) as s, s.begin():
        outbox.queue(s, to="a@example.cn", subject="s", body="b", key="kept")
    file = tmp_path / "one.backup"
    assert main(["backup", str(file)]) == 0
    with Session(engine) as s, s.begin():
        outbox.queue(s, to="a@example.cn", subject="s", body="b", key="after")
    engine.dispose()

    assert main(["restore", str(file)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert _keys(sqlite_url) == {"kept", "after"}  # nothing changed
    assert main(["restore", str(file), "--replace"]) == 0
    assert _keys(sqlite_url) == {"kept"}
    with sqlite3.connect(file) as copy:  # the backup is one self-contained file
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_restore_refuses_what_is_not_a_backup_of_this_kind(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    with pytest.raises(BackupError, match="unknown file"):
        restore(f"sqlite:///{tmp_path}/new.db", junk)
    dump = tmp_path / "pg.backup"
    dump.write_bytes(b"PGDMP" + bytes(100))
    with pytest.raises(BackupError, match="pg_dump file, not a backup of a sqlite"):
        restore(f"sqlite:///{tmp_path}/new.db", dump)
    assert not (tmp_path / "new.db").exists()
