"""Tally speed: our budget rules next to pabutools on the same instances, same run.

python bench/bench_tally.py [--quick]

Instances: the shared pabulib files that use approval ballots, and synthetic
elections (seeded). pabutools runs in a subprocess under a time limit; where it
does not finish, the ratio is a lower bound ("> x").
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import ROOT, machine

sys.path.insert(0, str(ROOT))

from participation.pabulib import Election, dumps, load
from participation.tally.pb import tally

SHARED = ROOT.parent / "shared" / "pabulib"
RULES = ("greedy", "mes", "mes-add1", "mes-add1-greedy")


def synthetic(voters: int, projects: int, seed: int = 2026) -> Election:
    rng = random.Random(seed)
    keys = [f"p{i}" for i in range(projects)]
    costs = {k: rng.randint(10, 200) * 1000 for k in keys}
    popularity = [rng.random() ** 2 for _ in keys]
    election = Election(
        meta={
            "budget": str(sum(costs.values()) // 4),
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


def reference(path: Path, rule: str, limit: int) -> float | None:
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


def ours(election: Election, rule: str) -> float:
    started = time.perf_counter()
    tally(election, rule)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    limit = 20 if args.quick else 60
    print(machine())
    print(f"pabutools time limit: {limit} s per run")
    print(f"{'instance':<42} {'rule':<16} {'ours s':>8} {'pabutools s':>12} {'speed-up':>9}")
    cases: list[tuple[str, Path, Election, tuple[str, ...]]] = []
    # Add-one completion repeats Equal Shares once per unit of budget added per
    # voter; on Targowek (97 costly projects) that is about 480 runs, so it is
    # the slowest case here (and pabutools does not finish within the limit).
    files = [
        ("Netherlands_Assen_2024.pb", RULES),
        ("Poland_Swiecie_2023.pb", RULES),
        ("Poland_Warszawa_2023_Targowek.pb", ("greedy", "mes", "mes-add1")),
    ]
    for name, file_rules in files:
        path = SHARED / name
        if path.exists():
            cases.append((name.removesuffix(".pb"), path, load(str(path)), file_rules))
    with tempfile.TemporaryDirectory() as tmp:
        sizes = [
            (10_000, 200, ("greedy", "mes")),
            (60_000, 80, ("mes-add1-greedy",)),
            (100_000, 200, ("greedy", "mes")),
        ]
        if args.quick:
            sizes = sizes[:2]
        for voters, projects, rules in sizes:
            election = synthetic(voters, projects)
            path = Path(tmp) / f"synthetic_{voters}x{projects}.pb"
            path.write_text(dumps(election), encoding="utf-8")
            cases.append((f"synthetic {voters} voters x {projects}", path, election, rules))
        for label, path, election, rules in cases:
            for rule in rules:
                mine = ours(election, rule)
                theirs = reference(path, rule, limit)
                ratio = f"{theirs / mine:8.1f}x" if theirs else f"> {limit / mine:.0f}x"
                shown = f"{theirs:12.2f}" if theirs else f"{'> ' + str(limit):>12}"
                print(f"{label[:42]:<42} {rule:<16} {mine:8.2f} {shown} {ratio:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
