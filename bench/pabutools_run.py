"""Run one rule with pabutools (the reference implementation) and print the time.

python bench/pabutools_run.py FILE.pb RULE   (run by bench_tally.py under a time limit)
"""

from __future__ import annotations

import sys
import time

from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.rules import (
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)


def main(path: str, rule: str) -> None:
    instance, profile = parse_pabulib(path)
    started = time.perf_counter()
    if rule.startswith("greedy"):
        outcome = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    elif rule == "mes":
        outcome = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
    elif rule == "mes-add1":
        outcome = method_of_equal_shares(
            instance, profile, sat_class=Cost_Sat, voter_budget_increment=1
        )
    else:
        outcome = completion_by_rule_combination(
            instance,
            profile,
            [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
        )
    elapsed = time.perf_counter() - started
    print(f"{elapsed:.6f} {len(outcome)}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
