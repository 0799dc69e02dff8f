"""Small subgroups are hidden: a figure from fewer than the minimum (default 30)
respondents is not published, so that no one can be singled out and no
unstable figure is shown."""

from __future__ import annotations

MIN_GROUP = 30


def shown(n: int, minimum: int = MIN_GROUP) -> bool:
    """Invariant: never True below the minimum."""
    return n >= minimum
