"""Every loader that writes roll entries past the ORM leaves ``roll_counts`` equal to
counting the roll, for every community: the demo (its consultations' crowd), the
tests' voters and evaluation worlds (the city loader: tests/db/core/test_city_scale);
and ``gongzhi rolls recount`` mends a summary gone wrong (after a restore)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.db import make_engine
from participation.rolls import RollCount
from tests.support import evaluation_setup
from tests.support.roll_counts import counted, summary
from tests.support.voters import prepare_voters
from web.cli import main


def test_the_voters_loader_counts_its_roll(sqlite_url: str) -> None:
    prepare_voters(sqlite_url, 25)
    engine = make_engine(sqlite_url)
    assert (
        summary(engine) == counted(engine)
        and sum(counted(engine)[c][0] for c in counted(engine)) == 25
    )
    engine.dispose()


def test_the_evaluation_world_counts_its_roll(engine: Engine) -> None:
    evaluation_setup.build(engine, residents=6)
    assert summary(engine) == counted(engine)
    assert sorted(entries for entries, _ in counted(engine).values()) == [3, 4]


def test_the_demo_counts_its_roll(demo_url: str) -> None:
    engine = make_engine(demo_url)
    assert summary(engine) == counted(engine) and len(counted(engine)) > 1
    engine.dispose()


@pytest.fixture
def cli_env(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("GONGZHI_DATABASE_URL", demo_url)
    monkeypatch.setenv("GONGZHI_ENV", "test")
    return demo_url


def test_the_recount_command_mends_a_wrong_summary(
    cli_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(cli_env)
    right = counted(engine)
    with Session(engine) as s, s.begin():  # as a restore of an older copy of one table
        first = min(right)
        s.execute(delete(RollCount).where(RollCount.community_id == first))
        s.execute(update(RollCount).values(verified=RollCount.verified + 5))
    assert summary(engine) != right
    for _ in range(2):  # and again: the same
        assert main(["rolls", "recount"]) == 0
        assert summary(engine) == counted(engine) == right
    assert f"{len(right)} communities" in capsys.readouterr().out
    engine.dispose()
