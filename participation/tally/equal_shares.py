"""Participatory-budget rules on approval ballots: greedy variants and the Method
of Equal Shares (MES), in exact arithmetic, with a reason for every project.

Tie-break (documented, used everywhere here): more supporters first, then the
lower cost, then the item order of the ballot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from operator import itemgetter, mul
from typing import Any

from gmpy2 import mpq  # exact rationals, several times faster than fractions.Fraction

from participation.errors import N_


@dataclass(frozen=True)
class Outcome:
    selected: tuple[str, ...]  # in order of selection
    reasons: dict[str, tuple[str, dict[str, object]]] = field(default_factory=dict)


def tie_order(keys: Sequence[str], votes: Mapping[str, int], costs: Mapping[str, int]) -> list[str]:
    position = {k: n for n, k in enumerate(keys)}
    return sorted(keys, key=lambda k: (-votes[k], costs[k], position[k]))


def greedy(
    keys: Sequence[str],
    votes: Mapping[str, int],
    costs: Mapping[str, int],
    budget: int,
    *,
    skip: bool = True,
    min_votes: int = 0,
) -> Outcome:
    """Fund projects by votes while money lasts.

    With ``skip`` a project that no longer fits is passed over and cheaper ones
    further down may still be funded; without it funding stops at the first
    misfit. Projects below ``min_votes`` are never funded. Invariant: the
    funded total never exceeds ``budget``.
    """
    left = budget
    selected: list[str] = []
    reasons: dict[str, tuple[str, dict[str, object]]] = {}
    stopped = False
    for k in tie_order(keys, votes, costs):
        if votes[k] < min_votes:
            reasons[k] = (
                N_("Below the support threshold of %(votes)s votes"),
                {"votes": min_votes},
            )
        elif stopped:
            reasons[k] = (N_("Funding stopped at the first project that did not fit"), {})
        elif costs[k] <= left:
            selected.append(k)
            left -= costs[k]
            reasons[k] = (N_("Funded"), {})
        else:
            reasons[k] = (N_("Did not fit: %(left)s yuan were left"), {"left": left})
            stopped = not skip
    return Outcome(tuple(selected), reasons)


@dataclass(frozen=True)
class Electorate:
    """Approval ballots grouped by identical ballot, with each project's supporters.

    Built once and reused by every run of the add-one completion.
    """

    counts: list[int]
    supporters: dict[str, list[int]]
    votes: dict[str, int]
    size: int
    # Each project's supporting groups split by size: the many single voters are
    # counted in C (Counter over a map), larger groups one by one with their count.
    single: dict[str, list[int]] = field(default_factory=dict)
    several: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    @classmethod
    def of(cls, keys: Sequence[str], approvals: Sequence[frozenset[str]]) -> Electorate:
        groups = Counter(approvals)
        counts = list(groups.values())
        supporters: dict[str, list[int]] = {k: [] for k in keys}
        for g, ballot in enumerate(groups):
            for k in ballot:
                if k in supporters:
                    supporters[k].append(g)
        votes = {k: sum(counts[g] for g in supporters[k]) for k in keys}
        single = {k: [g for g in groups if counts[g] == 1] for k, groups in supporters.items()}
        several = {
            k: [(g, counts[g]) for g in groups if counts[g] > 1] for k, groups in supporters.items()
        }
        return cls(counts, supporters, votes, sum(counts), single, several)


def equal_shares(
    keys: Sequence[str],
    approvals: Sequence[frozenset[str]] | Electorate,
    costs: Mapping[str, int],
    budget: Fraction,
    *,
    cost_utility: bool = True,
    order: Sequence[str] | None = None,
) -> Outcome:
    """MES with a fixed budget: every voter starts with ``budget / n``.

    In each round, the project whose supporters can pay for it with the lowest
    maximal payment per unit of utility (rho) is funded, each supporter paying
    ``min(their money, rho * utility)``. Utility is the project's cost (cost
    utilities) or 1 (approval utilities). Voters with identical ballots are
    grouped, which changes nothing but speed. ``order`` replaces the default
    tie-break (supporters, cost, item order) with a given order of preference.
    """
    electorate = approvals if isinstance(approvals, Electorate) else Electorate.of(keys, approvals)
    counts, supporters, votes, n = (
        electorate.counts,
        electorate.supporters,
        electorate.votes,
        electorate.size,
    )
    if n == 0:
        return Outcome((), {k: (N_("No supporters"), {}) for k in keys})
    share = Fraction(budget) / n
    # Money is kept in numbered "purses", and each voter group points to its
    # purse: supporters are pooled by small integers instead of by hashing exact
    # rationals (slow: their denominators grow large), and funding a project
    # computes each new amount once per purse, not once per group. Two purses
    # may hold equal amounts; the payment cap does not depend on how holders of
    # one amount are split. Everyone who has spent everything shares purse 0.
    purse_money: list[Any] = [mpq(0), mpq(share.numerator, share.denominator)]
    purse_of_group = [1] * len(counts)
    ranking = list(order) if order is not None else tie_order(keys, votes, costs)
    position = {k: i for i, k in enumerate(ranking)}
    remaining = [k for k in ranking if votes[k] > 0]
    reasons: dict[str, tuple[str, dict[str, object]]] = {
        k: (N_("No supporters"), {}) for k in keys if votes[k] == 0
    }
    # rho of a project only grows as its supporters spend, so the rho found in
    # an earlier round is a lower bound: a round may stop looking once the
    # bounds exceed the best rho found (the standard lazy evaluation of MES).
    lower = dict.fromkeys(remaining, mpq(0))
    selected: list[str] = []
    round_no = 0
    while True:
        round_no += 1
        best: str | None = None
        best_rho = mpq(0)
        best_cap = mpq(0)
        best_purses: Iterable[int] = ()
        for k in sorted(remaining, key=lambda k: (lower[k], position[k])):
            if best is not None and lower[k] > best_rho:
                break
            cost = costs[k]
            held = Counter(map(purse_of_group.__getitem__, electorate.single[k]))
            for g, count in electorate.several[k]:
                held[purse_of_group[g]] += count
            cap = _payment_cap(
                cost, list(zip(map(purse_money.__getitem__, held), held.values(), strict=True))
            )
            if cap is None:
                remaining.remove(k)
                reasons[k] = (
                    N_("Its supporters no longer had enough money (round %(round)s)"),
                    {"round": round_no},
                )
                continue
            rho = cap / (cost if cost_utility and cost > 0 else 1)
            lower[k] = rho
            if best is None or rho < best_rho or (rho == best_rho and position[k] < position[best]):
                best, best_rho, best_cap, best_purses = k, rho, cap, held.keys()
        if best is None:
            break
        moved: dict[int, int] = {}
        for was in best_purses:
            after = purse_money[was] - min(purse_money[was], best_cap)
            if after == 0:
                moved[was] = 0
            elif after == purse_money[was]:
                moved[was] = was  # paid nothing (a project costing nothing)
            else:
                moved[was] = len(purse_money)
                purse_money.append(after)
        for g in supporters[best]:
            purse_of_group[g] = moved[purse_of_group[g]]
        selected.append(best)
        remaining.remove(best)
        reasons[best] = (N_("Funded in round %(round)s"), {"round": round_no})
    return Outcome(tuple(selected), reasons)


_amount, _count = itemgetter(0), itemgetter(1)


def _payment_cap(cost: int, holdings: Sequence[tuple[Any, int]]) -> Any | None:
    """The least q with sum(count * min(money, q)) == cost, or None if the money
    of all holdings together does not reach the cost.

    q is the "water level": holders with less than q pay all they have, the
    others pay q. Starting from the equal split cost / (all holders), each pass
    moves the holders below the current level to the pay-all side and raises
    the level; every level is a lower bound of q, so a pass that moves nobody
    has found it. Usually that takes a pass or two; after a few, the holders
    still above the level are sorted and walked through instead (same q).
    """
    if cost == 0:
        return mpq(0)
    rest = list(holdings)
    left = sum(map(_count, rest))
    paid = mpq(0)
    for _ in range(4):
        if left == 0:
            return None
        level = (cost - paid) / left
        below = [h for h in rest if h[0] < level]
        if not below:
            return level
        rest = [h for h in rest if h[0] >= level]
        paid += sum(map(mul, map(_amount, below), map(_count, below)))
        left -= sum(map(_count, below))
    for amount, count in sorted(rest, key=_amount):  # by amount: one comparison each
        if amount * left >= cost - paid:
            return (cost - paid) / left
        paid += amount * count
        left -= count
    return None


def equal_shares_add1(
    keys: Sequence[str],
    approvals: Sequence[frozenset[str]],
    costs: Mapping[str, int],
    budget: int,
    *,
    cost_utility: bool = True,
    greedy_completion: bool = False,
    order: Sequence[str] | None = None,
) -> Outcome:
    """MES with the add-one completion, optionally followed by greedy completion.

    The voters' budget is raised by one currency unit each (n units in all) as
    long as the outcome still costs at most the real budget and some project
    could still be afforded; the last outcome within budget is kept. Greedy
    completion then funds by votes from what is left. Invariant: the funded
    total never exceeds ``budget``.
    """
    n = len(approvals)
    supported = {k for a in approvals for k in a}
    electorate = Electorate.of(keys, approvals)
    current = equal_shares(
        keys, electorate, costs, Fraction(budget), cost_utility=cost_utility, order=order
    )
    virtual = budget
    while n:
        spent = sum(costs[k] for k in current.selected)
        open_ = [k for k in keys if k in supported and k not in current.selected]
        if all(costs[k] > budget - spent for k in open_):
            break  # exhaustive: no supported project fits any more
        virtual += n
        following = equal_shares(
            keys, electorate, costs, Fraction(virtual), cost_utility=cost_utility, order=order
        )
        if sum(costs[k] for k in following.selected) > budget:
            break
        current = following
    if not greedy_completion:
        return current
    votes = Counter(k for a in approvals for k in a)
    left = budget - sum(costs[k] for k in current.selected)
    selected = list(current.selected)
    reasons = dict(current.reasons)
    for k in tie_order(keys, {k: votes[k] for k in keys}, costs):
        if k in selected or votes[k] == 0:
            continue
        if costs[k] <= left:
            selected.append(k)
            left -= costs[k]
            reasons[k] = (N_("Funded by greedy completion"), {})
    return Outcome(tuple(selected), reasons)
