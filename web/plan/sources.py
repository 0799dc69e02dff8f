"""Where a plan row's source is shown: the one place that turns a source record's kind
and id into a page of this site.

The domain stores what a plan item or a judgement came from as a record kind and an
id (``participation.plan.sources``); which page shows that record is the web's
business, decided here for the plan's pages, its API (``source_url``) and its feed.
"""

from __future__ import annotations

from participation.plan.judgements import JudgementKind
from participation.plan.models import PlanItem
from participation.plan.records import Judgement
from participation.plan.sources import SOURCE_RECORDS, record_of

#: The page of each kind of source record (a ``SourceRecord``).
RECORD_PAGES: dict[str, str] = {
    "budget_proposal": "/budgets/proposals/{id}",
    "livelihood_cycle": "/livelihood/{id}/result",
    "consultation": "/consultations/{id}",
    "evaluation": "/evaluations/{id}",
    "panel": "/panels/{id}",
    "plan_item": "/plan/items/{id}",
    "request_hotspot": "/requests/hotspots/{id}",
}
assert set(RECORD_PAGES) == set(SOURCE_RECORDS), "every source record needs a page"


def record_url(record: str | None, record_id: int | None) -> str:
    """The site path of a source record; "" when there is no record to show."""
    page = RECORD_PAGES.get(record or "")
    if page is None or record_id is None:
        return ""
    return page.format(id=record_id)


def item_source_url(item: PlanItem) -> str:
    """The page of the decision an item delivers ("" for items entered by staff)."""
    return record_url(record_of(item.source_kind), item.source_id)


def judgement_source_url(judgement: Judgement) -> str:
    """The page where a judgement's verdict is published; a year-end satisfaction
    vote is a section of its livelihood cycle's result page."""
    url = record_url(judgement.source_record, judgement.source_id)
    if url and judgement.kind == JudgementKind.SATISFACTION.value:
        return f"{url}#satisfaction"
    return url
