"""pabulib files: reading, writing, and reproducing what cities actually funded."""

from __future__ import annotations

from pathlib import Path

import pytest

from participation.ballots.pabulib import dumps, load, loads
from participation.ballots.tally.pb import PABULIB_RULES, tally
from tests.support.shared import needs_shared, shared_folder
from web.cli import main as cli_main

SHARED = shared_folder("pabulib")
FILES = sorted(SHARED.glob("*.pb"))
needs_pabulib = needs_shared("pabulib", "Netherlands_Assen_2024.pb")


def known_outcomes() -> list[Path]:
    chosen = []
    for path in FILES:
        election = load(str(path))
        if election.meta.get("rule") in PABULIB_RULES and election.selected() is not None:
            chosen.append(path)
    return chosen


@needs_pabulib
def test_the_shared_files_are_there() -> None:
    assert len(FILES) >= 30, f"expected the shared pabulib files in {SHARED}"


@needs_pabulib
@pytest.mark.parametrize("path", known_outcomes(), ids=lambda p: p.stem[:40])
def test_reproduces_the_real_outcome(path: Path) -> None:
    election = load(str(path))
    outcome = tally(election, PABULIB_RULES[election.meta["rule"]])
    assert set(outcome.selected) == election.selected()


@needs_pabulib
@pytest.mark.parametrize("path", FILES[:6], ids=lambda p: p.stem[:40])
def test_round_trip(path: Path) -> None:
    election = load(str(path))
    again = loads(dumps(election))
    assert again.meta == election.meta
    assert again.projects == election.projects
    assert again.votes == election.votes


@needs_pabulib
def test_cli(capsys: pytest.CaptureFixture[str]) -> None:
    path = SHARED / "Netherlands_Assen_2024.pb"
    assert cli_main(["pb", "tally", str(path), "--rule", "mes-add1", "--json"]) == 0
    import json

    printed = json.loads(capsys.readouterr().out)
    assert set(printed["selected"]) == load(str(path)).selected()
    assert cli_main(["pb", "tally", str(path), "--rule", "greedy", "--explain"]) == 0
    assert "Funded" in capsys.readouterr().out
    assert cli_main(["pb", "tally", str(SHARED / "nope.pb"), "--rule", "greedy"]) == 2


TIED = """META
key;value
budget;100
vote_type;approval
PROJECTS
project_id;cost
a;80
b;60
c;30
VOTES
voter_id;vote
1;a,b
2;a,b
3;c
"""


@pytest.mark.parametrize(
    ("tie_break", "funded"),
    [("votes", ["b", "c"]), ("cheaper", ["b", "c"]), ("file", ["a"])],
)
def test_the_tie_break_decides_equal_votes(tie_break: str, funded: list[str]) -> None:
    outcome = tally(loads(TIED), "greedy", tie_break)
    assert list(outcome.selected) == funded
    assert outcome.notes  # a and b tie at 2 votes, and that is said


def test_explain_states_ties_and_names_the_tie_break(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tied.pb"
    path.write_text(TIED, encoding="utf-8")
    assert cli_main(["pb", "tally", str(path), "--rule", "greedy", "--explain"]) == 0
    out = capsys.readouterr().out
    assert "Ties, broken by the tie-break votes (more votes first" in out
    assert "Tied at a score of 2: b, a" in out
    assert cli_main(["pb", "tally", str(path), "--rule", "mes", "--tie-break", "file"]) == 0


@needs_pabulib
def test_explain_lists_the_ties_of_a_real_file(capsys: pytest.CaptureFixture[str]) -> None:
    assen = str(SHARED / "Netherlands_Assen_2024.pb")  # an exact tie in round 3
    assert cli_main(["pb", "tally", assen, "--rule", "mes-add1", "--explain", "--json"]) == 0
    printed = capsys.readouterr().out.splitlines()[-1]
    import json

    data = json.loads(printed)
    assert data["tie_break"] == "votes"
    assert any("chosen over" in line for line in data["ties"])


@needs_pabulib
def test_default_tie_break_reproduces_the_most_published_outcomes() -> None:
    """The default is the order that reproduces the most published outcomes (README)."""
    from participation.ballots.tally.equal_shares import TIE_BREAKS
    from participation.ballots.tally.pb import DEFAULT_TIE_BREAK

    reproduced = dict.fromkeys(TIE_BREAKS, 0)
    for path in known_outcomes():
        election = load(str(path))
        for tie_break in TIE_BREAKS:
            outcome = tally(election, PABULIB_RULES[election.meta["rule"]], tie_break)
            reproduced[tie_break] += set(outcome.selected) == election.selected()
    assert reproduced[DEFAULT_TIE_BREAK] == max(reproduced.values())
