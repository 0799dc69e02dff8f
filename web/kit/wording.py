"""How quantities read to people: durations, lead times and vote thresholds, in the
reader's language (``12 小时 35 分``, not ``12:35``; ``14 天``, not ``336 小时``)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from participation.ballots.tally.adapters import votes_to_pass
from participation.errors import N_
from web.kit.i18n import gettext

BELOW_THRESHOLD = "Below the threshold of %(needed)s"


def duration_text(minutes: int) -> str:
    """A length of time in hours and minutes (``minutes`` ≥ 0)."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return gettext(N_("%(hours)s h %(minutes)s min"), hours=hours, minutes=rest)
    if rest:
        return gettext(N_("%(minutes)s min"), minutes=rest)
    return gettext(N_("%(hours)s h"), hours=hours)


def lead_time_text(hours: int) -> str:
    """A lead time given in hours, read in days and hours (336 → 14 days)."""
    days, rest = divmod(hours, 24)
    if days and rest:
        return gettext(N_("%(days)s d %(hours)s h"), days=days, hours=rest)
    if days:
        return gettext(N_("%(days)s d"), days=days)
    return gettext(N_("%(hours)s h"), hours=rest)


def outcome_text(outcome: str, params: dict[str, Any], strict: bool = True) -> str:
    """A tally row's outcome, translated. A published tally states a threshold as
    the exact fraction it compared with (``45/2``), which the bulletin keeps so that
    anyone can recompute it; people read the whole number of votes it takes."""
    if outcome == BELOW_THRESHOLD and "needed" in params:
        try:
            needed = Fraction(str(params["needed"]))
        except (ValueError, ZeroDivisionError):
            return gettext(outcome, **params)
        return gettext(
            N_("Below the threshold: %(votes)s votes were needed"),
            votes=votes_to_pass(needed, strict),
        )
    return gettext(outcome, **params)
