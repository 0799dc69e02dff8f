"""Figures of resident requests, from plain rows: hotspots (counts by grid × category ×
month, recurring matters, rising categories) and how units perform (acceptance, on-time,
resolution and satisfaction rates), with a ranking of units (红黑榜).

The service layer turns database rows into ``RequestRow`` values (one per request; a
request merged into another is left out or marked ``closure="merged"``: it is counted
through the one it joined) and calls these functions; nothing here queries.

Invariants (tested with hypothesis): every rate is ``None`` (nothing to measure) or in
[0, 1]; the ranking is a permutation of the ranked units; every result is independent of
the order of the input rows. Months are the Asia/Shanghai month of filing ("YYYY-MM");
naive times are read as UTC, as the portal stores them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from participation.errors import N_
from participation.requests.rules.calendar import local_day

#: Return-visit ratings that count as satisfied (满意 and 基本满意, as 12345 lines count).
SATISFIED_RATINGS = frozenset({"satisfied", "basic"})
RATINGS = frozenset({"satisfied", "basic", "dissatisfied"})
#: Closures that mean the matter was resolved (a merged request is not a resolution).
RESOLVED_CLOSURES = frozenset({"confirmed", "not_confirmed"})

#: What the rate columns are called on pages.
RATE_LABELS: dict[str, str] = {
    "acceptance": N_("Acceptance rate"),
    "on_time": N_("On-time rate"),
    "resolution": N_("Resolution rate"),
    "satisfaction": N_("Satisfaction rate"),
    "score": N_("Overall score"),
}
BOARD_LABELS: dict[str, str] = {
    "red": N_("Red list: the best units"),
    "black": N_("Black list: the units to improve"),
}

#: Weights of the rates in a unit's score (renormalised over the rates it has).
SCORE_WEIGHTS: dict[str, float] = {
    "acceptance": 0.2,
    "on_time": 0.3,
    "resolution": 0.3,
    "satisfaction": 0.2,
}


@dataclass(frozen=True)
class RequestRow:
    """One request, as the figures see it. ``grid`` and ``unit`` are ids (the unit that
    holds it now; None when not routed). The on-time flags are None until decided: to
    accept, once accepted or overdue; to resolve, once closed or overdue."""

    grid: int
    category: str
    channel: str
    status: str
    filed_at: datetime
    unit: int | None = None
    accepted_at: datetime | None = None
    closed_at: datetime | None = None
    closure: str = ""
    accepted_on_time: bool | None = None
    resolved_on_time: bool | None = None
    rating: str = ""  # the latest return visit: satisfied | basic | dissatisfied | ""

    @property
    def merged(self) -> bool:
        return self.closure == "merged"

    @property
    def month(self) -> str:
        return month_of(self.filed_at)


def month_of(moment: datetime) -> str:
    """The Asia/Shanghai month of ``moment`` as "YYYY-MM"."""
    return local_day(moment).strftime("%Y-%m")


def previous_months(month: str, n: int) -> list[str]:
    """The ``n`` months before ``month`` ("YYYY-MM"), nearest first."""
    year, mon = int(month[:4]), int(month[5:7])
    out = []
    for _ in range(n):
        year, mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
        out.append(f"{year:04d}-{mon:02d}")
    return out


def _counted(rows: Iterable[RequestRow]) -> list[RequestRow]:
    return [r for r in rows if not r.merged]


# --- hotspots -------------------------------------------------------------------------


#: What the public board may count by (none of it personal).
COUNT_FIELDS = ("grid", "category", "channel", "status", "unit", "month")


def counts_by(rows: Iterable[RequestRow], *fields: str) -> dict[tuple[object, ...], int]:
    """Requests per combination of ``fields`` (from ``COUNT_FIELDS``), merged ones left
    out, keys sorted (None, an unrouted request's unit, sorts first)."""
    unknown = set(fields) - set(COUNT_FIELDS)
    if unknown or not fields:
        raise ValueError(f"count by some of {COUNT_FIELDS}, not {sorted(unknown)}")
    counts = Counter(tuple(getattr(r, f) for f in fields) for r in _counted(rows))
    return dict(sorted(counts.items(), key=lambda kv: tuple((v is not None, v) for v in kv[0])))


def counts_by_grid_category_month(rows: Iterable[RequestRow]) -> dict[tuple[int, str, str], int]:
    """Requests filed per (grid, category, month), merged ones left out, keys sorted."""
    counts = Counter((r.grid, r.category, r.month) for r in _counted(rows))
    return dict(sorted(counts.items()))


@dataclass(frozen=True)
class Recurring:
    """One grid and category with at least ``at_least`` requests in the window."""

    grid: int
    category: str
    count: int
    first: date
    last: date


def recurring_matters(
    rows: Iterable[RequestRow], *, today: date, window_days: int = 90, at_least: int = 3
) -> list[Recurring]:
    """Grid × category pairs with ``at_least`` requests filed (local day) in the
    ``window_days`` days up to and including ``today``; merged requests count here (each
    is one more person raising the matter). Most first, then by grid and category."""
    start = today - timedelta(days=window_days - 1)
    days: dict[tuple[int, str], list[date]] = defaultdict(list)
    for r in rows:
        day = local_day(r.filed_at)
        if start <= day <= today:
            days[(r.grid, r.category)].append(day)
    found = [
        Recurring(grid, category, len(ds), min(ds), max(ds))
        for (grid, category), ds in days.items()
        if len(ds) >= at_least
    ]
    return sorted(found, key=lambda f: (-f.count, f.grid, f.category))


@dataclass(frozen=True)
class Rising:
    """A category filed more this month than its trailing mean."""

    category: str
    this_month: int
    trailing_mean: float
    #: this_month / trailing_mean; None when the trailing months had none.
    ratio: float | None


def rising_categories(
    rows: Iterable[RequestRow],
    *,
    month: str,
    trailing: int = 3,
    factor: float = 1.5,
    min_count: int = 5,
) -> list[Rising]:
    """Categories with at least ``min_count`` requests in ``month`` and more than
    ``factor`` times their mean over the ``trailing`` months before it (months with none
    count as zero). The largest rise (this month minus the mean) first, then by name."""
    before = set(previous_months(month, trailing))
    now: Counter[str] = Counter()
    past: Counter[str] = Counter()
    for r in _counted(rows):
        m = r.month
        if m == month:
            now[r.category] += 1
        elif m in before:
            past[r.category] += 1
    found = []
    for category, count in now.items():
        mean = past[category] / trailing if trailing else 0.0
        if count >= min_count and count > factor * mean:
            found.append(Rising(category, count, mean, count / mean if mean else None))
    return sorted(found, key=lambda f: (-(f.this_month - f.trailing_mean), f.category))


# --- units ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRates:
    """How one unit did with the requests it holds. Each rate is None when there is
    nothing to measure, else in [0, 1]:

    - acceptance: accepted / received;
    - on_time: deadlines met / deadlines decided (to accept and to resolve, each counts);
    - resolution: resolved (closed as confirmed or not confirmed) / received;
    - satisfaction: satisfied or basically satisfied / return visits rated.
    """

    unit: int
    received: int
    accepted: int
    resolved: int
    on_time: int
    deadlines: int
    satisfied: int
    rated: int

    @property
    def acceptance(self) -> float | None:
        return _rate(self.accepted, self.received)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.on_time, self.deadlines)

    @property
    def resolution(self) -> float | None:
        return _rate(self.resolved, self.received)

    @property
    def satisfaction(self) -> float | None:
        return _rate(self.satisfied, self.rated)

    def rates(self) -> dict[str, float | None]:
        return {
            "acceptance": self.acceptance,
            "on_time": self.on_time_rate,
            "resolution": self.resolution,
            "satisfaction": self.satisfaction,
        }

    @property
    def score(self) -> float:
        """The weighted mean (``SCORE_WEIGHTS``) of the rates it has; 0 with none."""
        present = {k: v for k, v in self.rates().items() if v is not None}
        weight = sum(SCORE_WEIGHTS[k] for k in present)
        if not weight:
            return 0.0
        return sum(SCORE_WEIGHTS[k] * v for k, v in present.items()) / weight


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def unit_rates(rows: Iterable[RequestRow]) -> dict[int, UnitRates]:
    """Rates per unit (by id, sorted), over the routed requests it holds; merged
    requests are left out."""
    tallies: dict[int, list[int]] = defaultdict(lambda: [0] * 7)
    for r in _counted(rows):
        if r.unit is None:
            continue
        t = tallies[r.unit]
        t[0] += 1
        t[1] += r.accepted_at is not None
        t[2] += r.status == "closed" and r.closure in RESOLVED_CLOSURES
        for flag in (r.accepted_on_time, r.resolved_on_time):
            if flag is not None:
                t[3] += flag
                t[4] += 1
        if r.rating in RATINGS:
            t[5] += r.rating in SATISFIED_RATINGS
            t[6] += 1
    return {unit: UnitRates(unit, *tallies[unit]) for unit in sorted(tallies)}


@dataclass(frozen=True)
class Ranked:
    place: int  # 1 = best
    unit: int
    score: float
    rates: UnitRates


def rank_units(rates: Iterable[UnitRates], *, min_received: int = 1) -> list[Ranked]:
    """Units with at least ``min_received`` requests, best first (红黑榜).

    Order, so that ties are stable and independent of input order: higher score; then
    more requests received (more evidence); then the lower unit id. Scores are compared
    rounded to 6 decimals, so float noise never reorders equal performances. Places are
    1, 2, 3, ... (no shared places: the tie rule decides)."""
    eligible = [r for r in rates if r.received >= min_received]
    eligible.sort(key=lambda r: (-round(r.score, 6), -r.received, r.unit))
    return [Ranked(i, r.unit, r.score, r) for i, r in enumerate(eligible, start=1)]


def red_and_black(ranking: Sequence[Ranked], n: int = 5) -> tuple[list[Ranked], list[Ranked]]:
    """The red list (the ``n`` best) and the black list (the ``n`` worst, worst first);
    a unit is never on both: with fewer than ``2 n`` units, the lists split them."""
    half = min(n, len(ranking) // 2 + len(ranking) % 2)
    red = list(ranking[:half])
    black = list(reversed(ranking[half:]))[:n]
    return red, black


# --- from aggregates (the database counts; these rank and filter) ---------------------


def recurring_from_counts(
    counts: Iterable[tuple[int, str, int, date, date]], *, at_least: int = 3
) -> list[Recurring]:
    """``recurring_matters`` from (grid, category, count, first day, last day) already
    counted over the window (merged requests included): the same filter and order."""
    found = [Recurring(g, c, n, lo, hi) for g, c, n, lo, hi in counts if n >= at_least]
    return sorted(found, key=lambda f: (-f.count, f.grid, f.category))


def rising_from_counts(
    counts: Iterable[tuple[str, str, int]],
    *,
    month: str,
    trailing: int = 3,
    factor: float = 1.5,
    min_count: int = 5,
) -> list[Rising]:
    """``rising_categories`` from (category, month, count) with merged requests left
    out: the same rule and order."""
    before = set(previous_months(month, trailing))
    now: Counter[str] = Counter()
    past: Counter[str] = Counter()
    for category, m, n in counts:
        if m == month:
            now[category] += n
        elif m in before:
            past[category] += n
    found = []
    for category, count in now.items():
        mean = past[category] / trailing if trailing else 0.0
        if count >= min_count and count > factor * mean:
            found.append(Rising(category, count, mean, count / mean if mean else None))
    return sorted(found, key=lambda f: (-(f.this_month - f.trailing_mean), f.category))
