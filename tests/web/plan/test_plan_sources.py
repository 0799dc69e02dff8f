"""The web side resolves a plan row's source record (kind and id) to a page, in one
place; the domain stores no paths."""

from __future__ import annotations

from participation.plan.judgements import JudgementKind
from participation.plan.models import PlanItem
from participation.plan.records import Judgement
from participation.plan.sources import RECORD_OF_KIND, SOURCE_RECORDS, SourceKind
from web.plan.sources import (
    RECORD_PAGES,
    item_source_url,
    judgement_source_url,
    record_url,
)


def test_every_source_record_has_a_page_and_every_kind_but_staff_entry_a_record() -> None:
    assert set(RECORD_PAGES) == set(SOURCE_RECORDS)
    assert set(RECORD_OF_KIND) == set(SourceKind)
    assert [k for k, record in RECORD_OF_KIND.items() if record is None] == [SourceKind.DIRECT]


def test_items_link_to_the_record_their_kind_names() -> None:
    def url(kind: SourceKind, source_id: int | None) -> str:
        return item_source_url(PlanItem(source_kind=kind.value, source_id=source_id))

    assert url(SourceKind.COMMUNITY_BUDGET, 7) == "/budgets/proposals/7"
    assert url(SourceKind.LIVELIHOOD_PROJECT, 3) == "/livelihood/3/result"
    assert url(SourceKind.SATISFACTION, 3) == "/livelihood/3/result"
    assert url(SourceKind.CONSULTATION, 12) == "/consultations/12"
    assert url(SourceKind.RECTIFICATION, 5) == "/evaluations/5"
    assert url(SourceKind.CARRIED_OVER, 1) == "/plan/items/1"
    assert url(SourceKind.DIRECT, None) == ""
    assert url(SourceKind.CONSULTATION, None) == ""  # no record named: no link
    assert item_source_url(PlanItem(source_kind="unknown", source_id=1)) == ""


def test_judgements_link_to_where_the_verdict_is_published() -> None:
    def url(kind: JudgementKind, record: str, source_id: int | None) -> str:
        row = Judgement(kind=kind.value, source_record=record, source_id=source_id)
        return judgement_source_url(row)

    assert url(JudgementKind.SATISFACTION, "livelihood_cycle", 3) == (
        "/livelihood/3/result#satisfaction"
    )
    assert url(JudgementKind.EVALUATION, "evaluation", 8) == "/evaluations/8"
    assert url(JudgementKind.EVALUATION, "panel", 2) == "/panels/2"
    assert url(JudgementKind.EVALUATION, "", None) == ""
    assert record_url("nowhere", 1) == ""
