"""Opinion-map speed: 10,000 participants x 500 statements, sparse votes; the
current code, the code before issue 16 and red-dwarf in the same run.

python bench/bench_opinion.py [--participants N] [--statements M] [--per-person K] [--no-red-dwarf]

Each participant votes on K statements (default 60, as Pol.is shows a sample of
statements to each person), drawn at random; three camps with their own
stances, plus noise. The target (issue 16) is under 2 s for the whole map:
matrix, PCA, 100 base clusters, groups for k = 2..5 with silhouettes,
representative statements and consensus.

red-dwarf (``pip install red-dwarf``, a Python re-implementation of the Pol.is
math on pandas and scikit-learn) is timed on the same votes when installed; it
is a benchmark reference only, never a dependency nor used by tests. Its groups
are compared with ours by the adjusted Rand index.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from harness import ROOT, machine

sys.path.insert(0, str(ROOT))

import opinion_before

from consultations.rules.opinion import opinion_map
from tests.unit.consultations.polis_data import adjusted_rand_index


def conversation(people: int, statements: int, per_person: int, seed: int = 2026) -> list:
    rng = np.random.default_rng(seed)
    stances = rng.choice([-1, 1], size=(3, statements))
    stances[:, : statements // 10] = 1  # a tenth of the statements: everyone agrees
    camp = rng.integers(0, 3, size=people)
    votes = []
    for person in range(people):
        shown = rng.choice(statements, size=per_person, replace=False)
        choice = stances[camp[person], shown]
        noise = rng.random(per_person)
        choice = np.where(noise < 0.15, rng.integers(-1, 2, size=per_person), choice)
        votes.extend(zip([person] * per_person, shown.tolist(), choice.tolist(), strict=True))
    return votes


CPU: dict[str, float] = {}


def best_of(runs: int, work: Callable[[], Any], name: str = "") -> tuple[float, Any]:
    """Best wall time of ``runs``; the CPU time of that run goes to CPU[name] (on a
    shared machine, wall time depends on the neighbours; CPU time much less)."""
    best, result = float("inf"), None
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        result = work()
        took = time.perf_counter() - started
        if took < best:
            best, CPU[name] = took, time.process_time() - cpu
    return best, result


def red_dwarf(votes: list) -> Any:
    from reddwarf.implementations.base import run_pipeline

    records = [{"participant_id": p, "statement_id": s, "vote": c} for p, s, c in votes]
    return run_pipeline(votes=records, random_state=0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--statements", type=int, default=500)
    parser.add_argument("--per-person", type=int, default=60)
    parser.add_argument("--no-red-dwarf", action="store_true")
    args = parser.parse_args()
    print(machine())
    votes = conversation(args.participants, args.statements, args.per_person)
    print(
        f"{args.participants:,} participants x {args.statements} statements, "
        f"{len(votes):,} votes (best of 3 each)"
    )
    new_time, new = best_of(3, lambda: opinion_map(votes), "now")
    old_time, old = best_of(3, lambda: opinion_before.opinion_map(votes), "before")
    sizes = ", ".join(f"{g.label}={g.size}" for g in new.groups)
    print(
        f"  now (Pol.is pipeline): {new_time:.2f} s (CPU {CPU['now']:.2f} s); groups {sizes}; "
        f"{len(new.consensus)} + {len(new.consensus_disagree)} consensus statements"
    )
    print(
        f"  before issue 16:       {old_time:.2f} s (CPU {CPU['before']:.2f} s); "
        f"{len(old.groups)} groups"
    )
    ours = {m: g.label for g in new.groups for m in g.members}
    if args.no_red_dwarf:
        pass
    elif importlib.util.find_spec("reddwarf") is None:
        print("  red-dwarf: not installed (pip install red-dwarf)")
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rd_time, rd = best_of(3, lambda: red_dwarf(votes), "red-dwarf")
        labels = rd.participants_df["cluster_id"].dropna()
        common = [p for p in labels.index if p in ours]
        ari = adjusted_rand_index([ours[p] for p in common], [int(labels[p]) for p in common])
        print(
            f"  red-dwarf:             {rd_time:.2f} s (CPU {CPU['red-dwarf']:.2f} s); "
            f"{labels.nunique()} groups; "
            f"ARI against ours {ari:.2f}"
        )
    print("target < 2 s:", "met" if new_time < 2 else "NOT met")


if __name__ == "__main__":
    main()
