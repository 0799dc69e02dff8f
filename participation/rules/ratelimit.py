"""Sliding-window limits for sign-in attempts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Limit:
    max_failures: int
    window: timedelta


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: timedelta = timedelta(0)


def check_limit(failures: Iterable[datetime], now: datetime, limit: Limit) -> RateDecision:
    """Refuse once ``limit.max_failures`` failures fall inside the window before ``now``.

    Invariant: the refusal lifts exactly when the oldest counted failure leaves
    the window, so ``retry_after`` is never negative and never longer than the window.
    """
    recent = sorted(t for t in failures if now - limit.window < t <= now)
    if len(recent) < limit.max_failures:
        return RateDecision(True)
    oldest_counted = recent[-limit.max_failures]
    return RateDecision(False, oldest_counted + limit.window - now)
