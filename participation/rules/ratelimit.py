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


@dataclass(frozen=True)
class Backoff:
    """After ``free`` failures inside ``window``, each further attempt waits
    ``base`` doubled per failure beyond ``free``, at most ``cap``, counted from
    the latest failure."""

    free: int
    base: timedelta
    cap: timedelta
    window: timedelta

    def delay(self, failures: int) -> timedelta:
        """The wait after ``failures`` recent failures (zero while still free)."""
        if failures < self.free:
            return timedelta(0)
        grown: timedelta = self.base * 2 ** min(failures - self.free, 32)
        return min(grown, self.cap)


def check_backoff(failures: Iterable[datetime], now: datetime, policy: Backoff) -> RateDecision:
    """Allow an attempt once the delay earned by the recent failures has passed.

    Invariants: never more than ``policy.free`` attempts without a wait; the
    wait never shrinks as failures are added (until they leave the window); and
    ``retry_after`` is between zero and ``policy.cap``. Refusing instead of
    sleeping keeps the server free: the person is told how long to wait.
    """
    recent = sorted(t for t in failures if now - policy.window < t <= now)
    wait = policy.delay(len(recent))
    if not recent or wait == timedelta(0) or now >= recent[-1] + wait:
        return RateDecision(True)
    return RateDecision(False, recent[-1] + wait - now)


def most_restrictive(decisions: Iterable[RateDecision]) -> RateDecision:
    """Refused if any is refused, with the longest wait among them."""
    refusals = [d for d in decisions if not d.allowed]
    if not refusals:
        return RateDecision(True)
    return RateDecision(False, max(d.retry_after for d in refusals))
