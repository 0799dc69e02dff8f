"""Who may take part in a consultation's deliberation (pure: facts in, answer out).

Deliberation — arguments, comments, opinion statements and votes, objections —
belongs to those the matter concerns: verified residents of the consultation's
community, its seated representatives, members of organizations listed as
participants, and the staff who run it (and answer for the departments). Any
other signed-in account reads the page but cannot write on it.

Invariant: the answer depends only on the facts given; a refusal always names
a reason the page can explain (and, when verifying would help, say so).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Refusal(StrEnum):
    NOT_VERIFIED = "not_verified"  # verified nowhere: verifying may help
    OTHER_COMMUNITY = "other_community"  # a verified resident of another community


@dataclass(frozen=True)
class Standing:
    resident_here: bool = False
    resident_elsewhere: bool = False
    representative: bool = False
    listed_organization: bool = False
    runs_consultation: bool = False

    @property
    def refusal(self) -> Refusal | None:
        """None when the person may deliberate, else why not."""
        if (
            self.resident_here
            or self.representative
            or self.listed_organization
            or self.runs_consultation
        ):
            return None
        return Refusal.OTHER_COMMUNITY if self.resident_elsewhere else Refusal.NOT_VERIFIED
