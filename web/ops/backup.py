"""``gongzhi backup FILE`` and ``gongzhi restore FILE``.

SQLite: the online backup API copies the database while the portal keeps
writing (one step under a read transaction, so the copy is the database as of
one commit; writers go on in WAL mode meanwhile), into a temporary file renamed
into place, then made a single self-contained file (journal mode DELETE).
PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot, also while the
portal writes) and ``pg_restore`` in one transaction. The connection settings
go to the tools as PG* variables, never on the command line.

A restore goes into an empty database (a new SQLite file, or an empty
PostgreSQL database) unless ``replace`` is given; the portal should be stopped
while it runs. A backup made by an older release restores as it was: run
``gongzhi migrate`` after it (the restore says so).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from participation.db import make_engine
from web.ops.schema import schema_state

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why."""


def backup(database_url: str, target: Path) -> str:
    """Write a backup of the database to ``target``; a one-line summary."""
    target.parent.mkdir(parents=True, exist_ok=True)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _backup_sqlite(_sqlite_path(database_url), target)
    if url.get_backend_name() == "postgresql":
        return _backup_postgresql(database_url, target)
    raise BackupError(f"cannot back up a {url.get_backend_name()} database")


def restore(database_url: str, source: Path, *, replace: bool = False) -> str:
    """Restore ``source`` (made by :func:`backup`) into the database; a summary."""
    try:
        with source.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"cannot read {source}: {error.strerror}") from None
    backend = make_url(database_url).get_backend_name()
    if backend == "sqlite" and head.startswith(SQLITE_MAGIC):
        _refuse_unless_empty(database_url, replace)
        summary = _restore_sqlite(source, _sqlite_path(database_url))
    elif backend == "postgresql" and head.startswith(PG_DUMP_MAGIC):
        _refuse_unless_empty(database_url, replace)
        summary = _restore_postgresql(database_url, source, replace=replace)
    else:
        kind = (
            "SQLite"
            if head.startswith(SQLITE_MAGIC)
            else "pg_dump"
            if head.startswith(PG_DUMP_MAGIC)
            else "unknown"
        )
        raise BackupError(f"{source} is a {kind} file, not a backup of a {backend} database")
    return summary + _schema_note(database_url)


def _sqlite_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(database)


def _backup_sqlite(path: Path, target: Path) -> str:
    if not path.exists():
        raise BackupError(f"{path} does not exist")
    fd, temporary = tempfile.mkstemp(prefix=".backup-", dir=target.parent)
    os.close(fd)
    source = sqlite3.connect(path, timeout=30)
    copy = sqlite3.connect(temporary)
    try:
        source.backup(copy)  # all pages in one step: one consistent snapshot
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        (check,) = copy.execute("PRAGMA integrity_check").fetchone()
        if check != "ok":
            raise BackupError(f"the copy failed its integrity check: {check}")
    except BaseException:
        copy.close()
        Path(temporary).unlink(missing_ok=True)
        raise
    finally:
        source.close()
    copy.close()
    os.chmod(temporary, 0o600)
    os.replace(temporary, target)
    return f"backed up {path} to {target} ({target.stat().st_size} bytes)"


def _restore_sqlite(source: Path, path: Path) -> str:
    backup_file = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        (check,) = backup_file.execute("PRAGMA integrity_check").fetchone()
        if check != "ok":
            raise BackupError(f"{source} failed its integrity check: {check}")
        path.parent.mkdir(parents=True, exist_ok=True)
        database = sqlite3.connect(path, timeout=30)
        try:
            backup_file.backup(database)
            database.execute("PRAGMA journal_mode=WAL")
        finally:
            database.close()
    finally:
        backup_file.close()
    return f"restored {source} into {path}"


def _refuse_unless_empty(database_url: str, replace: bool) -> None:
    if replace:
        return
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and not _sqlite_path(database_url).exists():
        return
    engine = make_engine(database_url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise BackupError(
            f"the database at {url.render_as_string()} is not empty ({len(tables)} tables): "
            "restore into a new database, or pass --replace to overwrite it"
        )


def _pg_environment(database_url: str) -> dict[str, str]:
    url = make_url(database_url)
    env = dict(os.environ)
    values = {
        "PGHOST": url.query.get("host") or url.host,
        "PGPORT": url.port,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
        "PGSSLMODE": url.query.get("sslmode"),
    }
    env.update({key: str(value) for key, value in values.items() if value})
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not candidates:
        raise BackupError(f"{name} not found: install Debian's postgresql-client")
    return str(candidates[-1])


def _run(command: list[str], database_url: str) -> None:
    done = subprocess.run(
        command, env=_pg_environment(database_url), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()}")


def _backup_postgresql(database_url: str, target: Path) -> str:
    fd, temporary = tempfile.mkstemp(prefix=".backup-", dir=target.parent)
    os.close(fd)
    try:
        _run(
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", temporary],
            database_url,
        )
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    os.chmod(temporary, 0o600)
    os.replace(temporary, target)
    return (
        f"backed up {make_url(database_url).database} to {target} ({target.stat().st_size} bytes)"
    )


def _restore_postgresql(database_url: str, source: Path, *, replace: bool) -> str:
    command = [_pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction"]
    if replace:
        command += ["--clean", "--if-exists"]
    command += ["--dbname", make_url(database_url).database or "", str(source)]
    _run(command, database_url)
    return f"restored {source} into {make_url(database_url).database}"


def _schema_note(database_url: str) -> str:
    engine = make_engine(database_url)
    try:
        state = schema_state(engine)
    finally:
        engine.dispose()
    return "" if state.current else f"; {state.explain()}"
