"""The public list picks a stage in SQL (consultations.listing.at_stage): it must
say what the pure rule (consultations.rules.journey.stage) says, for every mix of
milestones and at the boundaries (a milestone at exactly now), on SQLite and on
PostgreSQL."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultations.listing import at_stage
from consultations.models import Consultation, Topic
from consultations.rules.journey import Stage, StageFacts, stage
from participation.ballots.models import BallotBox
from participation.db import make_engine
from tests.support.consultations import NOW, community


def test_the_stage_in_sql_agrees_with_the_rule(any_db_url: str) -> None:
    engine = make_engine(any_db_url)
    day = timedelta(days=1)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        c = community(s)
        topic = Topic(
            area_id=c.area.id,
            title="议题",
            source="resident",
            proposer_id=c.residents[0].id,
            threshold=1,
        )
        box = BallotBox(
            title="表决",
            area_id=c.area.id,
            roll="residents",
            opens_at=NOW - day,
            closes_at=NOW + day,
            form_json="{}",
            rule_json="{}",
        )
        s.add_all([topic, box])
        s.flush()
        expected: dict[int, Stage] = {}
        moments = (NOW - day, NOW, NOW + day)
        for final, ends, passed, box_id, meets, opens in itertools.product(
            (None, NOW - day),
            (None, *moments),
            (None, True, False),
            (None, box.id),
            moments,
            moments,
        ):
            row = Consultation(
                topic_id=topic.id,
                area_id=c.area.id,
                title="协商",
                agenda="",
                meets_at=meets,
                announced_at=NOW - 9 * day,
                deliberation_opens_at=opens,
                deliberation_closes_at=NOW + 9 * day,
                box_id=box_id,
                passed=passed,
                notice_ends_at=ends,
                final_at=final,
            )
            s.add(row)
            s.flush()
            facts = StageFacts(meets, opens, box_id, passed, ends, final)
            expected[row.id] = stage(facts, NOW)
        for wanted in Stage:
            found = set(s.scalars(select(Consultation.id).where(at_stage(wanted, NOW))))
            assert found == {i for i, st in expected.items() if st is wanted}, wanted
        assert set(expected.values()) == set(Stage)  # every stage was tried
