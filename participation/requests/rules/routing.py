"""Choosing the routing rule for a request (pure).

A rule names a category, an area (the rule holds in its subtree) and a scale (or
any scale); the most specific rule covering the request wins: the deepest area
first, then one for the exact scale over one for any scale, then the lowest id
(the older rule), so the choice never depends on row order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from participation.rules.areas import is_within

ANY_SCALE = "any"


@dataclass(frozen=True)
class RuleRow:
    id: int
    category: str
    area_path: str
    scale: str  # "individual", "group" or ANY_SCALE


def choose_rule(
    rules: Iterable[RuleRow], *, category: str, scale: str, place_path: str
) -> RuleRow | None:
    """The rule that routes a request of ``category`` and ``scale`` filed at ``place_path``."""
    fitting = [
        r
        for r in rules
        if r.category == category
        and r.scale in (scale, ANY_SCALE)
        and is_within(place_path, r.area_path)
    ]
    if not fitting:
        return None
    return min(fitting, key=lambda r: (-r.area_path.count("/"), r.scale == ANY_SCALE, r.id))
