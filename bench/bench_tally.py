"""Tally speed: our budget rules next to the previous code and pabutools, same run.

python bench/bench_tally.py [--quick] [--previous REF] [--limit S] [--every-file] [--repeat N]

Times are wall clock, with the CPU time of ours beside them; with ``--repeat N``
each of ours and the previous code's is the least of N runs (wall and CPU apart:
on a shared machine the least is the one the others disturbed least). "new" is this
checkout, "previous" is participation/ballots/tally/ as of git REF (default:
relayout), loaded side by side from a temporary git worktree of REF;
"pabutools" is the reference implementation, run in a subprocess under a time limit (where it does
not finish, the time is shown as "> limit"). Instances: the shared pabulib files
that use approval ballots (the largest ones, Targowek 2023 among them, for
Equal Shares with add-one) and seeded synthetic elections, among them a city of
60,000 voters and 80 projects whose voters hold several hundred yuan each (many
add-one steps). The machine and the load average before and after are printed.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness import ROOT, machine

sys.path.insert(0, str(ROOT))

from participation.ballots.pabulib import Election, dumps, load
from participation.ballots.tally.pb import tally
from tests.support.shared import shared_folder

SHARED = shared_folder("pabulib")  # ../shared, or $GONGZHI_SHARED


def synthetic(
    voters: int, projects: int, seed: int = 2026, share: float = 0.25, scale: int = 200
) -> Election:
    """A seeded election: costs 10k..scale*1000, popularity skewed, 1-6 approvals each."""
    rng = random.Random(seed)
    keys = [f"p{i}" for i in range(projects)]
    costs = {k: rng.randint(10, scale) * 1000 for k in keys}
    popularity = [rng.random() ** 2 for _ in keys]
    election = Election(
        meta={
            "budget": str(int(sum(costs.values()) * share)),
            "vote_type": "approval",
            "num_projects": str(projects),
            "num_votes": str(voters),
        },
        project_columns=["project_id", "cost"],
        vote_columns=["voter_id", "vote"],
    )
    election.projects = {k: {"project_id": k, "cost": str(costs[k])} for k in keys}
    for v in range(voters):
        chosen = set(rng.choices(keys, weights=popularity, k=rng.randint(1, 6)))
        election.votes.append({"voter_id": str(v), "vote": ",".join(sorted(chosen))})
    return election


def previous_tally(tree: Path) -> Callable[[Election, str], object]:
    """``tally`` of participation/ballots/tally/ in the checkout ``tree``, as a
    separate module."""

    def source(path: str) -> str:
        return (tree / path).read_text(encoding="utf-8")

    rules = types.ModuleType("previous_equal_shares")
    sys.modules["previous_equal_shares"] = rules  # dataclasses look their module up
    code = compile(source("participation/ballots/tally/equal_shares.py"), "previous_es", "exec")
    exec(code, rules.__dict__)
    pb = types.ModuleType("previous_pb")
    text = source("participation/ballots/tally/pb.py").replace(
        "from participation.ballots.tally.equal_shares import", "from previous_equal_shares import"
    )
    exec(compile(text, "previous_pb", "exec"), pb.__dict__)
    return pb.tally  # type: ignore[no-any-return]


def worktree(ref: str, where: str) -> Path:
    """A detached git worktree of ``ref`` in ``where`` (removed by ``drop``)."""
    path = Path(where) / "previous"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(path), ref], check=True
    )
    return path


def drop(path: Path) -> None:
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)], check=False
    )


def every_file(previous: Callable[[Election, str], object]) -> None:
    """mes-add1 on every shared pabulib file (votes read as approvals), slowest first."""
    rows = []
    for path in sorted(SHARED.glob("*.pb")):
        election = load(str(path))
        mine, ours = timed(tally, election, "mes-add1")
        mine = CPU[0]
        theirs, before = timed(previous, election, "mes-add1")
        theirs = CPU[0]
        same = set(ours.selected) == set(before.selected)  # type: ignore[attr-defined]
        rows.append((mine, theirs, len(election.votes), path.stem, same))
    title = "every shared file, mes-add1, CPU time"
    print(f"{title:<48} {'voters':>7} {'new s':>7} {'previous s':>10} same new/previous")
    for mine, theirs, voters, name, same in sorted(rows, reverse=True):
        print(
            f"{name[:48]:<48} {voters:7d} {mine:7.2f} {theirs:10.2f} {'yes' if same else 'NO ':<4}"
            f" {ratio(mine, theirs)}"
        )
    print(
        f"slowest new {max(r[0] for r in rows):.2f} s, all {sum(r[0] for r in rows):.2f} s "
        f"(previous: slowest {max(r[1] for r in rows):.2f} s, all {sum(r[1] for r in rows):.2f} s)"
    )


def ratio(mine: float, theirs: float) -> str:
    """new / previous CPU time, or a dash where either is below 0.05 s (noise)."""
    return f"{mine / theirs:5.2f}" if min(mine, theirs) >= 0.05 else "    -"


def reference(path: Path, rule: str, limit: float) -> float | None:
    try:
        out = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "pabutools_run.py"), str(path), rule],
            capture_output=True,
            text=True,
            timeout=limit,
            check=True,
        ).stdout
        return float(out.split()[0])
    except subprocess.TimeoutExpired:
        return None


def timed(
    fn: Callable[[Election, str], object], election: Election, rule: str
) -> tuple[float, object]:
    """Wall time and outcome, the least of ``REPEAT[0]`` runs; the least CPU
    time is in ``CPU[0]`` (on a shared, loaded machine wall time mostly
    measures the others)."""
    wall, cpu_least, outcome = float("inf"), float("inf"), None
    for _ in range(REPEAT[0]):
        started, cpu = time.perf_counter(), time.process_time()
        outcome = fn(election, rule)
        cpu_least = min(cpu_least, time.process_time() - cpu)
        wall = min(wall, time.perf_counter() - started)
    CPU[0] = cpu_least
    return wall, outcome


CPU = [0.0]
REPEAT = [1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--previous", default="relayout", help="git ref of the previous code")
    parser.add_argument("--limit", type=float, default=None, help="seconds per pabutools run")
    parser.add_argument(
        "--every-file", action="store_true", help="also mes-add1 on every shared file"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of ours and the previous code (least shown)"
    )
    args = parser.parse_args()
    REPEAT[0] = max(1, args.repeat)
    with tempfile.TemporaryDirectory() as where:
        tree = worktree(args.previous, where)
        try:
            return run(args, previous_tally(tree))
        finally:
            drop(tree)


def run(args: argparse.Namespace, previous: Callable[[Election, str], object]) -> int:
    limit = args.limit or (20 if args.quick else 60)
    print(machine())
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"previous = participation/ballots/tally/ at {args.previous};"
        f" pabutools limit {limit:.0f} s; least of {REPEAT[0]} run(s) each"
    )
    cases: list[tuple[str, Path, Election, tuple[str, ...]]] = []
    files = [
        ("Netherlands_Assen_2024.pb", ("greedy", "mes", "mes-add1", "mes-add1-greedy")),
        ("Poland_Swiecie_2023.pb", ("mes-add1", "mes-add1-greedy")),
        ("Poland_Warszawa_2023_Targowek.pb", ("greedy", "mes", "mes-add1", "mes-add1-greedy")),
        ("Poland_Warszawa_2024_Praga-Poludnie.pb", ("mes-add1",)),
        ("US_Stanford_Dataset_SF_Tenderloin_December_2022_vote_knapsacks.pb", ("mes-add1",)),
        ("Poland_Katowice_2023.pb", ("mes-add1",)),  # the largest file: 39,828 voters
    ]
    if args.quick:
        files = files[:3]
    for name, file_rules in files:
        path = SHARED / name
        if path.exists():
            cases.append((name.removesuffix(".pb")[:34], path, load(str(path)), file_rules))
    header = (
        f"{'instance':<34} {'rule':<16} {'new s':>7} {'previous s':>10} {'pabutools s':>11} same"
        f"   CPU s: new previous  new/previous"
    )
    with tempfile.TemporaryDirectory() as tmp:
        sizes: list[tuple[str, int, int, dict[str, Any], tuple[str, ...]]] = [
            ("synthetic 60,000 x 80", 60_000, 80, {}, ("mes-add1-greedy",)),
            (
                "city 60,000 x 80, 400 yuan each",
                60_000,
                80,
                {"share": 0.4, "scale": 2000},
                ("mes-add1", "mes-add1-greedy"),
            ),
            ("synthetic 100,000 x 200", 100_000, 200, {}, ("mes",)),
        ]
        if args.quick:
            sizes = sizes[:1]
        for label, voters, projects, options, rules in sizes:
            election = synthetic(voters, projects, **options)
            path = Path(tmp) / f"{voters}x{projects}.pb"
            path.write_text(dumps(election), encoding="utf-8")
            cases.append((label, path, election, rules))
        print(header)
        for label, path, election, rules in cases:
            for rule in rules:
                mine, ours = timed(tally, election, rule)
                mine_cpu = CPU[0]
                theirs_s, before = timed(previous, election, rule)
                theirs_cpu = CPU[0]
                same = "yes" if set(ours.selected) == set(before.selected) else "NO"  # type: ignore[attr-defined]
                ref = reference(path, rule, limit)
                shown = f"{ref:11.2f}" if ref is not None else f"{'> ' + str(int(limit)):>11}"
                print(
                    f"{label[:34]:<34} {rule:<16} {mine:7.2f} {theirs_s:10.2f} {shown} {same:<4}"
                    f"        {mine_cpu:7.2f} {theirs_cpu:7.2f}  {ratio(mine_cpu, theirs_cpu)}",
                    flush=True,
                )
    if args.every_file:
        every_file(previous)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
