"""Tallying a pabulib election with one of the portal's budget rules."""

from __future__ import annotations

from fractions import Fraction

from participation.ballots.pabulib import Election
from participation.ballots.tally.equal_shares import (
    TIE_BREAKS,
    Outcome,
    equal_shares,
    equal_shares_add1,
    greedy,
    tie_break_order,
)

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
# The tie-break that reproduces the most published outcomes among the shared
# pabulib files (tests/unit/ballots/test_pabulib.py::test_default_tie_break_reproduces_the_most).
DEFAULT_TIE_BREAK = "votes"


def tally(election: Election, rule: str, tie_break: str = DEFAULT_TIE_BREAK) -> Outcome:
    """Fund projects of ``election`` by ``rule`` (one of RULES).

    Greedy rules rank by the file's score (points for cumulative and ranked
    ballots) or votes; greedy-threshold only funds projects whose support
    reaches META ``min_project_score_threshold``. Equal Shares uses approval
    ballots with cost utilities. Equal scores (greedy) and equal prices per
    unit of utility (Equal Shares) are decided by ``tie_break`` (one of
    TIE_BREAKS) and reported in the outcome's notes.
    """
    if tie_break not in TIE_BREAKS:
        raise ValueError(f"unknown tie-break {tie_break!r}; choose from {', '.join(TIE_BREAKS)}")
    keys = list(election.projects)
    costs = election.costs()
    budget = election.budget
    if rule.startswith("greedy"):
        support = election.points()
        threshold = 0
        if rule == "greedy-threshold":
            threshold = int(float(election.meta.get("min_project_score_threshold", "0") or 0))
        return greedy(
            keys,
            support,
            costs,
            budget,
            skip=rule != "greedy-no-skip",
            min_votes=threshold,
            order=tie_break_order(keys, support, costs, tie_break),
        )
    approvals = election.approvals()
    votes = dict.fromkeys(keys, 0)
    for ballot in approvals:
        for k in ballot:
            if k in votes:
                votes[k] += 1
    order = tie_break_order(keys, votes, costs, tie_break)
    if rule == "mes":
        return equal_shares(keys, approvals, costs, Fraction(budget), order=order)
    if rule in ("mes-add1", "mes-add1-greedy"):
        return equal_shares_add1(
            keys,
            approvals,
            costs,
            budget,
            greedy_completion=rule == "mes-add1-greedy",
            order=order,
        )
    raise ValueError(f"unknown rule {rule!r}; choose from {', '.join(RULES)}")
