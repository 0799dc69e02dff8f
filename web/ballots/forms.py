"""Turning a submitted ballot form (plain HTML, no JavaScript) into a raw ballot."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.datastructures import FormData

from participation.ballots.rules.ballot_forms import FormKind
from web.kit.forms import whole_number


def raw_ballot(kind: FormKind, keys: Sequence[str], form: FormData) -> dict[str, Any]:
    """The ballot as submitted; validation is the domain's (check_ballot)."""
    if kind in (FormKind.CHOOSE, FormKind.BUDGET):
        return {"approved": [v for v in form.getlist("item") if isinstance(v, str)]}
    if kind is FormKind.RANKED:
        ranking = []
        for rank in range(1, len(keys) + 1):
            value = form.get(f"rank-{rank}")
            if isinstance(value, str) and value:
                ranking.append(value)
        return {"ranking": ranking}
    if kind is FormKind.CUMULATIVE:
        points: dict[str, Any] = {}
        for key in keys:
            value = form.get(f"points-{key}")
            if isinstance(value, str) and value.strip():
                number = whole_number(value, high=1_000_000)
                points[key] = value if number is None else number  # the rule refuses text
        return {"points": points}
    field = "choices" if kind is FormKind.YES_NO else "grades"
    prefix = "choice" if kind is FormKind.YES_NO else "grade"
    marks = {}
    for key in keys:
        value = form.get(f"{prefix}-{key}")
        if isinstance(value, str) and value:
            marks[key] = value
    return {field: marks}
