"""Every kind of notice the portal sends, with its label (for the preferences page
and the digest) and the messages of the new journeys. Messages are English msgids
translated where they are read (the inbox, the digest): ``web/translations``."""

from __future__ import annotations

from participation.errors import N_

# kind -> label. Kinds people can choose e-mail for, in the order the page lists them.
LABELS: dict[str, str] = {
    "ballot.opened": N_("A ballot I may vote in opens"),
    "ballot.closing": N_("A ballot closes within a day and I have not voted"),
    "consultation.announced": N_("A consultation in my community is announced"),
    "topic.threshold": N_("A topic I co-signed reaches its threshold"),
    "topic.decided": N_("A topic I co-signed is decided"),
    "evaluation.invited": N_("An evaluation invites me"),
    "livelihood.screened": N_("A livelihood project I proposed is screened"),
    "budget.proposal": N_("News of my community budget proposals"),
    "plan.updated": N_("A plan item I follow gets an update"),
    "plan.late": N_("A plan item I follow is late"),
    "consultation.final": N_("A consultation I follow has its final resolution"),
    "budget.round_phase": N_("A budget round I follow moves on"),
    "team.shift": N_("A team I follow publishes a shift"),
    "shift.moved": N_("A volunteer shift of mine moves"),
    "shift.confirmed": N_("My waitlist place on a shift is confirmed"),
    "request.step": N_("A request of mine changes state"),
    "consultation.hidden": N_("A moderator hides a post of mine"),
}
CHOOSABLE: tuple[str, ...] = tuple(LABELS)

BALLOT_OPENED = N_("A ballot you may vote in is open: %(title)s")
BALLOT_CLOSING = N_("Voting closes within 24 hours and you have not voted yet: %(title)s")
CONSULTATION_ANNOUNCED = N_("A consultation in your community is announced: %(title)s")
TOPIC_THRESHOLD = N_("A topic you co-signed has enough co-signatures: %(title)s")
TOPIC_ACCEPTED = N_("A topic you co-signed was accepted for consultation: %(title)s")
TOPIC_DECLINED = N_("A topic you co-signed was declined: %(title)s")
TOPIC_MERGED = N_("A topic you co-signed was merged into another: %(title)s")
EVALUATION_INVITED = N_("You are invited to take part in a public evaluation: %(title)s")
LIVELIHOOD_CANDIDATE = N_("Your livelihood project is on the candidate list: %(title)s")
LIVELIHOOD_REJECTED = N_("Your livelihood project was not taken on: %(title)s")
LIVELIHOOD_MERGED = N_("Your livelihood project was merged into another: %(title)s")
PLAN_UPDATED = N_("A plan item you follow has an update: %(title)s")
PLAN_LATE = N_("A plan item you follow is late: %(title)s")
CONSULTATION_FINAL = N_("A consultation you follow has its final resolution: %(title)s")
ROUND_MOVED_ON = N_("A budget round you follow has moved on to its next stage: %(title)s")
TEAM_SHIFT = N_("A team you follow has published a shift: %(title)s")
SHIFT_MOVED = N_("Your volunteer shift has moved: %(title)s")
SHIFT_CONFIRMED = N_("Your place on the waitlist is confirmed: %(title)s")


def label(kind: str) -> str:
    """The kind's label (an English msgid); kinds without one are shown as such."""
    return LABELS.get(kind, N_("Other notices"))
