"""Paper batches entered as per-item counts instead of ballot by ballot.

For rules that depend only on per-item totals (thresholds, most votes,
satisfaction grades), a batch's counts are turned into as many ballot-equivalents
as the batch held, with exactly the counted totals: approvals are dealt out
round-robin so that no ballot-equivalent holds more marks than some real ballot
must have held. Void ballots become entries that no form accepts. The same
counts always give the same ballot-equivalents, so two tellers agree exactly
when their counts agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.errors import N_

COUNTABLE = (FormKind.CHOOSE, FormKind.YES_NO, FormKind.SATISFACTION)
MARKS = {
    FormKind.YES_NO: ("yes", "no", "abstain"),
    FormKind.SATISFACTION: ("satisfied", "basic", "dissatisfied", "abstain"),
}
VOID = "__void__"


def counts_problem(
    form: BallotForm, keys: Sequence[str], valid: int, counts: Mapping[str, Sequence[int]]
) -> str | None:
    """Why these counts cannot come from ``valid`` valid ballots (an English msgid), or None.

    ``counts[key]`` is ``[approvals]`` for choose forms, and one number per mark
    (yes/no/abstain; satisfied/basic/dissatisfied/abstain) otherwise.
    """
    if form.kind not in COUNTABLE:
        return N_("This ballot form cannot be counted per item; enter the ballots one by one.")
    if set(counts) != set(keys) or valid < 0:
        return N_("Give a count for every item.")
    if any(n < 0 for row in counts.values() for n in row):
        return N_("Counts cannot be negative.")
    if form.kind is FormKind.CHOOSE:
        totals = [row[0] for row in counts.values()]
        if any(t > valid for t in totals):
            return N_("An item has more votes than there were valid ballots.")
        most = form.max_choices if form.max_choices is not None else len(keys)
        if sum(totals) > most * valid or sum(totals) < form.min_choices * valid:
            return N_("The counts do not fit the number of valid ballots and choices allowed.")
        return None
    if any(sum(row) != valid or len(row) != len(MARKS[form.kind]) for row in counts.values()):
        return N_("For every item the marks must add up to the number of valid ballots.")
    return None


def expand(
    form: BallotForm,
    keys: Sequence[str],
    valid: int,
    void: int,
    counts: Mapping[str, Sequence[int]],
) -> list[dict[str, Any]]:
    """Ballot-equivalents with exactly the given totals (see the module docstring)."""
    ballots: list[dict[str, Any]]
    if form.kind is FormKind.CHOOSE:
        approved: list[list[str]] = [[] for _ in range(valid)]
        cursor = 0
        for key in keys:
            for j in range(counts[key][0]):
                approved[(cursor + j) % valid].append(key)
            cursor += counts[key][0]
        ballots = [{"approved": sorted(a)} for a in approved]
        invalid: dict[str, Any] = {"approved": [VOID]}
    else:
        field = "choices" if form.kind is FormKind.YES_NO else "grades"
        marks = MARKS[form.kind]
        ballots = [{field: {}} for _ in range(valid)]
        for key in keys:
            position = 0
            for mark, n in zip(marks, counts[key], strict=True):
                for _ in range(n):
                    ballots[position][field][key] = mark
                    position += 1
        invalid = {field: {VOID: marks[0]}}
    return ballots + [invalid] * void
