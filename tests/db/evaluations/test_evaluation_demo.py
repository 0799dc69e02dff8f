"""The demo shows evaluations end to end: a published report with weights and a
department response whose rectification items are on the plan, and one collecting."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consultations.evaluations.models import Evaluation, Panel, PanelScoreRow, Rectification
from participation.db import make_engine
from participation.organizations.models import Organization
from participation.plan.models import PlanItem


def test_demo_evaluations(demo_url: str) -> None:
    engine = make_engine(demo_url)
    with Session(engine) as s:
        statuses = {e.status: e for e in s.scalars(select(Evaluation))}
        assert set(statuses) == {"published", "collecting"}
        report = json.loads(statuses["published"].report_json or "{}")
        assert report["responses"] > 200
        assert report["weighting"]["method"] == "raking"
        assert report["flags"]["speeding"] > 0
        items = s.execute(
            select(Rectification, PlanItem).join(
                PlanItem, PlanItem.id == Rectification.plan_item_id
            )
        ).all()
        assert len(items) == 3 and all(p.source_kind == "rectification" for _, p in items)
        # One demand is met: its plan item is done, the evidence on its timeline.
        assert [(r.status, p.status) for r, p in items].count(("done", "done")) == 1
        assert [p.status for _, p in items].count("done") == 1
        assert {o.status for o in s.scalars(select(Organization))} == {"verified", "pending"}
        panel = s.scalars(select(Panel)).one()
        assert panel.status == "scoring" and panel.draw_seed
        assert s.scalar(select(func.count()).select_from(PanelScoreRow)) == 9 * 4 - 1
    engine.dispose()
