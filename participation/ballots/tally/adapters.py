"""Adapters from validated ballots (see participation.ballots.rules.ballot_forms) to the
counting rules, returning rows for the results page. One function per rule name
used in a ballot box's ``rule`` setting."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from participation.ballots.rules.ballot_forms import BallotForm
from participation.ballots.tally import equal_shares as es
from participation.errors import N_

Ballots = Sequence[Mapping[str, Any]]
RUNOFF = N_("Runoff needed among: %(items)s (tied at %(votes)s votes) for %(places)s place(s).")


@dataclass(frozen=True)
class Row:
    key: str
    value: int
    selected: bool
    outcome: str  # English msgid
    outcome_params: dict[str, Any] = field(default_factory=dict)
    detail: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CountResult:
    rows: list[Row]
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    value_label: str = N_("Votes")


Counter_ = Callable[[BallotForm, Mapping[str, Any], Mapping[str, int], Ballots, int], CountResult]
RULES: dict[str, Counter_] = {}


def rule(name: str) -> Callable[[Counter_], Counter_]:
    def register(fn: Counter_) -> Counter_:
        RULES[name] = fn
        return fn

    return register


def approvals(ballots: Ballots, keys: Sequence[str]) -> Counter[str]:
    counts: Counter[str] = Counter({k: 0 for k in keys})
    for ballot in ballots:
        if "approved" in ballot:
            counts.update(ballot["approved"])
        elif "choices" in ballot:
            counts.update(k for k, v in ballot["choices"].items() if v == "yes")
    return counts


def ordered(keys: Sequence[str], score: Mapping[str, int | Fraction]) -> list[str]:
    """Highest score first; equal scores keep ballot order (item keys as listed)."""
    position = {k: n for n, k in enumerate(keys)}
    return sorted(keys, key=lambda k: (-score[k], position[k]))


def _fraction(value: Any, default: str) -> Fraction:
    return Fraction(str(value if value is not None else default))


def votes_to_pass(needed: Fraction, strict: bool = True) -> int:
    """The fewest votes that pass a threshold of ``needed`` votes: more than
    ``needed`` when ``strict`` (the default, "more than half"), else at least it.

    Invariant: ``passes(votes_to_pass(n, s))`` and not ``passes(votes_to_pass(n, s) - 1)``
    for the threshold rule's ``passes`` (votes are whole, never negative).
    """
    floor = needed.numerator // needed.denominator
    if strict:
        return max(0, floor + 1)
    return max(0, floor if floor == needed else floor + 1)


@rule("threshold")
def count_threshold(
    form: BallotForm,
    params: Mapping[str, Any],
    costs: Mapping[str, int],
    ballots: Ballots,
    eligible: int,
) -> CountResult:
    """Items pass with more than (or at least) a share of a base; then the top N pass.

    ``params``: ``base`` (eligible | present | cast: all on the roll, ballots
    returned including void ones, or valid ballots; default eligible), ``share`` (default
    1/2), ``strict`` (default true: "more than"), ``places`` (N, default all),
    ``quorum`` (share of eligible that must vote, default none). A tie at the
    cut-off is reported as a runoff among the tied items, never broken; fewer
    passing items than places is reported as a further round.
    """
    keys = list(costs)
    yes = approvals(ballots, keys)
    cast = len(ballots)
    present = int(params.get("returned", cast))
    base = {"eligible": eligible, "present": present, "cast": cast}[
        str(params.get("base", "eligible"))
    ]
    share = _fraction(params.get("share"), "1/2")
    strict = bool(params.get("strict", True))
    notes: list[tuple[str, dict[str, Any]]] = []
    quorum = params.get("quorum")
    if quorum is not None and present <= _fraction(quorum, "1/2") * eligible:
        notes.append(
            (
                N_("Quorum not reached: %(cast)s of %(eligible)s voted."),
                {"cast": present, "eligible": eligible},
            )
        )
        rows = [Row(k, yes[k], False, N_("Not adopted: no quorum")) for k in ordered(keys, yes)]
        return CountResult(rows, notes)
    needed = share * base

    def passes(k: str) -> bool:
        return yes[k] > needed if strict else yes[k] >= needed

    passing = [k for k in ordered(keys, yes) if passes(k)]
    places = int(params.get("places") or len(keys))
    selected = set(passing[:places])
    tied: list[str] = []
    if len(passing) > places:
        cutoff = yes[passing[places - 1]]
        tied = [k for k in passing if yes[k] == cutoff]
        if any(k not in selected for k in tied):
            selected -= set(tied)
            notes.append(
                (
                    RUNOFF,
                    {"items": tied, "votes": cutoff, "places": places - len(selected)},
                )
            )
    if len(passing) < places:
        notes.append(
            (
                N_("Further round needed: %(missing)s place(s) not filled."),
                {"missing": places - len(passing)},
            )
        )
    rows = []
    for k in ordered(keys, yes):
        detail = {}
        if any("choices" in b for b in ballots):
            marks = Counter(b["choices"][k] for b in ballots if "choices" in b)
            detail = {
                N_("Yes"): marks["yes"],
                N_("No"): marks["no"],
                N_("Abstain"): marks["abstain"],
            }
        if k in selected:
            rows.append(Row(k, yes[k], True, N_("Adopted"), detail=detail))
        elif k in tied:
            rows.append(Row(k, yes[k], False, N_("Tied: runoff needed"), detail=detail))
        elif passes(k):
            rows.append(
                Row(k, yes[k], False, N_("Passed the threshold but no place left"), detail=detail)
            )
        else:
            rows.append(
                Row(
                    k,
                    yes[k],
                    False,
                    N_("Below the threshold of %(needed)s"),
                    {"needed": str(needed)},
                    detail,
                )
            )
    return CountResult(rows, notes)


@rule("approval")
def count_approval(
    form: BallotForm,
    params: Mapping[str, Any],
    costs: Mapping[str, int],
    ballots: Ballots,
    eligible: int,
) -> CountResult:
    """The N items with most votes; a tie at the cut-off is reported, not broken."""
    return count_threshold(
        form, dict(params) | {"share": "0", "strict": False}, costs, ballots, eligible
    )


@rule("satisfaction")
def count_satisfaction(
    form: BallotForm,
    params: Mapping[str, Any],
    costs: Mapping[str, int],
    ballots: Ballots,
    eligible: int,
) -> CountResult:
    """Per item: satisfied when satisfied ballots reach half of the base; basically
    satisfied when satisfied + basically satisfied do; otherwise dissatisfied.

    ``base``: eligible (all members, default) or cast. ``half``: reach (at least
    half, default) or exceed (more than half).
    """
    base = eligible if params.get("base", "eligible") == "eligible" else len(ballots)
    exceed = params.get("half", "reach") == "exceed"

    def enough(n: int) -> bool:
        return 2 * n > base if exceed else 2 * n >= base

    rows = []
    for k in costs:
        grades = Counter(b["grades"][k] for b in ballots)
        satisfied, basic = grades["satisfied"], grades["basic"]
        detail = {
            N_("Satisfied"): satisfied,
            N_("Basically satisfied"): basic,
            N_("Dissatisfied"): grades["dissatisfied"],
            N_("Abstain"): grades["abstain"],
        }
        if enough(satisfied):
            outcome = N_("Satisfied")
        elif enough(satisfied + basic):
            outcome = N_("Basically satisfied")
        else:
            outcome = N_("Dissatisfied")
        rows.append(Row(k, satisfied, outcome != N_("Dissatisfied"), outcome, detail=detail))
    return CountResult(rows, value_label=N_("Satisfied"))


@rule("borda")
def count_borda(
    form: BallotForm,
    params: Mapping[str, Any],
    costs: Mapping[str, int],
    ballots: Ballots,
    eligible: int,
) -> CountResult:
    """Borda: on a ballot ranking r items, the i-th (from 0) gets r - i points
    (a truncated ballot gives its ranked items points as if only they stood)."""
    keys = list(costs)
    score: Counter[str] = Counter({k: 0 for k in keys})
    for ballot in ballots:
        ranking = ballot["ranking"]
        for i, k in enumerate(ranking):
            score[k] += len(ranking) - i
    return _top(keys, score, int(params.get("places") or 1), N_("Points"))


def _top(keys: Sequence[str], score: Mapping[str, int], places: int, label: str) -> CountResult:
    order = ordered(keys, score)
    notes: list[tuple[str, dict[str, Any]]] = []
    selected = set(order[:places])
    if len(order) > places and score[order[places - 1]] == score[order[places]]:
        cutoff = score[order[places - 1]]
        tied = [k for k in order if score[k] == cutoff]
        selected -= set(tied)
        notes.append(
            (
                RUNOFF,
                {"items": tied, "votes": cutoff, "places": places - len(selected)},
            )
        )
    rows = [
        Row(k, score[k], k in selected, N_("Elected") if k in selected else N_("Not elected"))
        for k in order
    ]
    return CountResult(rows, notes, label)


@rule("irv")
def count_irv(
    form: BallotForm,
    params: Mapping[str, Any],
    costs: Mapping[str, int],
    ballots: Ballots,
    eligible: int,
) -> CountResult:
    """Instant runoff for one winner: drop the item with fewest first preferences
    until one has a majority of continuing ballots. A tie for last is broken by
    fewer first preferences in the first round, then by item order (noted)."""
    keys = list(costs)
    continuing = list(keys)
    first_round: Counter[str] = Counter({k: 0 for k in keys})
    for ballot in ballots:
        if ballot["ranking"]:
            first_round[ballot["ranking"][0]] += 1
    eliminated: list[str] = []
    notes: list[tuple[str, dict[str, Any]]] = []
    while True:
        tops: Counter[str] = Counter({k: 0 for k in continuing})
        for ballot in ballots:
            for k in ballot["ranking"]:
                if k in continuing:
                    tops[k] += 1
                    break
        live = sum(tops.values())
        leader = ordered(continuing, tops)[0]
        if 2 * tops[leader] > live or len(continuing) == 1:
            break
        low = min(tops[k] for k in continuing)
        lowest = [k for k in continuing if tops[k] == low]
        if len(lowest) > 1:
            notes.append(
                (
                    N_(
                        "Tie for last place among %(items)s, broken by first preferences, "
                        "then ballot order."
                    ),
                    {"items": lowest},
                )
            )
        drop = sorted(lowest, key=lambda k: (first_round[k], -keys.index(k)))[0]
        continuing.remove(drop)
        eliminated.append(drop)
    rows = [Row(leader, tops[leader], True, N_("Elected"))]
    rows += [
        Row(k, tops[k], False, N_("Not elected")) for k in ordered(continuing, tops) if k != leader
    ]
    rows += [
        Row(k, first_round[k], False, N_("Eliminated in round %(round)s"), {"round": n})
        for n, k in enumerate(eliminated, start=1)
    ]
    return CountResult(rows, notes, N_("Votes in the last round"))


def _budget_rows(
    keys: Sequence[str], votes: Mapping[str, int], costs: Mapping[str, int], outcome: Any
) -> CountResult:
    chosen = set(outcome.selected)
    reasons = {k: outcome.reasons.get(k, (N_("Not funded"), {})) for k in keys}
    rows = [
        Row(
            k,
            votes[k],
            k in chosen,
            reasons[k][0],
            reasons[k][1],
            detail={N_("Cost"): costs[k]},
        )
        for k in es.tie_order(keys, votes, costs)
    ]
    return CountResult(rows)


def _budget_of(form: BallotForm, params: Mapping[str, Any]) -> int:
    return int(params.get("budget") or form.budget or 0)


def _budget_rule(name: str, **options: Any) -> None:
    def count(
        form: BallotForm,
        params: Mapping[str, Any],
        costs: Mapping[str, int],
        ballots: Ballots,
        eligible: int,
    ) -> CountResult:
        keys = list(costs)
        votes = approvals(ballots, keys)
        budget = _budget_of(form, params)
        if name.startswith("greedy"):
            minimum = int(params.get("threshold", 0)) if name == "greedy-threshold" else 0
            outcome = es.greedy(
                keys, votes, costs, budget, skip=name != "greedy-no-skip", min_votes=minimum
            )
        else:
            sets = [frozenset(b["approved"]) for b in ballots]
            utility = params.get("utility", "cost") == "cost"
            if name == "mes":
                outcome = es.equal_shares(keys, sets, costs, Fraction(budget), cost_utility=utility)
            else:
                outcome = es.equal_shares_add1(
                    keys,
                    sets,
                    costs,
                    budget,
                    cost_utility=utility,
                    greedy_completion=name == "mes-add1-greedy",
                )
        return _budget_rows(keys, votes, costs, outcome)

    RULES[name] = count


for _name in ("greedy", "greedy-no-skip", "greedy-threshold", "mes", "mes-add1", "mes-add1-greedy"):
    _budget_rule(_name)


@rule("points")
def count_points(
    form: BallotForm,
    params: Mapping[str, Any],
    costs: Mapping[str, int],
    ballots: Ballots,
    eligible: int,
) -> CountResult:
    """Cumulative (or ranked, Borda-scored) ballots: most points first; within a
    budget, greedy by points."""
    keys = list(costs)
    points: Counter[str] = Counter({k: 0 for k in keys})
    for ballot in ballots:
        if "ranking" in ballot:  # ranked ballots give Borda points
            ranking = ballot["ranking"]
            points.update({k: len(ranking) - i for i, k in enumerate(ranking)})
        else:
            points.update(ballot["points"])
    budget = _budget_of(form, params)
    if budget:
        return _budget_rows(keys, points, costs, es.greedy(keys, points, costs, budget))
    return _top(keys, points, int(params.get("places") or 1), N_("Points"))
