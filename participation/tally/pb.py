"""Tallying a pabulib election with one of the portal's budget rules."""

from __future__ import annotations

from fractions import Fraction

from participation.pabulib import Election
from participation.tally.equal_shares import Outcome, equal_shares, equal_shares_add1, greedy

RULES = ("greedy", "greedy-no-skip", "greedy-threshold", "mes", "mes-add1", "mes-add1-greedy")
# pabulib's META "rule" names -> ours
PABULIB_RULES = {
    "greedy": "greedy",
    "greedy-no-skip": "greedy-no-skip",
    "greedy-threshold": "greedy-threshold",
    "equalshares": "mes",
    "equalshares/add1": "mes-add1",
    "equalshares/add1/greedy": "mes-add1-greedy",
}


def tally(election: Election, rule: str) -> Outcome:
    """Fund projects of ``election`` by ``rule`` (one of RULES).

    Greedy rules rank by the file's score (points for cumulative and ranked
    ballots) or votes; greedy-threshold only funds projects whose support
    reaches META ``min_project_score_threshold``. Equal Shares uses approval
    ballots with cost utilities.
    """
    keys = list(election.projects)
    costs = election.costs()
    budget = election.budget
    if rule.startswith("greedy"):
        support = election.points()
        threshold = 0
        if rule == "greedy-threshold":
            threshold = int(float(election.meta.get("min_project_score_threshold", "0") or 0))
        return greedy(
            keys, support, costs, budget, skip=rule != "greedy-no-skip", min_votes=threshold
        )
    approvals = election.approvals()
    if rule == "mes":
        return equal_shares(keys, approvals, costs, Fraction(budget))
    if rule in ("mes-add1", "mes-add1-greedy"):
        return equal_shares_add1(
            keys, approvals, costs, budget, greedy_completion=rule == "mes-add1-greedy"
        )
    raise ValueError(f"unknown rule {rule!r}; choose from {', '.join(RULES)}")
