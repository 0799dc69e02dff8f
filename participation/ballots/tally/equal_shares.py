"""Participatory-budget rules on approval ballots: greedy variants and the Method
of Equal Shares (MES), in exact arithmetic, with a reason for every project.

Tie-break: by default more supporters first, then the lower cost, then the item
order of the ballot; ``tie_break_order`` gives the other orders (cheaper first,
as listed). Ties that the order decided are reported in ``Outcome.notes``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from operator import itemgetter, mul
from typing import Any

import numpy as np
from gmpy2 import lcm, mpq, mpz  # exact, several times faster than fractions.Fraction

from participation.errors import N_


@dataclass(frozen=True)
class Outcome:
    selected: tuple[str, ...]  # in order of selection
    reasons: dict[str, tuple[str, dict[str, object]]] = field(default_factory=dict)
    notes: tuple[tuple[str, dict[str, object]], ...] = ()  # ties the tie-break decided


# A round's note where the tie-break chose among projects at an equal price.
_TIED = N_("Round %(round)s: %(chosen)s chosen over %(items)s at an equal price")

# Tie-break orders: the name, and what it means in words (for --explain).
TIE_BREAKS = {
    "votes": "more votes first, then cheaper, then as listed in the file",
    "cheaper": "cheaper first, then more votes, then as listed in the file",
    "file": "as listed in the file",
}


def tie_break_order(
    keys: Sequence[str], votes: Mapping[str, int], costs: Mapping[str, int], tie_break: str
) -> list[str]:
    """All projects in the order of preference used when scores tie (see TIE_BREAKS)."""
    position = {k: n for n, k in enumerate(keys)}
    if tie_break == "votes":
        return sorted(keys, key=lambda k: (-votes[k], costs[k], position[k]))
    if tie_break == "cheaper":
        return sorted(keys, key=lambda k: (costs[k], -votes[k], position[k]))
    if tie_break == "file":
        return list(keys)
    raise ValueError(f"unknown tie-break {tie_break!r}; choose from {', '.join(TIE_BREAKS)}")


def tie_order(
    keys: Sequence[str],
    votes: Mapping[str, int],
    costs: Mapping[str, int],
    order: Sequence[str] | None = None,
) -> list[str]:
    """Most votes first; equal votes in ``order`` (default: cheaper, then item order)."""
    if order is None:
        return tie_break_order(keys, votes, costs, "votes")
    rank = {k: n for n, k in enumerate(order)}
    return sorted(keys, key=lambda k: (-votes[k], rank[k]))


def _tied_groups(
    ranked: Sequence[str], votes: Mapping[str, int]
) -> list[tuple[str, dict[str, object]]]:
    notes: list[tuple[str, dict[str, object]]] = []
    by_votes: dict[int, list[str]] = {}
    for k in ranked:
        by_votes.setdefault(votes[k], []).append(k)
    for count, items in by_votes.items():
        if len(items) > 1 and count > 0:
            notes.append(
                (
                    N_("Tied at a score of %(votes)s: %(items)s, taken in this order"),
                    {"votes": count, "items": ", ".join(items)},
                )
            )
    return notes


def greedy(
    keys: Sequence[str],
    votes: Mapping[str, int],
    costs: Mapping[str, int],
    budget: int,
    *,
    skip: bool = True,
    min_votes: int = 0,
    order: Sequence[str] | None = None,
) -> Outcome:
    """Fund projects by votes while money lasts.

    With ``skip`` a project that no longer fits is passed over and cheaper ones
    further down may still be funded; without it funding stops at the first
    misfit. Projects below ``min_votes`` are never funded. Equal votes are
    taken in ``order`` (see ``tie_order``) and reported in ``notes``.
    Invariant: the funded total never exceeds ``budget``.
    """
    left = budget
    selected: list[str] = []
    reasons: dict[str, tuple[str, dict[str, object]]] = {}
    stopped = False
    ranked = tie_order(keys, votes, costs, order)
    for k in ranked:
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
    return Outcome(tuple(selected), reasons, tuple(_tied_groups(ranked, votes)))


@dataclass(frozen=True)
class Electorate:
    """Approval ballots grouped by identical ballot, with each project's supporters.

    Built once and reused by every run of the add-one completion. Each
    project's supporting groups are also kept as index and count arrays, so
    that counting what its supporters hold is one ``numpy.bincount``.
    """

    counts: list[int]
    supporters: dict[str, list[int]]
    votes: dict[str, int]
    size: int
    index: dict[str, Any] = field(default_factory=dict)  # project -> group indices
    weight: dict[str, Any] = field(default_factory=dict)  # project -> their counts
    weights: Any = None  # every group's count, as floats (built once, not once per run)

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
        all_counts = np.array(counts, dtype=np.float64)
        index = {k: np.array(gs, dtype=np.intp) for k, gs in supporters.items()}
        weight = {k: all_counts[i] for k, i in index.items()}
        return cls(counts, supporters, votes, sum(counts), index, weight, all_counts)


def _weights(electorate: Electorate) -> Any:
    """Every group's count as a float array (kept by ``Electorate.of``)."""
    if electorate.weights is not None:
        return electorate.weights
    return np.asarray(electorate.counts, dtype=np.float64)


class _Purses:
    """The distinct amounts of money voters hold during one MES run.

    Purse 0 is empty (voters who spent everything); every other purse holds
    ``share - sum(caps[r] for the rounds r it paid in)``: a voter who pays in
    full is moved to purse 0, every other payer pays that round's cap. Each
    purse keeps the rounds it paid in (``paid``, a 0/1 row), so that the total
    held by many purses is computed exactly from integer counts:
    sum(count * amount) = share * sum(count) - sum over rounds r of
    caps[r] * (count of holders that paid in r); its exact amount, computed
    only when asked for (``exact``, from its row) and then kept up to date; and
    a float ``approx`` of it, a sum of at most one float rounding per round, so
    off by less than (rounds + 2) * 2**-52 * share (every amount and cap is at
    most ``share``). Floats decide a comparison only with a margin of 1e-9 *
    share, far above that error (up to millions of rounds); closer amounts are
    compared as exact rationals. The caps are also kept as integer numerators
    over one common denominator (``numerators``, ``denominator``: the lcm of
    theirs), so that the sum over rounds is a sum of integer products, divided
    once: the same rational, without a gcd of large numbers at every term.

    A purse whose holders all pay a round's cap pays in place; only a purse
    held by payers and by others is split (the payers get a new purse), so
    there are never more purses than distinct ballots, plus one.
    """

    def __init__(self, share: Any, rounds: int, most: int = 254) -> None:
        # ``most``: the purses a run may need (distinct ballots, plus one), all
        # allocated at once (np.zeros maps zeroed pages lazily; growing copied
        # the whole ``paid`` table, megabytes on a city file, several times a run)
        self.share = share
        # exact amounts computed so far, each with the number of rounds it counts
        self.known: dict[int, tuple[int, Any]] = {0: (0, mpq(0))}
        self.size = 2  # purses so far
        self.approx = np.zeros(most + 2)
        self.approx[1] = float(share)
        self.last_paid = np.full(most + 2, -1)  # the last round each purse paid in
        self.margin = 1e-9 * float(share)
        # 0/1 floats: BLAS sums counts over rounds exactly (integers < 2**53)
        self.paid = np.zeros((most + 2, rounds))
        self.caps: list[Any] = []
        self.numerators: list[Any] = []  # caps[r] == numerators[r] / denominator
        self.denominator = mpz(1)

    def _keep(self, cap: Any) -> None:
        """Append ``cap`` to ``caps`` and to the common-denominator numerators."""
        self.caps.append(cap)
        cap = mpq(cap)
        low = cap.denominator
        if self.denominator % low:
            common = lcm(self.denominator, low)
            scale = common // self.denominator
            self.numerators = [x * scale for x in self.numerators]
            self.denominator = common
        self.numerators.append(cap.numerator * (self.denominator // low))

    def exact(self, purse: int) -> Any:
        counted, amount = self.known.get(purse, (0, self.share))
        caps = self.caps
        if counted <= self.last_paid[purse]:  # it paid since
            for r in np.flatnonzero(self.paid[purse, counted : len(caps)]).tolist():
                amount = amount - caps[counted + r]
            self.known[purse] = len(caps), amount
        return amount

    def pay(self, purses: Any, cap: Any, counts: Any, holders: Any) -> Any:
        """Every holder of ``purses`` (``counts`` of them each, out of
        ``holders[p]`` holders of purse p in all) pays ``min(amount, cap)``;
        returns the map from old purse numbers to new ones (over all purses)."""
        remap = np.arange(self.size, dtype=np.intp)
        if cap == 0:
            self._keep(cap)
            return remap  # a project costing nothing: nobody pays
        keep = purses != 0
        held, counts = purses[keep], counts[keep]
        near = float(cap)
        amounts = self.approx[held]
        is_rich = amounts > near + self.margin
        unsure = np.flatnonzero(np.abs(amounts - near) <= self.margin).tolist()
        for i in unsure:
            is_rich[i] = self.exact(int(held[i])) > cap
        rich, rich_counts = held[is_rich], counts[is_rich]
        remap[held] = 0
        whole = rich_counts == holders[rich]
        round_no = len(self.caps)
        alone = rich[whole]  # every holder pays: in place
        remap[alone] = alone
        self.approx[alone] -= near
        self.paid[alone, round_no] = 1
        self.last_paid[alone] = round_no
        split = rich[~whole]  # payers get a new purse, the others keep this one
        new, more = self.size, len(split)
        if new + more > len(self.approx):
            size = 2 * (new + more)
            self.approx = np.resize(self.approx, size)
            self.last_paid = np.resize(self.last_paid, size)
            self.paid = np.concatenate(
                [self.paid, np.zeros((size - len(self.paid), self.paid.shape[1]))]
            )
        self.approx[new : new + more] = self.approx[split] - near
        self.paid[new : new + more] = self.paid[split]
        self.paid[new : new + more, round_no] = 1
        self.last_paid[new : new + more] = round_no
        remap[split] = np.arange(new, new + more)
        self.size += more
        self._keep(cap)
        return remap

    def total(self, purses: Any, counts: Any) -> Any:
        """Exactly sum(count * amount) over ``purses`` (none of them purse 0)."""
        per_round = counts.astype(np.float64) @ self.paid[purses, : len(self.caps)]
        numerators = self.numerators
        spent = mpz(0)
        for r in np.flatnonzero(per_round).tolist():
            spent += numerators[r] * int(per_round[r])
        return self.share * int(counts.sum()) - mpq(spent, self.denominator)

    def guess(self, cost: int, purses: Any, counts: Any) -> tuple[float, float] | None:
        """A float estimate of ``_payment_cap`` and a bound of its error (purse 0
        left out; None where the floats say the money falls short).

        Why ``level - error`` is a lower bound of the exact level q. With the
        holdings sorted by amount, each j gives the candidate q_j = (cost -
        money of the first j) / (count of the others); q is the largest q_j
        (q_j rises while the j-th holds less than q_j and falls after), so
        whichever j the floats pick, q_j <= q exactly. The float q_j is off
        from the exact q_j by at most ``error``: each amount by less than
        delta = (rounds + 2) * 2**-52 * share (class docstring), so the money
        of the first j, count-weighted, by N * delta (N: their count), plus
        one rounding per product and per partial sum ((j + 2) * 2**-53 of the
        magnitudes), then divided by the count of the others, and the
        division rounds once more. ``error`` doubles that sum.
        """
        keep = purses != 0
        purses, counts = purses[keep], counts[keep]
        if len(purses) == 0:
            return None
        amounts = self.approx[purses]
        eps = 2.0**-53
        if len(purses) == 1:
            total = float(counts[0])
            level = cost / total
            return (level, 4 * eps * level) if amounts[0] * total >= cost else None
        order = np.argsort(amounts)
        a, c = amounts[order], counts[order].astype(np.float64)
        below_money = np.concatenate(([0.0], np.cumsum(a * c)[:-1]))
        below = np.concatenate(([0.0], np.cumsum(c)[:-1]))
        at_or_above = float(c.sum()) - below
        fits = a * at_or_above >= cost - below_money
        if not fits.any():
            return None
        j = int(np.argmax(fits))
        level = float((cost - below_money[j]) / at_or_above[j])
        delta = (len(self.caps) + 2) * 2.0**-52 * float(self.share)
        error = below[j] * delta + (len(purses) + 2) * eps * (below_money[j] + cost)
        return level, 2 * (error / at_or_above[j] + 4 * eps * level)

    def cap(self, cost: int, purses: Any, counts: Any) -> Any | None:
        """``_payment_cap`` for holders of ``purses`` (``counts`` each), purse 0 left out.

        The floats only guess which purses pay in full (those below the level);
        the level is then computed exactly from that guess and checked (see the
        class docstring for when a float comparison decides). The level q =
        (cost - what the full payers hold) / (count of the others) is the
        payment cap exactly when every full payer holds at most q and every
        other holder at least q (then the payments sum to the cost, and any
        lower level collects less). If the guess fails that check, or the
        floats say the money does not reach the cost, the exact walk decides.
        """
        if cost == 0:
            return mpq(0)
        keep = purses != 0
        purses, counts = purses[keep], counts[keep]
        if len(purses) == 0:
            return None
        if len(purses) <= _FEW_PURSES:  # the exact walk is quicker than numpy
            pairs = zip(map(self.exact, purses.tolist()), counts.tolist(), strict=True)
            return _payment_cap(cost, list(pairs))
        amounts = self.approx[purses]
        order = np.argsort(amounts, kind="stable")
        a, c = amounts[order], counts[order].astype(np.float64)
        below_money = np.concatenate(([0.0], np.cumsum(a * c)[:-1]))
        at_or_above = float(c.sum()) - np.concatenate(([0.0], np.cumsum(c)[:-1]))
        fits = a * at_or_above >= cost - below_money
        if fits.any():
            j = int(np.argmax(fits))
            poor, rich = purses[order[:j]], purses[order[j:]]
            poor_counts, rich_counts = counts[order[:j]], counts[order[j:]]
            left = int(rich_counts.sum())
            level = (cost - (self.total(poor, poor_counts) if j else mpq(0))) / left
            if level <= self.share and self._on_side(poor, rich, level):
                return level
        elif self.total(purses, counts) < cost:
            return None
        holdings = list(zip(map(self.exact, purses.tolist()), counts.tolist(), strict=True))
        return _payment_cap(cost, holdings)

    def _on_side(self, poor: Any, rich: Any, level: Any) -> bool:
        """Every purse of ``poor`` holds at most ``level``, every one of ``rich`` at least."""
        near = float(level)
        unsure_poor = poor[self.approx[poor] > near - self.margin].tolist()
        unsure_rich = rich[self.approx[rich] < near + self.margin].tolist()
        return all(self.exact(p) <= level for p in unsure_poor) and all(
            self.exact(p) >= level for p in unsure_rich
        )


# The add-one search never jumps fewer steps than this (``_search``): the steps
# inside a jump are run with the bounds of the run at its far end (``seeds``).
_LEAST_JUMP = 8
# An interval of at most this many steps that ``_same_between`` does not certify
# is settled by running each of its steps (``_search``), not split in halves.
_CHAIN = 4
# Up to this many purses, a payment cap is found by the exact walk alone.
_FEW_PURSES = 48
_NOT_YET = object()  # a payment cap not computed yet


@dataclass(frozen=True)
class _Round:
    """What one round of a run decided: the winner, its rho, and for every
    other project still in the race a lower bound of its rho in that round.

    An exact run (``_run``) knows the winner's rho exactly: ``rho``. A float run
    (``_float_run``) knows it between ``floor`` and ``rho``; every use below
    needs only that ``rho`` is at least the winner's rho (``_same_between``,
    ``against``) and ``floor`` at most it (``seeds``).
    """

    winner: str | None
    rho: Any
    bounds: dict[str, Any]
    floor: Any = None  # None: ``rho`` is exact

    @property
    def least(self) -> Any:
        return self.rho if self.floor is None else self.floor


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
    tie-break (supporters, cost, item order) with a given order of preference;
    a tie (two projects at exactly the same rho) is reported in ``notes``.
    """
    electorate = approvals if isinstance(approvals, Electorate) else Electorate.of(keys, approvals)
    ranking = list(order) if order is not None else tie_order(keys, electorate.votes, costs)
    return _run(electorate, keys, costs, Fraction(budget), cost_utility, ranking)[0]


def _run(
    electorate: Electorate,
    keys: Sequence[str],
    costs: Mapping[str, int],
    budget: Fraction,
    cost_utility: bool,
    ranking: Sequence[str],
    against: Sequence[_Round] = (),
    seeds: Sequence[_Round] = (),
    hint: Sequence[_Round] = (),
) -> tuple[Outcome, list[_Round]]:
    """One MES run, and the record of its rounds (see ``_Round``).

    ``against`` (the record of a run at a lower budget) only makes the run look
    at more projects per round -- those whose lower bound does not exceed that
    run's winning rho -- so that ``_same_between`` can certify both runs; the
    outcome does not depend on it. Nor does it depend on ``hint`` (the record
    of another run): each round first computes the project that won that round
    there (likely the winner here too, so that the others are screened out
    against its rho at once), then the others as usual.

    ``seeds`` (the record of a run at a higher budget) gives lower bounds, while
    this run has funded the same projects in the same rounds as that one: with
    the winners of rounds 1..r-1 fixed, every voter's money at the start of
    round r can only grow with the budget (see ``_same_between``), and rho can
    only fall as money grows, so a project's rho (or lower bound of it) in round
    r of the richer run is a lower bound of its rho in round r here.

    Shortcuts, each exact: voters with identical ballots start with the same
    money and support the same projects, so they pay alike in every round and
    are counted as one weighted group (``Electorate``). In round 1 everyone
    holds the share, so a project's level is cost / supporters when the share
    reaches it, else it is unaffordable (``_payment_cap`` with one holding).
    A project whose float guess (``_Purses.guess``), less the guess's error
    bound, is still above the best rho found so far (and above ``threshold``)
    cannot win the round: its exact rho is at least that bound, which is
    recorded as its lower bound (rho only grows over the rounds), so later
    rounds and ``_same_between`` stay exact; only the winner and the projects
    close to it are computed exactly.
    """
    counts, votes, n = electorate.counts, electorate.votes, electorate.size
    if n == 0:
        return Outcome((), {k: (N_("No supporters"), {}) for k in keys}), [_Round(None, 0, {})]
    share = budget / n
    # Money is kept in numbered "purses", and each voter group points to its
    # purse: supporters are pooled by small integers instead of by hashing exact
    # rationals (slow: their denominators grow large), and funding a project
    # computes each new amount once per purse, not once per group. Two purses
    # may hold equal amounts; the payment cap does not depend on how holders of
    # one amount are split. Everyone who has spent everything shares purse 0.
    store = _Purses(mpq(share.numerator, share.denominator), len(keys) + 1, len(counts) + 1)
    purse_of_group = np.ones(len(counts), dtype=np.intp)
    first_purse = np.ones(1, dtype=np.intp)
    first_count = np.ones(1, dtype=np.int64)
    counts_all = _weights(electorate)
    position = {k: i for i, k in enumerate(ranking)}
    remaining = [k for k in ranking if votes[k] > 0]
    reasons: dict[str, tuple[str, dict[str, object]]] = {
        k: (N_("No supporters"), {}) for k in keys if votes[k] == 0
    }
    notes: list[tuple[str, dict[str, object]]] = []
    # rho of a project only grows as its supporters spend, so the rho found in
    # an earlier round is a lower bound: a round may stop looking once the
    # bounds exceed the best rho found (the standard lazy evaluation of MES).
    lower = dict.fromkeys(remaining, mpq(0))
    selected: list[str] = []
    record: list[_Round] = []
    round_no = 0
    seeded = bool(seeds)
    while True:
        round_no += 1
        threshold = against[round_no - 1].rho if round_no <= len(against) else None
        if seeded:
            seed = seeds[round_no - 1]
            for k in remaining:
                bound = seed.least if k == seed.winner else seed.bounds.get(k)
                if bound is not None and bound > lower[k]:
                    lower[k] = bound
        best: str | None = None
        best_rho = mpq(0)
        best_cap = mpq(0)
        best_purses: Any = ()
        best_counts: Any = ()
        looked: list[tuple[str, Any]] = []
        ordered = sorted(remaining, key=lambda k: (lower[k], position[k]))
        likely = hint[round_no - 1].winner if round_no <= len(hint) else None
        if likely is not None and ordered and likely != ordered[0] and likely in ordered:
            ordered.remove(likely)
            ordered.insert(0, likely)  # then the rest, still by lower bound
        for k in ordered:
            if (
                best is not None
                and lower[k] > best_rho
                and (threshold is None or lower[k] > threshold)
            ):
                break
            cost = costs[k]
            if round_no == 1:
                # Everyone still holds the share: the level is cost / supporters
                # if the share reaches it (no counting needed).
                purses = first_purse
                if cost == 0:
                    cap = mpq(0)
                else:
                    cap = mpq(cost, votes[k]) if store.share * votes[k] >= cost else None
            else:
                cap = _NOT_YET
                held = np.bincount(
                    purse_of_group[electorate.index[k]], weights=electorate.weight[k]
                )
                purses = np.flatnonzero(held)
                counts_k = held[purses].astype(np.int64)
            if cap is _NOT_YET and best is not None and cost > 0:
                # A float guess screens out a project that is clearly dearer than
                # the best one so far (and than ``threshold``): its rho is at
                # least the guess less its error bound (see ``guess``), and that
                # is compared exactly.
                empty = int(counts_k[0]) if purses[0] == 0 else 0
                if votes[k] > empty:
                    # the cost shared by the supporters who still hold money
                    bound = mpq(cost, votes[k] - empty) / (cost if cost_utility else 1)
                    if bound > best_rho and (threshold is None or bound > threshold):
                        lower[k] = max(lower[k], bound)
                        continue
                near = store.guess(cost, purses, counts_k)
                if near is not None:
                    level, error = near
                    bound = mpq((level - error) * (1 - 2.0**-50)) / (cost if cost_utility else 1)
                    if bound > best_rho and (threshold is None or bound > threshold):
                        lower[k] = max(lower[k], bound)
                        continue
            if cap is _NOT_YET:
                cap = store.cap(cost, purses, counts_k)
            if cap is None:
                remaining.remove(k)
                reasons[k] = (
                    N_("Its supporters no longer had enough money (round %(round)s)"),
                    {"round": round_no},
                )
                continue
            rho = cap / (cost if cost_utility and cost > 0 else 1)
            lower[k] = rho
            looked.append((k, rho))
            if best is None or rho < best_rho or (rho == best_rho and position[k] < position[best]):
                best, best_rho, best_cap, best_purses = k, rho, cap, purses
                best_counts = first_count * votes[k] if round_no == 1 else counts_k
        record.append(_Round(best, best_rho, {k: lower[k] for k in remaining if k != best}))
        seeded = seeded and round_no < len(seeds) and seeds[round_no - 1].winner == best
        if best is None:
            break
        tied = [k for k, rho in looked if rho == best_rho and k != best]
        if tied:
            tied.sort(key=position.__getitem__)  # in tie-break order
            notes.append(
                (
                    _TIED,
                    {"round": round_no, "items": ", ".join(tied), "chosen": best},
                )
            )
        holders = np.bincount(purse_of_group, weights=counts_all, minlength=store.size)
        remap = store.pay(best_purses, best_cap, best_counts, holders.astype(np.int64))
        group_ids = electorate.index[best]
        purse_of_group[group_ids] = remap[purse_of_group[group_ids]]
        selected.append(best)
        remaining.remove(best)
        reasons[best] = (N_("Funded in round %(round)s"), {"round": round_no})
    return Outcome(tuple(selected), reasons, tuple(notes)), record


_UNIT = 2.0**-53  # the unit roundoff of float64: one rounding is off by at most this, relatively
_DOWN = 1 - 2.0**-50  # a positive float times this is below the exact value it rounds
_UP = 1 + 2.0**-50
_least = np.minimum.reduce  # an array's least element, without ndarray.min's Python layer
_how_many = np.count_nonzero  # the True entries of a boolean array


class _Unsure(Exception):
    """A float run met a comparison its error bounds cannot decide."""


def _float_run(
    electorate: Electorate,
    keys: Sequence[str],
    costs: Mapping[str, int],
    budget: Fraction,
    cost_utility: bool,
    ranking: Sequence[str],
    against: Sequence[_Round] = (),
    seeds: Sequence[_Round] = (),
    hint: Sequence[_Round] = (),
) -> tuple[Outcome, list[_Round]] | None:
    """The run of ``_run``, in floats with proved error bounds, or None where a
    decision falls inside them (then the caller runs ``_run``, exactly).

    Why an outcome it returns is exact. Every voter group's money is a float
    ``money[g]`` with a bound err[g] of its distance from the exact amount
    (kept as count * err, rounded up, in ``table``; ``worst`` is at least every
    err: it grows each round by at most what any err grows by).
    A payment level is computed from a split of the supporters into those who
    pay all they hold (``poor``) and the others: q_P = (cost - money of the
    poor) / (count of the others). For any split, q_P is at most the exact
    level q (the payments at any level q' are at most the money of the poor
    plus the others' count times q', so at q' = q_P they reach at most the
    cost, and they grow with q'): so q_P less its float error is a lower bound
    of q, and of rho, whatever the split; it screens projects out as in
    ``_run``, and lower bounds from other runs (``seeds``) are used alike. The
    float error of q_P is at most ``E`` = 2 * (sum over the poor of count *
    err + (holders + 4) * u * (cost + money of the poor)) / (count of the
    others), u = 2**-53: the errors of the amounts, one rounding per product
    and partial sum, one for the difference and one for the division; the
    factor 2 covers the roundings in computing ``E`` itself. When every
    supporter's amount is farther from q_P than ``worst`` plus ``E`` plus the
    rounding of that difference, the split is the exact one (every poor amount
    < q_P < every other amount, exactly), so q_P is the exact level q, and rho
    lies in a known interval. Where the poor hold exactly 0 (their floats are 0,
    which only a payment of all one holds makes: such an amount is exact),
    q = cost / (count of the others) exactly, and rho is known as a rational.

    A round's winner is the project whose interval lies strictly below every
    other computed project's, and below the lower bound of every project not
    computed; two projects whose rho is known exactly are compared exactly,
    ties broken and reported as ``_run`` does. Overlapping intervals, a split
    too close to call, or a water level not settled in a few passes give up
    (None). A project is dropped as unaffordable only when the float money of
    its supporters plus its error is below the cost, or when the richer run in
    ``seeds`` (the same winners so far) no longer had it in the race in this
    round: nobody holds more here (see ``_same_between``). Paying the winner: the
    poor then hold exactly 0 (error 0); every other supporter holds m - q,
    whose float is off by at most err + E + 2 * u * (m + q) (rounded up). So
    every decision the float run takes is the one the exact run takes: the
    same projects, in the same order, with the same notes and reasons (only
    the round in which a project was found unaffordable may differ, as it
    does between exact runs: it is the round in which a run looked).

    The record's bounds are lower bounds of rho (as in ``_run``), and each
    round's ``rho`` is an upper bound of the winner's rho, ``floor`` a lower
    bound: all that ``_same_between`` and ``seeds`` need (see ``_Round``).
    """
    votes, n = electorate.votes, electorate.size
    if n == 0 or n >= 2**53 or any(abs(c) >= 2**53 for c in costs.values()):
        return None  # (counts and costs must be exact floats)
    share = float(budget / n)
    counts = _weights(electorate)
    money = np.full(len(counts), share)
    first_err = 2 * _UNIT * share
    # per group: its count, count * money and count * err (err rounded up: it
    # is kept nowhere else), so that one product with a 0/1 split gives the
    # poor's count, money and error at once
    table = np.empty((3, len(counts)))
    table[0] = counts
    np.multiply(counts, share, out=table[1])  # counts * money (every group holds the share)
    np.multiply(counts, first_err, out=table[2])
    table[2] *= _UP
    worst = [first_err]  # at least every group's err
    held_money, held_err = table[1], table[2]  # views: one-dimensional stores are quicker
    index, weight = electorate.index, electorate.weight
    position = {k: i for i, k in enumerate(ranking)}
    reasons: dict[str, tuple[str, dict[str, object]]] = {
        k: (N_("No supporters"), {}) for k in keys if votes[k] == 0
    }
    notes: list[tuple[str, dict[str, object]]] = []
    # a lower bound of rho for every project still in the race, in ranking order
    lower: dict[str, float] = dict.fromkeys((k for k in ranking if votes[k] > 0), 0.0)
    selected: list[str] = []
    record: list[_Round] = []

    def level(k: str, screen: float | None, least: float = 0.0) -> Any:
        """("screened", low) if a lower bound of rho exceeds ``screen``; None if
        certainly unaffordable; else (q, E, poor split, amounts, low, high, left,
        utility): the split is not checked yet (``sure`` does).

        ``least`` (a lower bound of the exact rho: ``lower[k]``) only chooses
        where the water level's passes start, x = max(cost / supporters,
        least * utility) rounded down, never what they find: every split a
        pass compares is "the holders of less than y" for some y, and two
        such splits of the same amounts are nested, so equal counts mean
        equal splits whatever x is (a pass that moves nobody has settled);
        where nobody holds less than x, nobody holds less than cost /
        supporters <= x, so the empty split and that equal share agree. A
        close x (at most the exact level q, as ``least`` is a lower bound, so
        each pass's level lies between x and q) settles in one pass instead
        of several.
        """
        cost = costs[k]
        if cost == 0:
            return 0.0, 0.0, None, None, 0.0, 0.0, 0.0, 1
        utility = cost if cost_utility else 1
        idx = index[k]
        a = money.take(idx)
        size = float(votes[k])
        slack = (len(idx) + 4) * _UNIT
        q = cost / size
        poor_count = poor_money = poor_err = 0.0
        left = size
        below: Any = None  # nobody holds less than the equal split: the split is final
        start = least * utility * _DOWN
        if start < q:
            start = q
        if _least(a) < start:
            below = a < start
            held = table.take(idx, axis=1)
            poor_groups = -1
            for passes in range(_PASSES):
                groups: Any = _how_many(below)
                if groups == poor_groups:
                    # as many groups below q as below the level q was computed
                    # from: nested splits, so the same split (no sums needed)
                    break
                count, spent, wrong = held.dot(below).tolist()
                if passes == 2:  # slow to settle: start again from the sorted amounts
                    _, spent, wrong = held.sum(axis=1).tolist()
                    if spent + 2 * (wrong + slack * spent) < cost:
                        return None  # all their money is short of the cost
                    order = np.argsort(a)
                    ordered_a, ordered_c = a[order], weight[k][order]
                    paid = np.cumsum(ordered_a * ordered_c)
                    above = size - np.cumsum(ordered_c) + ordered_c
                    fits = ordered_a * above >= cost - (paid - ordered_a * ordered_c)
                    if not fits.any():  # everyone would pay all they hold
                        raise _Unsure  # and the floats say the money suffices
                    below = a < ordered_a[int(np.argmax(fits))]
                    count, spent, wrong = held.dot(below).tolist()
                    groups = _how_many(below)
                poor_groups, poor_count, poor_money, poor_err = groups, count, spent, wrong
                left = size - poor_count
                if left <= 0:  # everyone pays all: the money falls short, or unsure
                    if spent + 2 * (wrong + slack * spent) < cost:
                        return None
                    raise _Unsure
                q = (cost - poor_money) / left
                if screen is not None:
                    low = (q - 2 * (poor_err + slack * (cost + poor_money)) / left) / utility
                    if low * _DOWN > screen:
                        return "screened", low * _DOWN
                below = a < q
            else:
                raise _Unsure  # not settled: the exact run decides
        e = 2 * (poor_err + slack * (cost + poor_money)) / left
        low, high = (q - e) / utility * _DOWN, (q + e) / utility * _UP
        if screen is not None and low > screen:
            return "screened", low
        return q, e, below, a, low, high, (left if poor_money == 0 else 0.0), utility

    def sure(k: str, found: Any) -> Any:
        """The exact rho where known (else None), once the split is checked;
        raises _Unsure if some supporter holds too close to the level."""
        q, e, _, a, _, _, left, utility = found
        if a is None:
            return mpq(0)  # costs nothing
        if not float(_least(np.abs(a - q))) > e + worst[0] + 4 * _UNIT * (share + q):
            raise _Unsure  # some supporter holds about q: the split is unsure
        return mpq(costs[k], int(left) * utility) if left else None

    round_no = 0
    seeded = bool(seeds)
    try:
        while True:
            round_no += 1
            threshold = float(against[round_no - 1].rho) * _UP if round_no <= len(against) else None
            seed = seeds[round_no - 1] if seeded else None
            best: str | None = None
            best_state: Any = None
            best_exact: Any = None
            best_low = best_high = 0.0
            looked: list[tuple[str, Any]] = []  # projects whose rho is known exactly
            ordered = sorted(lower, key=lower.__getitem__)  # stable: ties as ranked
            likely = hint[round_no - 1].winner if round_no <= len(hint) else None
            if likely is not None and ordered and likely != ordered[0] and likely in ordered:
                ordered.remove(likely)
                ordered.insert(0, likely)
            for k in ordered:
                screen = None
                if best is not None:
                    screen = best_high if threshold is None else max(best_high, threshold)
                    if lower[k] > screen:
                        break
                if seed is not None:  # its bound at the richer budget, looked up when needed
                    bound = seed.least if k == seed.winner else seed.bounds.get(k)
                    if bound is None:
                        # unaffordable in this round at the richer budget, so here too
                        # (its supporters hold no more here: see ``_same_between``)
                        del lower[k]
                        reasons[k] = (
                            N_("Its supporters no longer had enough money (round %(round)s)"),
                            {"round": round_no},
                        )
                        continue
                    if type(bound) is not float:
                        bound = float(bound) * _DOWN
                    if bound > lower[k]:
                        lower[k] = bound
                        if screen is not None and bound > screen:
                            continue
                found = level(k, screen, lower[k])
                if found is None:
                    del lower[k]
                    reasons[k] = (
                        N_("Its supporters no longer had enough money (round %(round)s)"),
                        {"round": round_no},
                    )
                    continue
                if found[0] == "screened":
                    lower[k] = max(lower[k], found[1])
                    continue
                low, high = found[4], found[5]
                if best is not None and low > best_high:
                    lower[k] = max(lower[k], low)  # dearer than the best: no need to be sure
                    continue
                exact = sure(k, found)
                if exact is not None:
                    looked.append((k, exact))
                if best is None:
                    wins = True
                elif exact is not None and best_exact is not None:
                    rho = best_exact
                    wins = exact < rho or (exact == rho and position[k] < position[best])
                elif high < best_low:
                    wins = True
                elif low > best_high:
                    wins = False
                else:
                    raise _Unsure  # two prices within the error bounds
                if wins:
                    if best is not None:
                        lower[best] = max(lower[best], best_low)
                    best, best_low, best_high, best_state = k, low, high, found
                    best_exact = exact
                else:
                    lower[k] = max(lower[k], low)
            # where rho is known exactly, the record says so: _same_between then
            # certifies ties decided by the tie-break too
            bounds = lower.copy()
            bounds.update(looked)
            if best is not None:
                bounds.pop(best)
            if best_exact is not None:
                record.append(_Round(best, best_exact, bounds))
            else:
                record.append(_Round(best, best_high, bounds, best_low))
            seeded = seeded and round_no < len(seeds) and seeds[round_no - 1].winner == best
            if best is None:
                break
            q, e, poor, a = best_state[:4]
            if best_exact is not None:
                tied = [k for k, rho in looked if rho == best_exact and k != best]
                if tied:
                    tied.sort(key=position.__getitem__)
                    notes.append(
                        (
                            _TIED,
                            {"round": round_no, "items": ", ".join(tied), "chosen": best},
                        )
                    )
            if a is not None:  # (a project that costs nothing is paid by nobody)
                idx = index[best]
                c = weight[best]
                paid_a = a - q
                # count * (err + E + 2u(m + q)), rounded up
                paid_e = (held_err.take(idx) + c * (a * (2 * _UNIT) + (e + 2 * _UNIT * q))) * _UP
                if poor is not None:  # the poor pay all they hold: 0 left, exactly
                    np.putmask(paid_a, poor, 0.0)
                    np.putmask(paid_e, poor, 0.0)
                money[idx] = paid_a
                held_money[idx] = paid_a * c
                held_err[idx] = paid_e
                # every amount is at most the share, so no err grows by more
                worst[0] = (worst[0] + e + 2 * _UNIT * (share + q)) * _UP
            selected.append(best)
            del lower[best]
            reasons[best] = (N_("Funded in round %(round)s"), {"round": round_no})
    except _Unsure:
        return None
    return Outcome(tuple(selected), reasons, tuple(notes)), record


# Passes of the float water level (the third starts from the sorted amounts) before a
# float run gives the decision to the exact run.
_PASSES = 8


def _same_between(
    low: Sequence[_Round], high: Sequence[_Round], position: Mapping[str, int]
) -> bool:
    """True only if MES gives the same outcome at every budget between the
    budgets of the runs recorded in ``low`` and ``high`` (low <= high).

    Why this is exact. Fix the winners of rounds 1..r-1. Then every voter's
    money at the start of round r is a nondecreasing function of the initial
    budget (induction: a winner's payment level q is the least q with
    sum(min(money, q)) >= cost, which can only fall when money rises, and each
    supporter keeps max(0, money - q)). So for every budget b in [low, high],
    in round r: a project's rho (its level per unit of utility) lies between
    its rho at ``high`` and its rho at ``low``; a project the supporters cannot
    afford at ``high`` is unaffordable at b; the winner at ``low`` is affordable
    at b. If both runs fund the same projects in the same rounds, and in every
    round every other project still in the race at ``high`` has (a lower bound
    of) its rho at ``high`` above the winner's rho at ``low`` -- or equal to it
    and after the winner in the tie-break order -- then at every b the same
    project wins that round, by induction over the rounds; and the last round
    of ``high``, where nothing was affordable, has nothing affordable at b.
    A round of a float run records an upper bound of its winner's rho as
    ``rho`` (see ``_Round``): compared with it, the test is only stricter.
    """
    if [r.winner for r in low] != [r.winner for r in high]:
        return False
    for was, now in zip(low, high, strict=True):
        if was.winner is None:
            return not now.bounds  # all unaffordable at ``high`` (so at every b)
        mine = position[was.winner]
        for k, bound in now.bounds.items():
            if bound < was.rho or (bound == was.rho and position[k] < mine):
                return False
    return True


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


_Run = tuple[Outcome, list[_Round]]


def _search(
    run: Callable[[int, Sequence[_Round], Sequence[_Round], Sequence[_Round]], _Run],
    exhaustive: Callable[[Outcome], bool],
    overspends: Callable[[Outcome], bool],
    position: Mapping[str, int],
) -> Outcome:
    """The outcome of the add-one search, as the step-by-step search finds it:
    the outcome at step 0 if it is exhaustive; else, walking t = 1, 2, ...,
    the outcome at t - 1 at the first t whose outcome overspends, or the
    outcome at t at the first t whose outcome is exhaustive.

    It runs MES at step t + J (J the current jump) and settles every step of
    (t, t + J] before going on, by halves: an interval (a, b] whose two ends
    ``_same_between`` certifies (see its docstring for why that is exact) has
    a's outcome at every step, and that outcome neither overspends nor is
    exhaustive (a was judged already), so the step-by-step search walks
    through all of it; an interval of one step is judged as the step-by-step
    search judges it; an interval of at most ``_CHAIN`` steps is run step
    by step, from its right end down (each run seeded by the run one step
    richer, whose bounds are the tightest at hand), then its steps are judged
    in order, left first; any other interval is split at its middle m (one
    run at m) and its two halves settled in order, left first. So each step is
    judged, in order, exactly as the step-by-step search judges it, and the
    search stops where it stops. The outcome need not be monotone in the
    budget (it is not in general), which is why a failed certification is
    split and never skipped: no step is left out unless certified.

    A run at the middle needs bounds fine enough to compare with the left
    end (``against``); the right end's bounds, made against the left end,
    serve for the right half too (with the same winners, every winner's rho
    at m is at most its rho at a, as rho only falls when the budget rises).
    Each step is run at most once; a run past the step where the search
    stops is wasted (at most one per level of halving, and the rest of a
    short interval run step by step). On real elections certification
    rarely holds between close budgets (two projects' prices a step apart
    cross the winner's), so most intervals end up run step by step, each run
    from a seed one step richer. J doubles after an
    interval certified whole and halves otherwise, down to ``_LEAST_JUMP``:
    a step inside an interval is run after the far end, whose record gives
    it lower bounds (``seeds`` in ``_run``), and so runs faster. Which steps
    are run, and in which order, never changes what is judged at a step.
    """
    current, record = run(0, (), (), ())
    if exhaustive(current):
        return current
    step, jump = 0, _LEAST_JUMP
    while True:
        target = step + jump
        following = run(target, record if jump > 1 else (), (), record)
        pending = [(target, following)]  # right ends still to settle, nearest last
        left: _Run = (current, record)
        whole = True
        while pending:
            right_step, right = pending[-1]
            if right_step == step + 1:
                pending.pop()
                if overspends(right[0]):
                    return left[0]
                if exhaustive(right[0]):
                    return right[0]
            elif _same_between(left[1], right[1], position):
                pending.pop()
            elif right_step - step <= _CHAIN:
                # a short interval not certified: every step in it is run, from
                # the right end down, each seeded by the run one step richer
                whole = False
                richer = right[1]
                for middle in range(right_step - 1, step, -1):  # nearest last
                    pending.append((middle, run(middle, (), richer, richer)))
                    richer = pending[-1][1][1]
                continue
            else:
                whole = False
                middle = (step + right_step) // 2
                against = left[1] if middle > step + 1 else ()
                pending.append((middle, run(middle, against, right[1], right[1])))
                continue
            step, left = right_step, right
        current, record = left
        jump = jump * 2 if whole else max(_LEAST_JUMP, jump // 2)


def equal_shares_add1(
    keys: Sequence[str],
    approvals: Sequence[frozenset[str]],
    costs: Mapping[str, int],
    budget: int,
    *,
    cost_utility: bool = True,
    greedy_completion: bool = False,
    order: Sequence[str] | None = None,
    stepwise: bool = False,
) -> Outcome:
    """MES with the add-one completion, optionally followed by greedy completion.

    The voters' budget is raised by one currency unit each (n units in all) as
    long as the outcome still costs at most the real budget and some project
    could still be afforded; the last outcome within budget is kept. Greedy
    completion then funds by votes from what is left. Invariant: the funded
    total never exceeds ``budget``.

    The search need not run MES at every step: ``_search`` settles the steps
    by intervals, certified whole where ``_same_between`` can (the outcome is
    the same at every step in between) and split in halves where it cannot;
    its docstring says why that judges every step as the step-by-step search
    does. No shortcut assumes the outcome is monotone in the budget (it is
    not): a step is passed over only inside a certified interval.
    Each run is made in floats first (``_float_run``: every decision checked
    against proved error bounds, exact rationals where the prices are known
    exactly, so ties too are decided as the exact run decides them; its
    docstring says why the outcome is the exact one); the exact ``_run`` only
    runs where a decision falls inside the bounds. ``stepwise=True`` runs the
    plain search (one exact MES run per step), kept as the reference the tests
    compare against.
    """
    n = len(approvals)
    supported = {k for a in approvals for k in a}
    electorate = Electorate.of(keys, approvals)
    ranking = list(order) if order is not None else tie_order(keys, electorate.votes, costs)
    position = {k: i for i, k in enumerate(ranking)}

    def run(
        step: int,
        against: Sequence[_Round] = (),
        seeds: Sequence[_Round] = (),
        hint: Sequence[_Round] = (),
    ) -> tuple[Outcome, list[_Round]]:
        share = Fraction(budget + step * n)
        args = (electorate, keys, costs, share, cost_utility, ranking, against, seeds, hint)
        if not stepwise:
            fast = _float_run(*args)
            if fast is not None:
                return fast
        return _run(*args)

    def exhaustive(outcome: Outcome) -> bool:
        spent = sum(costs[k] for k in outcome.selected)
        chosen = set(outcome.selected)
        return all(costs[k] > budget - spent for k in supported - chosen if k in costs)

    if stepwise:
        step, current = 0, run(0)[0]
        while n and not exhaustive(current):
            following, _ = run(step + 1)
            if sum(costs[k] for k in following.selected) > budget:
                break
            current, step = following, step + 1
    else:
        current = (
            _search(run, exhaustive, lambda o: sum(costs[k] for k in o.selected) > budget, position)
            if n
            else run(0)[0]
        )
    if not greedy_completion:
        return current
    votes = Counter(k for a in approvals for k in a)
    left = budget - sum(costs[k] for k in current.selected)
    selected = list(current.selected)
    reasons = dict(current.reasons)
    for k in tie_order(keys, {k: votes[k] for k in keys}, costs, order):
        if k in selected or votes[k] == 0:
            continue
        if costs[k] <= left:
            selected.append(k)
            left -= costs[k]
            reasons[k] = (N_("Funded by greedy completion"), {})
    return Outcome(tuple(selected), reasons, current.notes)
