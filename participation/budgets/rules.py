"""Pure rules of community budget rounds: phases, the proposal check, the two
counting rules and comparing their outcomes, and checks of proposal photos.

Plain values in, results with reasons out; no database, no web.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from participation.errors import N_


class RoundPhase(StrEnum):
    PROPOSAL = "proposal"
    SCREENING = "screening"
    VOTING = "voting"
    RESULTS = "results"
    DELIVERY = "delivery"


ROUND_PHASES = list(RoundPhase)
ROUND_PHASE_LABELS = {
    RoundPhase.PROPOSAL: N_("Collecting proposals"),
    RoundPhase.SCREENING: N_("Screening"),
    RoundPhase.VOTING: N_("Voting"),
    RoundPhase.RESULTS: N_("Results"),
    RoundPhase.DELIVERY: N_("Delivery"),
}


BUDGET_RULES = ("greedy", "mes")
BUDGET_RULE_LABELS = {
    "greedy": N_("Most votes first, while the money lasts (greedy)"),
    "mes": N_("Method of Equal Shares"),
}
# The ballot engine's rule for each round rule. Equal Shares runs with the usual
# completion (raise the per-voter budget, then fill greedily) so that money is
# not left unspent only because no group can afford one more project alone.
ENGINE_RULES = {"greedy": "greedy", "mes": "mes-add1-greedy"}


@dataclass(frozen=True)
class ProposalDraft:
    title: str
    description: str
    location: str
    cost_yuan: int
    beneficiaries: str


@dataclass(frozen=True)
class RowComparison:
    key: str
    title: str
    votes: int
    cost: int
    funded: bool
    reason: str
    reason_params: dict[str, Any]
    funded_other: bool
    reason_other: str
    reason_other_params: dict[str, Any]

    @property
    def differs(self) -> bool:
        return self.funded != self.funded_other


def compare_outcomes(
    tally: Mapping[str, Any], other: Mapping[str, Any]
) -> tuple[list[RowComparison], int, int]:
    """Join two tallies of the same ballots under two budget rules, row by row.

    Rows keep the order of ``tally`` (the round's own rule). Returns the rows
    and the money spent under each rule.
    """
    others = {row["key"]: row for row in other["rows"]}
    rows = []
    for row in tally["rows"]:
        twin = others[row["key"]]
        cost = dict(row["detail"]).get("Cost", 0)
        rows.append(
            RowComparison(
                key=row["key"],
                title=row["title"],
                votes=row["value"],
                cost=int(cost),
                funded=row["selected"],
                reason=row["outcome"],
                reason_params=row["outcome_params"],
                funded_other=twin["selected"],
                reason_other=twin["outcome"],
                reason_other_params=twin["outcome_params"],
            )
        )
    spent = sum(r.cost for r in rows if r.funded)
    spent_other = sum(r.cost for r in rows if r.funded_other)
    return rows, spent, spent_other


def image_type(data: bytes) -> str | None:
    """The media type of a JPEG, PNG or WebP image from its first bytes; None otherwise."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


#: A photo of a proposal is shown on phones: beyond these, a browser would spend
#: gigabytes decoding it (a 60000×60000 PNG of a few kilobytes is 14 GB of pixels).
PHOTO_MAX_SIDE = 12_000
PHOTO_MAX_PIXELS = 50_000_000


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) as a JPEG, PNG or WebP image's own header declares them
    (what a browser allocates to decode it); None when no header can be read."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and len(data) >= 30:
        chunk = data[12:16]
        if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
            width = int.from_bytes(data[26:28], "little") & 0x3FFF
            return width, int.from_bytes(data[28:30], "little") & 0x3FFF
        if chunk == b"VP8L" and data[20] == 0x2F:
            bits = int.from_bytes(data[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        if chunk == b"VP8X":
            width = int.from_bytes(data[24:27], "little") + 1
            return width, int.from_bytes(data[27:30], "little") + 1
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """The frame size from a JPEG's first start-of-frame marker."""
    at = 2
    while at + 9 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height = int.from_bytes(data[at + 5 : at + 7], "big")
            return int.from_bytes(data[at + 7 : at + 9], "big"), height
        if length < 2:
            return None
        at += 2 + length
    return None


def photo_size_problem(data: bytes) -> str | None:
    """Why a photo's declared size cannot be taken (None when it can)."""
    size = image_size(data)
    if size is None:
        return N_("The photo must be a JPEG, PNG or WebP image.")
    width, height = size
    if not (0 < width <= PHOTO_MAX_SIDE and 0 < height <= PHOTO_MAX_SIDE) or (
        width * height > PHOTO_MAX_PIXELS
    ):
        return N_("The photo is too large in pixels (at most 12,000 on a side, 50 megapixels).")
    return None


def other_rule(rule: str) -> str:
    return "mes" if rule == "greedy" else "greedy"
