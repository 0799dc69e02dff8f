"""Where a plan item comes from. Pure: no database, no web.

Every decision the portal produces (an adopted livelihood project, a funded
community-budget project, a final consultation resolution, an evaluation's
rectification demand, a dissatisfied year-end vote) enters the plan through
:func:`participation.plan.intake.receive_item` with one of these kinds and a
reference that is unique within the kind, so the same decision never yields
two items.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, get_args

from participation.errors import N_


class SourceKind(StrEnum):
    LIVELIHOOD_PROJECT = "livelihood_project"  # 民生实事项目 adopted by deputies
    COMMUNITY_BUDGET = "community_budget"  # 社区微实事 project funded by residents
    CONSULTATION = "consultation"  # final resolution of a 社区协商
    RECTIFICATION = "rectification"  # 整改 demanded by an evaluation
    SATISFACTION = "satisfaction"  # dissatisfied year-end vote
    DIRECT = "direct"  # entered by staff
    CARRIED_OVER = "carried_over"  # unfinished item from last year's plan
    RESIDENT_REQUESTS = "resident_requests"  # a hotspot of 群众诉求


#: The kinds of record a plan row can name as where it came from: the decision an
#: item delivers, or the process that judged it. A row stores the record's kind (or
#: a source kind that implies it) and its id, never a web address: the web side
#: decides how each record is shown (web/plan/sources.py).
SourceRecord = Literal[
    "budget_proposal",  # participation.budgets: a funded proposal
    "livelihood_cycle",  # participation.livelihood: a year's cycle (adoption, satisfaction)
    "consultation",  # consultations: a consultation and its resolution
    "evaluation",  # consultations.evaluations: an evaluation and its report
    "panel",  # consultations.evaluations: a public review panel
    "plan_item",  # participation.plan: an item of an earlier plan
    "request_hotspot",  # participation.requests.loop: a hotspot turned into an item
]
SOURCE_RECORDS: tuple[SourceRecord, ...] = get_args(SourceRecord)

#: Which record an item's ``source_id`` names, by the item's source kind; None: no
#: record (entered by staff).
RECORD_OF_KIND: dict[SourceKind, SourceRecord | None] = {
    SourceKind.LIVELIHOOD_PROJECT: "livelihood_cycle",
    SourceKind.COMMUNITY_BUDGET: "budget_proposal",
    SourceKind.CONSULTATION: "consultation",
    SourceKind.RECTIFICATION: "evaluation",
    SourceKind.SATISFACTION: "livelihood_cycle",
    SourceKind.DIRECT: None,
    SourceKind.CARRIED_OVER: "plan_item",
    SourceKind.RESIDENT_REQUESTS: "request_hotspot",
}


def record_of(kind: str) -> SourceRecord | None:
    """The record an item of source kind ``kind`` names with its ``source_id``."""
    try:
        return RECORD_OF_KIND[SourceKind(kind)]
    except ValueError:
        return None


SOURCE_LABELS: dict[SourceKind, str] = {
    SourceKind.LIVELIHOOD_PROJECT: N_("Livelihood project"),
    SourceKind.COMMUNITY_BUDGET: N_("Community budget"),
    SourceKind.CONSULTATION: N_("Community consultation"),
    SourceKind.RECTIFICATION: N_("Rectification"),
    SourceKind.SATISFACTION: N_("Year-end satisfaction vote"),
    SourceKind.DIRECT: N_("Entered by staff"),
    SourceKind.CARRIED_OVER: N_("Carried over"),
    SourceKind.RESIDENT_REQUESTS: N_("Resident requests hotspot"),
}


class ItemStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DELAYED = "delayed"
    DROPPED = "dropped"


STATUS_LABELS: dict[ItemStatus, str] = {
    ItemStatus.PLANNED: N_("Planned"),
    ItemStatus.IN_PROGRESS: N_("In progress"),
    ItemStatus.DONE: N_("Done"),
    ItemStatus.DELAYED: N_("Delayed"),
    ItemStatus.DROPPED: N_("Dropped"),
}
