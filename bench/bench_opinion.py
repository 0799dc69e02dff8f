"""Opinion-group speed: 10,000 participants x 500 statements, sparse votes.

python bench/bench_opinion.py [--participants N] [--statements M] [--per-person K]

Each participant votes on K statements (default 60, as Pol.is shows a sample of
statements to each person), drawn at random; three camps with their own
stances, plus noise. The target from issue 5 is under 5 s for the whole
computation (matrix, PCA, k-means for k = 2..5, exact silhouettes, statements).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from harness import ROOT, machine

sys.path.insert(0, str(ROOT))

from consultations.rules.opinion import opinion_map


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--statements", type=int, default=500)
    parser.add_argument("--per-person", type=int, default=60)
    args = parser.parse_args()
    print(machine())
    votes = conversation(args.participants, args.statements, args.per_person)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        result = opinion_map(votes)
        best = min(best, time.perf_counter() - started)
    sizes = ", ".join(f"{g.label}={g.size}" for g in result.groups)
    print(
        f"opinion groups, {args.participants:,} participants x {args.statements} statements, "
        f"{len(votes):,} votes: {best:.2f} s (best of 3); groups {sizes}; "
        f"{len(result.consensus)} consensus statements; silhouette {result.silhouette:.2f}"
    )
    print("target < 5 s:", "met" if best < 5 else "NOT met")


if __name__ == "__main__":
    main()
