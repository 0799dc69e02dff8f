"""Counting a published bulletin: from its header (form, rule, items, eligible)
and its ballots to a tally that the results page shows and anyone can recompute.

The tally is plain JSON: ``rows`` (one per item, in outcome order), ``selected``
item keys, counts of ballots and void ballots, and ``notes`` (a runoff or a
further round needed, a void round). Each note and outcome is an English msgid
with parameters. The rule-specific arithmetic lives in :mod:`participation.ballots.tally`;
this module only adapts ballots to it and its results to the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from participation.ballots.rules.ballot_forms import BallotForm, check_ballot
from participation.ballots.tally.adapters import RULES


def count_bulletin(
    header: Mapping[str, Any], contents: Sequence[Mapping[str, Any]], paper: Sequence[bool]
) -> dict[str, Any]:
    """Tally ``contents`` (raw ballots) under the header's form and rule.

    Invalid ballots are void (a paper ballot that marks too many items, say).
    Invariants: the result depends only on the arguments (ballot order included
    in no way), and a round returning more paper ballots than were issued is void.
    A header with ``present`` (a box with a presence list) makes that the base of
    "present" thresholds and of the quorum.
    """
    form = BallotForm.from_json(header["form"])
    costs = {item["key"]: int(item["cost"]) for item in header["items"]}
    titles = {item["key"]: item["title"] for item in header["items"]}
    valid: list[dict[str, Any]] = []
    void = 0
    for raw in contents:
        checked = check_ballot(form, costs, raw)
        if checked.ok and checked.content is not None:
            valid.append(checked.content)
        else:
            void += 1
    issued = header.get("paper_issued")
    returned_paper = sum(1 for p in paper if p)
    rule = dict(header["rule"])
    base = {
        "rule": rule.get("rule"),
        "ballots": len(contents),
        "void": void,
        "eligible": int(header.get("eligible", 0)),
        "round_void": issued is not None and returned_paper > int(issued),
    }
    if base["round_void"]:
        return base | {"rows": [], "selected": [], "notes": [], "value_label": "Votes", "scale": 0}
    counter = RULES[str(rule.get("rule"))]
    # The base for "present" thresholds: the members signed in where the box
    # keeps a presence list, otherwise the ballots returned (valid and void).
    present = header.get("present")
    returned = len(contents) if present is None else int(present)
    result = counter(
        form, rule | {"returned": returned}, costs, valid, int(header.get("eligible", 0))
    )
    rows = [
        {
            "key": row.key,
            "title": titles[row.key],
            "value": row.value,
            "detail": [[label, value] for label, value in row.detail.items()],  # ordered
            "selected": row.selected,
            "outcome": row.outcome,
            "outcome_params": row.outcome_params,
        }
        for row in result.rows
    ]
    return base | {
        "rows": rows,
        "selected": [r["key"] for r in rows if r["selected"]],
        "notes": [{"message": m, "params": _readable(p, titles)} for m, p in result.notes],
        "value_label": result.value_label,
        "scale": max([r["value"] for r in rows] + [1]),
    }


def _readable(params: Mapping[str, Any], titles: Mapping[str, str]) -> dict[str, Any]:
    """Item keys in note parameters become their titles, joined for display."""
    return {k: "、".join(titles[i] for i in v) if k == "items" else v for k, v in params.items()}
