"""Roll imports: all rows or none, per-row reports, progress, large files, XLSX."""

from __future__ import annotations

import io
import time

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from participation.roll_import import job_errors, run_job, start_job
from participation.rolls import ImportJob, RollEntry
from tests.support.people import person, roll_csv
from tests.support.world import World

SECRET = b"test-secret"


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """This module runs on SQLite and on PostgreSQL."""
    return any_db_url


def run(
    engine: Engine,
    data: bytes,
    filename: str = "roll.csv",
    scope: str | None = None,
    seen: list[ImportJob] | None = None,
) -> ImportJob:
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions.begin() as s:
        job = start_job(s, "residents", filename, None)
    return run_job(
        sessions,
        job.id,
        data,
        secret=SECRET,
        scope_path=scope,
        progress=(seen.append if seen is not None else None),
    )


def roll_size(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(RollEntry)) or 0)


def test_a_hundred_thousand_rows_with_progress(world: World, engine: Engine) -> None:
    data = roll_csv(100_000).encode()
    seen: list[ImportJob] = []
    started = time.monotonic()
    job = run(engine, data, seen=seen)
    elapsed = time.monotonic() - started
    assert job.status == "done" and job.imported_rows == 100_000
    assert roll_size(engine) == 100_000
    progress = [j.processed_rows for j in seen if j.status == "validating"]
    assert len(progress) >= 40 and progress == sorted(progress)
    assert elapsed < 60


def test_one_bad_row_imports_nothing_and_is_reported(world: World, engine: Engine) -> None:
    lines = roll_csv(5000).splitlines()
    lines[3001] = lines[3001].replace(",M1,", ",NOPE,")
    lines[4000] = lines[17]  # the same person twice
    job = run(engine, ("\n".join(lines) + "\n").encode())
    assert job.status == "failed"
    assert roll_size(engine) == 0
    errors = job_errors(job)
    assert [(e["row"], e["column"]) for e in errors] == [
        (3002, "community_code"),
        (4001, "id_number"),
    ]
    assert errors[1]["params"] == {"row": "18"}


def test_people_already_on_the_roll_are_refused(world: World, engine: Engine) -> None:
    assert run(engine, roll_csv(10).encode()).status == "done"
    again = run(engine, roll_csv(5, start=8).encode())
    assert again.status == "failed"
    assert [e["row"] for e in job_errors(again)] == [2, 3]
    assert roll_size(engine) == 10


def test_gbk_csv_and_xlsx(world: World, engine: Engine) -> None:
    assert run(engine, roll_csv(3).encode("gb18030")).imported_rows == 3
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "身份证号", "出生日期", "社区代码", "户号"])
    for n in range(100, 104):
        name, number, born = person(n)
        sheet.append([name, number, born, "M1", 77.0])
    buffer = io.BytesIO()
    book.save(buffer)
    job = run(engine, buffer.getvalue(), "roll.xlsx")
    assert job.status == "done" and job.imported_rows == 4
    with Session(engine) as s:
        assert s.scalar(select(RollEntry.household_code).where(RollEntry.name == "居民100")) == "77"


def test_unreadable_files(world: World, engine: Engine) -> None:
    for data, filename in [(b"", "a.csv"), (b"a,b\n1,2\n", "a.csv"), (b"PK\x03\x04junk", "a.xlsx")]:
        job = run(engine, data, filename)
        assert job.status == "failed" and job.error_count == 1
    assert roll_size(engine) == 0


def test_scope(world: World, engine: Engine) -> None:
    job = run(engine, roll_csv(3, community="M2").encode(), scope=world["community"].path)
    assert job.status == "failed" and {e["column"] for e in job_errors(job)} == {"community_code"}
