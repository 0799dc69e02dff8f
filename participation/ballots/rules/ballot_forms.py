"""Ballot forms and the validation of one ballot against its form.

A ballot's content is a plain JSON-able dict, canonical for each form kind, so
that the published bulletin can be re-tallied by anyone:

- ``yes_no``: ``{"choices": {"<item>": "yes" | "no" | "abstain"}}``
- ``choose``: ``{"approved": ["<item>", ...]}`` (sorted)
- ``budget``: ``{"approved": ["<item>", ...]}`` (sorted)
- ``ranked``: ``{"ranking": ["<item>", ...]}`` (most preferred first)
- ``cumulative``: ``{"points": {"<item>": n}}`` (n > 0)
- ``satisfaction``: ``{"grades": {"<item>": "satisfied" | "basic" | "dissatisfied" | "abstain"}}``

Item keys are strings (the item's stable key within its box).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any


class FormKind(StrEnum):
    YES_NO = "yes_no"
    CHOOSE = "choose"
    BUDGET = "budget"
    RANKED = "ranked"
    CUMULATIVE = "cumulative"
    SATISFACTION = "satisfaction"


YES_NO_CHOICES = ("yes", "no", "abstain")
GRADES = ("satisfied", "basic", "dissatisfied", "abstain")


@dataclass(frozen=True)
class BallotForm:
    """What a valid ballot looks like.

    ``min_choices``/``max_choices`` bound the approved items (choose, budget) or
    the ranked items (ranked). ``budget`` caps the total cost of approved items
    and ``min_share`` asks that at least that share of the cap be used.
    ``points`` is the total a cumulative ballot distributes, at most
    ``max_per_item`` on one item.
    """

    kind: FormKind
    min_choices: int = 0
    max_choices: int | None = None
    budget: int | None = None
    min_share: Fraction | None = None
    points: int | None = None
    max_per_item: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind.value, "min_choices": self.min_choices}
        for name in ("max_choices", "budget", "points", "max_per_item"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        if self.min_share is not None:
            data["min_share"] = str(self.min_share)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BallotForm:
        share = data.get("min_share")
        return cls(
            kind=FormKind(data["kind"]),
            min_choices=int(data.get("min_choices", 0)),
            max_choices=data.get("max_choices"),
            budget=data.get("budget"),
            min_share=Fraction(share) if share is not None else None,
            points=data.get("points"),
            max_per_item=data.get("max_per_item"),
        )


@dataclass(frozen=True)
class Checked:
    """A validated ballot (``content`` canonical) or the reason it is refused."""

    content: dict[str, Any] | None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class BudgetUse:
    """How much of a budget ballot's cap a set of chosen items spends.

    Invariants: ``total`` counts each known item once (unknown keys cost
    nothing); ``over == max(0, total - budget)`` and ``left == max(0, budget - total)``,
    so at most one of them is positive.
    """

    total: int
    budget: int

    @property
    def over(self) -> int:
        return max(0, self.total - self.budget)

    @property
    def left(self) -> int:
        return max(0, self.budget - self.total)


def budget_use(form: BallotForm, costs: Mapping[str, int], chosen: Any) -> BudgetUse | None:
    """The spend of ``chosen`` item keys against ``form``'s cap; None unless the
    form is a budget form with a cap."""
    if form.kind is not FormKind.BUDGET or form.budget is None:
        return None
    keys = {str(key) for key in chosen}
    return BudgetUse(sum(costs.get(key, 0) for key in keys), form.budget)


def refuse(reason: str) -> Checked:
    return Checked(None, reason)


def check_ballot(form: BallotForm, costs: Mapping[str, int], raw: Mapping[str, Any]) -> Checked:
    """Validate ``raw`` against ``form`` for items ``costs`` (key -> cost, 0 if none).

    Reasons: ``unknown_item``, ``too_few``, ``too_many``, ``duplicate``,
    ``over_budget``, ``under_min_share``, ``bad_choice``, ``bad_points``,
    ``over_points``, ``over_item_points``, ``empty``.
    Invariant: an accepted ballot's content mentions only known items and is
    canonical (the same choices always give the same content).
    """
    kind = form.kind
    if kind in (FormKind.CHOOSE, FormKind.BUDGET):
        approved = list(raw.get("approved", []))
        if len(set(approved)) != len(approved):
            return refuse("duplicate")
        if any(k not in costs for k in approved):
            return refuse("unknown_item")
        if len(approved) < form.min_choices:
            return refuse("too_few")
        if form.max_choices is not None and len(approved) > form.max_choices:
            return refuse("too_many")
        if kind is FormKind.BUDGET and form.budget is not None:
            total = sum(costs[k] for k in approved)
            if total > form.budget:
                return refuse("over_budget")
            if form.min_share is not None and total < form.min_share * form.budget:
                return refuse("under_min_share")
        return Checked({"approved": sorted(approved)})
    if kind is FormKind.RANKED:
        ranking = list(raw.get("ranking", []))
        if len(set(ranking)) != len(ranking):
            return refuse("duplicate")
        if any(k not in costs for k in ranking):
            return refuse("unknown_item")
        if len(ranking) < max(1, form.min_choices):
            return refuse("too_few")
        if form.max_choices is not None and len(ranking) > form.max_choices:
            return refuse("too_many")
        return Checked({"ranking": ranking})
    if kind is FormKind.CUMULATIVE:
        points = {str(k): v for k, v in dict(raw.get("points", {})).items()}
        if any(k not in costs for k in points):
            return refuse("unknown_item")
        if any(not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in points.values()):
            return refuse("bad_points")
        points = {k: v for k, v in points.items() if v > 0}
        if not points:
            return refuse("empty")
        if form.points is not None and sum(points.values()) > form.points:
            return refuse("over_points")
        if form.max_per_item is not None and max(points.values()) > form.max_per_item:
            return refuse("over_item_points")
        return Checked({"points": dict(sorted(points.items()))})
    allowed = YES_NO_CHOICES if kind is FormKind.YES_NO else GRADES
    field = "choices" if kind is FormKind.YES_NO else "grades"
    marks = {str(k): v for k, v in dict(raw.get(field, {})).items()}
    if any(k not in costs for k in marks):
        return refuse("unknown_item")
    if any(v not in allowed for v in marks.values()):
        return refuse("bad_choice")
    # An item left unmarked counts as an abstention.
    full = {k: marks.get(k, "abstain") for k in sorted(costs)}
    return Checked({field: full})
