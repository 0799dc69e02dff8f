"""The consultation page's one-statement reads give what the reads they replace
gave, on SQLite and on PostgreSQL: the stored map's header with the newer-votes
probe and the statement count, a page of threads with their replies, report
counts and the count of threads, the quorum's counts and the standing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from consultations import decisions, deliberation, meetings, opinion_maps, representatives, topics
from consultations.models import Attendance, OpinionStatement
from consultations.page import PageHead, consultation_with_area, page_head
from consultations.standing import standing_of
from participation.accounts import grants_of
from participation.areas import get_area
from participation.db import make_engine
from participation.errors import DomainError
from participation.plan.intake import ItemFromSource, receive_item
from participation.plan.sources import SourceKind
from tests.support.consultations import NOW, community, elevator_in_two_camps, refresh_maps


def test_the_page_reads_agree_with_the_reads_they_replace(any_db_url: str) -> None:
    engine = make_engine(any_db_url)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        c = community(s, residents=8)
        _topic, consultation, ids = elevator_in_two_camps(s, c, NOW)
        tops = [
            deliberation.write_post(s, consultation, c.residents[n], "for", f"论点{n}", NOW, None)
            for n in range(5)
        ]
        for n in range(3):
            deliberation.write_post(
                s, consultation, c.residents[n + 1], "comment", f"回复{n}", NOW, tops[n].id
            )
        deliberation.report_post(s, tops[1], c.residents[2].id, "不实", NOW)
        deliberation.report_post(s, tops[1], c.residents[3].id, "不实", NOW)
    cid = consultation.id
    with Session(engine) as s:
        before = opinion_maps.page_header(s, cid)
        assert (before.stored, before.waiting, before.statements) == (False, True, 4)
        assert before.waiting == opinion_maps.waiting(s, cid, opinion_maps.stored_header(s, cid))
    refresh_maps(engine)
    with Session(engine) as s, s.begin():
        header = opinion_maps.page_header(s, cid)
        row = opinion_maps.stored_header(s, cid)
        assert row is not None and header.stored and not header.waiting
        assert (header.computed_at, header.votes) == (row.computed_at, row.votes)
        s.execute(
            update(OpinionStatement)
            .where(OpinionStatement.id == ids[0])
            .values(hidden_at=NOW + timedelta(minutes=1))
        )
        hidden = opinion_maps.page_header(s, cid)
        assert hidden.waiting and hidden.statements == 3  # a hidden statement the map lacks
        assert hidden.waiting == opinion_maps.waiting(s, cid, opinion_maps.stored_header(s, cid))
        assert deliberation.statement_texts(s, cid, {ids[0], ids[1]}) == {ids[1]: "费用按楼层分摊"}
        assert deliberation.statement_texts(s, cid, set()) == {}

        everything = deliberation.threads(s, cid)
        first = deliberation.thread_page(s, cid, per_page=2)
        assert first.next_after is not None
        second = deliberation.thread_page(s, cid, after=first.next_after, per_page=2)
        assert second.next_after is not None
        third = deliberation.thread_page(s, cid, after=second.next_after, per_page=2)
        assert third.next_after is None and third.previous_before is not None
        back = deliberation.thread_page(s, cid, before=third.previous_before, per_page=2)
        assert back.items == second.items

        def shape(ts: Sequence[deliberation.Thread]) -> list[tuple[int, list[int], int]]:
            return [(t.post.id, [r.id for r in t.replies], t.reports) for t in ts]

        assert shape([*first.items, *second.items, *third.items]) == shape(everything)
        assert shape(first.items)[1][2] == 2

        got = meetings.quorum(s, consultation)
        assert got.roster == len(representatives.representatives_of(s, c.area.id)) == 3
        for person in (c.residents[0], c.representatives[0], c.worker):
            assert standing_of(s, consultation, person.id, NOW) == standing_of(
                s, consultation, person.id, NOW, grants_of(s, person.id)
            )
        assert standing_of(s, consultation, c.residents[0].id, NOW).resident_here
    engine.dispose()


def test_the_page_head_gives_what_the_reads_it_replaces_gave(any_db_url: str) -> None:
    """The consultation page's head (one statement) against the five reads it
    replaced: the consultation, its community, the topic with its co-signatures,
    the quorum and the plan item (none, then the one the resolution became)."""
    engine = make_engine(any_db_url)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        c = community(s, residents=8)
        topic, consultation, _ids = elevator_in_two_camps(s, c, NOW)
        s.add(Attendance(consultation_id=consultation.id, account_id=c.representatives[0].id))
    cid = consultation.id

    def agree(s: Session) -> PageHead:
        head = page_head(s, cid)
        assert head.consultation is meetings.get_consultation(s, cid)
        assert head.area is get_area(s, c.area.id)
        assert (head.topic, head.cosigners) == topics.topic_with_cosigners(s, topic.id)
        assert head.cosigners > 0
        assert head.quorum == meetings.quorum(s, head.consultation)
        assert (head.quorum.present, head.quorum.roster) == (1, 3)
        assert head.plan_item is decisions.plan_item(s, head.consultation)
        with_area, area = consultation_with_area(s, cid)
        assert (with_area, area) == (head.consultation, head.area)
        return head

    with Session(engine) as s:
        assert agree(s).plan_item is None
    with Session(engine) as s, s.begin():
        receive_item(
            s,
            ItemFromSource(
                area_id=c.area.id,
                year=2026,
                title="加装电梯",
                source_kind=SourceKind.CONSULTATION,
                source_ref=f"consultation:{cid}",
            ),
            actor_id=None,
        )
    with Session(engine) as s:
        item = agree(s).plan_item
        assert item is not None and item.title == "加装电梯"
        with pytest.raises(DomainError):
            page_head(s, cid + 1000)
        with pytest.raises(DomainError):
            consultation_with_area(s, cid + 1000)
    engine.dispose()
