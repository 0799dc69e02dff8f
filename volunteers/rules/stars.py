"""Star-level schemes: the hours for each level and the public-notice period.

A district's or city's volunteer federation sets a scheme for its area; the
nearest area up the tree that has one applies, else the defaults (100 / 300 /
600 / 1,000 / 1,500 hours, 7 days' notice). Plain values in, a scheme or a
reason per field out.

Invariants of an accepted scheme: 1 to 10 levels; thresholds are positive
whole hours, strictly increasing; notice days from 0 to 60.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from participation.errors import N_
from volunteers.rules.hours import NOTICE_DAYS, STAR_HOURS

MAX_LEVELS = 10
MAX_HOURS = 100_000
MAX_NOTICE_DAYS = 60

# Hours may be separated by spaces, commas (half or full width) or 、.
_SEPARATORS = re.compile(r"[\s,，、/]+")


@dataclass(frozen=True)
class StarScheme:
    hours: tuple[int, ...] = STAR_HOURS
    notice_days: int = NOTICE_DAYS

    @property
    def levels(self) -> int:
        return len(self.hours)

    def text(self) -> str:
        """The thresholds as a form shows them: ``100 300 600``."""
        return " ".join(str(h) for h in self.hours)


DEFAULT_SCHEME = StarScheme()


def read_scheme(hours_text: str, notice_text: str) -> tuple[StarScheme | None, dict[str, str]]:
    """Form text to a scheme, or None and a reason per field (``hours``, ``notice_days``)."""
    problems: dict[str, str] = {}
    parts = [p for p in _SEPARATORS.split(hours_text.strip()) if p]
    hours: list[int] = []
    if not parts:
        problems["hours"] = N_("Enter the hours for each star level, for example 100 300 600.")
    elif len(parts) > MAX_LEVELS:
        problems["hours"] = N_("A scheme has at most 10 star levels.")
    elif not all(p.isascii() and p.isdigit() and len(p) <= 6 for p in parts):
        problems["hours"] = N_("Each level needs a whole number of hours.")
    else:
        hours = [int(p) for p in parts]
        if hours[0] < 1 or any(h > MAX_HOURS for h in hours):
            problems["hours"] = N_("Each level needs from 1 to 100000 hours.")
        elif any(b <= a for a, b in pairwise(hours)):
            problems["hours"] = N_("Each level needs more hours than the one before.")
    notice = notice_text.strip()
    if not (notice.isascii() and notice.isdigit() and int(notice) <= MAX_NOTICE_DAYS):
        problems["notice_days"] = N_("Enter a number of days from 0 to 60.")
    if problems:
        return None, problems
    return StarScheme(tuple(hours), int(notice)), {}


def nearest_scheme(
    path_ids: Sequence[int], schemes: Mapping[int, StarScheme]
) -> tuple[StarScheme, int | None]:
    """The scheme of the nearest area up the tree that has one.

    ``path_ids`` are the area ids from the root down to the area itself;
    ``schemes`` the current scheme per area id. Returns the scheme and the id of
    the area it comes from (None: the defaults).
    """
    for area_id in reversed(path_ids):
        if area_id in schemes:
            return schemes[area_id], area_id
    return DEFAULT_SCHEME, None
