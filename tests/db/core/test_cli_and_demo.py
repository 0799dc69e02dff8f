from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation import departments, notices
from participation.accounts import Account, find_by_login, grants_of
from participation.areas import Area
from participation.db import make_engine
from participation.rolls import DeputyEntry, RollEntry
from participation.rules.permissions import Role
from tests.support.demo_db import RESIDENTS
from tests.support.world import World
from volunteers.models import Activity, StarSchemeRecord
from web.cli import load_demo, main
from web.settings import Settings


@pytest.fixture
def cli_env(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("GONGZHI_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("GONGZHI_CHEAP_HASHING", "1")
    monkeypatch.setenv("GONGZHI_ENV", "test")
    return sqlite_url


def test_create_admin(cli_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["create-admin", "boss", "--password", "long enough"]) == 0
    engine = make_engine(cli_env)
    with Session(engine) as s:
        account = find_by_login(s, "boss")
        assert account is not None
        assert [g.role for g in grants_of(s, account.id)] == [Role.ADMIN]
    assert main(["create-admin", "boss", "--password", "long enough"]) == 2
    assert main(["create-admin", "x", "--password", "long enough"]) == 2
    engine.dispose()


def test_import_areas_reports_rows_and_imports_nothing(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,kind,parent_code\nC,市,city,\nD,区,grid,C\n", encoding="utf-8")
    assert main(["import-areas", str(bad)]) == 1
    assert "row 3" in capsys.readouterr().err
    good = tmp_path / "good.csv"
    good.write_text("code,name,kind,parent_code\nC,市,city,\nD,区,district,C\n", encoding="utf-8")
    assert main(["import-areas", str(good)]) == 0
    engine = make_engine(cli_env)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Area)) == 2
    engine.dispose()


def test_demo_data(demo_url: str, demo_seed_text: str) -> None:
    """On the demo seeded once per run by ``load_demo`` (tests/support/demo_db.py), with
    what it printed then; loading again onto it loads nothing."""
    settings = Settings(environment="development", database_url=demo_url, cheap_hashing=True)
    text = demo_seed_text
    assert "admin" in text and "gongzhi-demo" in text
    engine = make_engine(demo_url)
    with Session(engine) as s:
        kinds = dict(s.execute(select(Area.kind, func.count()).group_by(Area.kind)).all())
        assert kinds["district"] >= 2 and kinds["street"] >= 4 and kinds["community"] >= 8
        assert kinds["grid"] >= 8
        imported = ~RollEntry.household_code.like("OP%")  # not the opinion-map crowd
        assert (
            s.scalars(select(func.count()).select_from(RollEntry).where(imported)).one()
            == RESIDENTS
        )
        assert (
            s.scalars(
                select(func.count()).select_from(RollEntry).where(RollEntry.account_id.is_not(None))
            ).one()
            > 10
        )
        assert s.scalars(select(func.count()).select_from(DeputyEntry)).one() > 0
        roles = {g.role for a in s.scalars(select(Account)) for g in grants_of(s, a.id)}
        assert roles == set(Role)
        resident = find_by_login(s, "resident")
        assert resident is not None and notices.unread_count(s, resident.id) >= 1
        # Volunteer settings: a district star scheme and activities with their own rules.
        assert s.scalars(select(func.count()).select_from(StarSchemeRecord)).one() >= 1
        assert s.scalars(select(func.count()).where(Activity.consent_age.is_not(None))).one() >= 1
        # Every department the demo assigns is a record (no name split on the board).
        assert departments.unmatched_names(s) == []
    engine.dispose()
    assert "already loaded" in load_demo(settings)


def test_import_roll_command(world: World, sqlite_url: str, tmp_path: Path) -> None:
    """Run as a separate process, the way staff use it (catches import-order bugs)."""
    import os
    import subprocess
    import sys

    from tests.support.people import roll_csv

    env = os.environ | {
        "GONGZHI_DATABASE_URL": sqlite_url,
        "GONGZHI_ENV": "test",
        "GONGZHI_DEFAULT_LOCALE": "en",
    }
    command = [sys.executable, "-m", "web.cli", "import-roll"]
    bad = tmp_path / "bad.csv"
    bad.write_text(roll_csv(30).replace(",M1,", ",M9,", 1), encoding="utf-8")
    refused = subprocess.run(
        [*command, str(bad)], env=env, capture_output=True, text=True, check=False
    )
    assert refused.returncode == 1
    assert "row 2, community_code: no community has the code M9" in refused.stderr
    good = tmp_path / "good.csv"
    good.write_text(roll_csv(30), encoding="utf-8")
    done = subprocess.run(
        [*command, str(good)], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "30 rows imported" in done.stdout and "rows checked" in done.stderr
    engine = make_engine(sqlite_url)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(RollEntry)) == 30
    engine.dispose()
