"""Pure rules of the governance plan: progress, overdue, backward scheduling, year end.

Plain values in, results with reasons out; ``today`` is always passed in, so a
test (or a reminder run) decides what day it is. Money is whole yuan, progress
a whole percentage 0–100.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from participation.errors import N_

MAX_PROGRESS = 100
#: Milestone weights of one item are percentages of the item: together at most 100.
MILESTONE_WEIGHT_TOTAL = 100


@dataclass(frozen=True)
class Part:
    """A child's share of its parent: a positive relative weight and its progress."""

    weight: int
    progress: int


def is_evidence_link(text: str) -> bool:
    r"""Whether ``text`` may be stored and shown as a link to a photo or document.

    Invariant: a browser that follows an accepted link goes over http(s) to the
    host the link names, or stays on this site. Accepted: ``http://`` and
    ``https://`` URLs with a host, and paths on this site (``/…``). Refused: a
    scheme-relative ``//host`` and ``/\host`` (browsers read ``\`` as ``/``, so
    both leave the site while looking like paths), other schemes (``javascript:``,
    ``data:``), and any whitespace, control character or backslash inside.
    """
    if not text or "\\" in text or any(c.isspace() or ord(c) < 0x20 or c == "\x7f" for c in text):
        return False
    if text.startswith("/"):
        return not text.startswith("//")
    scheme, sep, rest = text.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return bool(sep) and scheme.lower() in ("http", "https") and bool(host) and "@" not in host


def progress_problem(progress: int) -> str | None:
    """Why a reported progress cannot be stored (None when it can)."""
    if not 0 <= progress <= MAX_PROGRESS:
        return N_("Progress is a whole percentage from 0 to 100.")
    return None


def weight_problem(weight: int) -> str | None:
    if weight <= 0:
        return N_("A weight must be a positive whole number.")
    return None


def roll_up(parts: Sequence[Part]) -> int:
    """A parent's progress from its children: the weighted mean, rounded half up.

    Invariants: the result lies between the smallest and the largest child
    progress (so within 0–100); all children at 100 give 100; a parent
    reaches 100 only when every child does (a child short of 100 holds the
    parent below 100 however small its weight: rounding never finishes work).
    No children: 0. Raises ValueError on a weight <= 0 or a progress outside
    0–100 (callers check input with :func:`progress_problem` first).
    """
    if not parts:
        return 0
    for part in parts:
        if part.weight <= 0:
            raise ValueError("weights must be positive")
        if not 0 <= part.progress <= MAX_PROGRESS:
            raise ValueError("progress must be within 0-100")
    total = sum(p.weight for p in parts)
    weighted = sum(p.weight * p.progress for p in parts)
    # Integer round half up: floor(weighted / total + 1/2).
    mean = (2 * weighted + total) // (2 * total)
    if mean == MAX_PROGRESS and any(p.progress < MAX_PROGRESS for p in parts):
        return MAX_PROGRESS - 1
    return mean


def milestone_weights_problem(existing: Sequence[int], new_weight: int) -> str | None:
    """Why a milestone of ``new_weight`` cannot join milestones weighing ``existing``.

    Milestone weights are percentages of their item: each positive, together at
    most 100 (an item whose weights do not reach 100 is shown as needing a decision).
    """
    problem = weight_problem(new_weight)
    if problem:
        return problem
    if sum(existing) + new_weight > MILESTONE_WEIGHT_TOTAL:
        return N_("The milestones' weights would add up to more than 100.")
    return None


def milestone_progress(milestones: Sequence[tuple[int, bool]]) -> int:
    """Progress earned by milestones: the weights (percentages) of those done, capped at 100."""
    return min(MAX_PROGRESS, sum(weight for weight, done in milestones if done))


def is_overdue(due_on: date | None, done_on: date | None, today: date) -> bool:
    """Overdue: a due date that has passed (the due day itself is still on time)
    without the work being done. Done late is not overdue any more; see :func:`was_late`."""
    return due_on is not None and done_on is None and today > due_on


def was_late(due_on: date | None, done_on: date | None) -> bool:
    return due_on is not None and done_on is not None and done_on > due_on


def item_overdue(due_on: date | None, progress: int, closed: bool, today: date) -> bool:
    """An item is overdue when its end date has passed and it is neither finished
    (100 %) nor closed (done or dropped)."""
    return not closed and progress < MAX_PROGRESS and due_on is not None and today > due_on


@dataclass(frozen=True)
class OnTime:
    """Milestones that fell due up to today: how many were (or are) on time."""

    due: int
    on_time: int

    @property
    def percent(self) -> int | None:
        """Whole percent, rounded half up; None when nothing has fallen due yet."""
        if self.due == 0:
            return None
        return (200 * self.on_time + self.due) // (2 * self.due)


def on_time_rate(milestones: Sequence[tuple[date, date | None]], today: date) -> OnTime:
    """Of the milestones ``(due_on, done_on)`` due by ``today``, those done by their due date.

    A milestone not yet due counts only if it is already done (early work is on
    time); one due today and not done yet is not counted against anybody.
    """
    due = on_time = 0
    for due_on, done_on in milestones:
        if done_on is not None and done_on <= due_on:
            due += 1
            on_time += 1
        elif due_on < today or done_on is not None:
            due += 1
    return OnTime(due, on_time)


def date_problem(starts_on: date | None, due_on: date | None, when: date) -> str | None:
    """Why a milestone due on ``when`` does not fit within its item's dates."""
    if starts_on is not None and when < starts_on:
        return N_("The milestone falls before the item starts.")
    if due_on is not None and when > due_on:
        return N_("The milestone falls after the item's end date.")
    return None


@dataclass(frozen=True)
class Step:
    """A step of the work and how many days it needs."""

    title: str
    days: int


@dataclass(frozen=True)
class Schedule:
    """Due dates counted back from the end date (倒排工期), or why they do not fit."""

    due_dates: tuple[date, ...]
    problem: str | None = None


def backward_schedule(starts_on: date, due_on: date, steps: Sequence[Step]) -> Schedule:
    """Count milestone due dates back from the item's end date (倒排工期).

    The last step is due on the end date; each earlier step is due when the
    following one must start, i.e. its due date minus its duration in days.
    Invariants: due dates are non-decreasing in step order, the last equals
    ``due_on``, and all lie within ``[starts_on, due_on]``; when the steps do
    not fit (their days exceed the time available) or a duration is not
    positive, no dates are returned and ``problem`` says why.
    """
    if due_on < starts_on:
        return Schedule((), N_("The due date is before the start date."))
    if not steps:
        return Schedule((), N_("List at least one step."))
    if any(step.days <= 0 for step in steps):
        return Schedule((), N_("Each step needs a positive number of days."))
    if sum(step.days for step in steps) > (due_on - starts_on).days:
        return Schedule((), N_("The steps need more days than the item has."))
    dates: list[date] = []
    end = due_on
    for step in reversed(steps):
        dates.append(end)
        end = end - timedelta(days=step.days)
    return Schedule(tuple(reversed(dates)))


class Outcome(StrEnum):
    FINISHED = "finished"  # done, or progress reached 100
    DROPPED = "dropped"  # given up, with a reason
    DELAYED = "delayed"  # due within the year and not finished: carried over, late
    CONTINUING = "continuing"  # not due yet at year end: carried over on schedule


OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.FINISHED: N_("Finished"),
    Outcome.DROPPED: N_("Dropped"),
    Outcome.DELAYED: N_("Delayed, carried over"),
    Outcome.CONTINUING: N_("Continues next year"),
}

CARRIED = frozenset({Outcome.DELAYED, Outcome.CONTINUING})


@dataclass(frozen=True)
class YearEnd:
    outcome: Outcome
    reason: str


def classify_year_end(
    *, done: bool, progress: int, due_on: date | None, year_end: date, drop_reason: str = ""
) -> YearEnd:
    """Where an item stands when its plan's year closes on ``year_end``.

    Finished wins over everything (a finished item is never dropped); otherwise a
    non-empty ``drop_reason`` drops it; otherwise it carries over: DELAYED if it
    was due on or before ``year_end`` (or has no due date), else CONTINUING.
    Every item gets exactly one outcome; only DELAYED and CONTINUING carry over.
    """
    if done or progress >= MAX_PROGRESS:
        return YearEnd(Outcome.FINISHED, "")
    reason = drop_reason.strip()
    if reason:
        return YearEnd(Outcome.DROPPED, reason)
    if due_on is None or due_on <= year_end:
        return YearEnd(Outcome.DELAYED, "")
    return YearEnd(Outcome.CONTINUING, "")
