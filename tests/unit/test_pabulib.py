"""pabulib files: reading, writing, and reproducing what cities actually funded."""

from __future__ import annotations

from pathlib import Path

import pytest

from participation.pabulib import dumps, load, loads
from participation.tally.pb import PABULIB_RULES, tally
from web.cli import main as cli_main

SHARED = Path(__file__).resolve().parents[3] / "shared" / "pabulib"
FILES = sorted(SHARED.glob("*.pb"))


def known_outcomes() -> list[Path]:
    chosen = []
    for path in FILES:
        election = load(str(path))
        if election.meta.get("rule") in PABULIB_RULES and election.selected() is not None:
            chosen.append(path)
    return chosen


def test_the_shared_files_are_there() -> None:
    assert len(FILES) >= 30, f"expected the shared pabulib files in {SHARED}"


@pytest.mark.parametrize("path", known_outcomes(), ids=lambda p: p.stem[:40])
def test_reproduces_the_real_outcome(path: Path) -> None:
    election = load(str(path))
    outcome = tally(election, PABULIB_RULES[election.meta["rule"]])
    assert set(outcome.selected) == election.selected()


@pytest.mark.parametrize("path", FILES[:6], ids=lambda p: p.stem[:40])
def test_round_trip(path: Path) -> None:
    election = load(str(path))
    again = loads(dumps(election))
    assert again.meta == election.meta
    assert again.projects == election.projects
    assert again.votes == election.votes


def test_cli(capsys: pytest.CaptureFixture[str]) -> None:
    path = SHARED / "Netherlands_Assen_2024.pb"
    assert cli_main(["pb", "tally", str(path), "--rule", "mes-add1", "--json"]) == 0
    import json

    printed = json.loads(capsys.readouterr().out)
    assert set(printed["selected"]) == load(str(path)).selected()
    assert cli_main(["pb", "tally", str(path), "--rule", "greedy", "--explain"]) == 0
    assert "Funded" in capsys.readouterr().out
    assert cli_main(["pb", "tally", str(SHARED / "nope.pb"), "--rule", "greedy"]) == 2
