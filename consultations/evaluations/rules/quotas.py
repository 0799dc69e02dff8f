"""Quota cells: which cell a respondent falls in, and whether it is full.

A cell is named by its dimension values joined with " / " in the plan's
dimension order, e.g. "一社区 / 45-59 / 女". A cell's cap is the most responses
it takes; a respondent whose cell is not in the plan is refused when the plan
has caps (the plan names every cell it wants).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum

AGE_BANDS = (18, 30, 45, 60)
SEPARATOR = " / "
#: The largest cap a cell takes: beyond any sample, well inside a database integer.
MAX_CAP = 1_000_000


class QuotaVerdict(StrEnum):
    OK = "ok"
    FULL = "full"
    NOT_IN_PLAN = "not_in_plan"


def age_band(birth: date, today: date, bands: Sequence[int] = AGE_BANDS) -> str:
    """'18-29', …, '60+'; under the first bound: 'under 18'."""
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    if age < bands[0]:
        return f"<{bands[0]}"
    for low, high in itertools.pairwise(bands):
        if low <= age < high:
            return f"{low}-{high - 1}"
    return f"{bands[-1]}+"


def parse_caps(text: str) -> dict[str, int] | None:
    """Caps written one per line as "cell = cap" (a full-width ＝ and full-width digits
    are read as ASCII ones); None when a line is not of that form or a cap is not a
    whole number from 0 to MAX_CAP. Empty lines are skipped."""
    caps: dict[str, int] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        cell, _, cap = line.replace("＝", "=").rpartition("=")
        digits = unicodedata.normalize("NFKC", cap).strip()
        if not cell.strip() or not re.fullmatch(r"[0-9]{1,7}", digits):
            return None
        if int(digits) > MAX_CAP:
            return None
        caps[cell.strip()] = int(digits)
    return caps


def cell_of(facts: Mapping[str, str], dimensions: Sequence[str]) -> str:
    return SEPARATOR.join(facts.get(d, "?") for d in dimensions)


def quota_verdict(cell: str, caps: Mapping[str, int], counts: Mapping[str, int]) -> QuotaVerdict:
    """Invariant: OK only when the cell has a cap above its count (or there are no caps)."""
    if not caps:
        return QuotaVerdict.OK
    if cell not in caps:
        return QuotaVerdict.NOT_IN_PLAN
    return QuotaVerdict.OK if counts.get(cell, 0) < caps[cell] else QuotaVerdict.FULL
