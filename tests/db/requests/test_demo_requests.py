"""The demo has a district's worth of requests in every state a page can show."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.db import make_engine
from participation.requests.models import RequestStep, ResidentRequest
from participation.requests.rules.catalog import CHANNELS
from tests.support.demo_db import demo_template, demo_url  # noqa: F401  (fixtures)


def test_the_demo_has_requests_in_every_state(demo_url: str) -> None:  # noqa: F811
    engine = make_engine(demo_url)
    with Session(engine) as s:
        R = ResidentRequest
        assert (s.scalar(select(func.count()).select_from(R)) or 0) >= 300
        closures = set(s.scalars(select(R.closure).distinct()))
        assert {"confirmed", "not_confirmed", "merged"} <= closures
        assert {"routed", "accepted", "closed"} <= set(s.scalars(select(R.status).distinct()))
        assert set(s.scalars(select(R.channel).distinct())) == set(CHANNELS)
        assert s.scalar(select(func.count()).where(R.escalations > 0))
        visits = set(s.scalars(select(RequestStep.kind).where(RequestStep.kind.like("visit_%"))))
        assert {"visit_satisfied", "visit_basic", "visit_dissatisfied"} <= visits
    engine.dispose()


def test_the_demo_has_supervision_on_record(demo_url: str) -> None:  # noqa: F811
    from participation.requests.supervision import Extension, SupervisionNotice

    engine = make_engine(demo_url)
    with Session(engine) as s:
        levels = set(s.scalars(select(SupervisionNotice.level).distinct()))
        assert {0, 1} <= levels
        assert set(s.scalars(select(Extension.status))) == {"granted", "refused"}
        assert s.scalar(select(func.count()).where(RequestStep.kind == "deputy_note")) == 1
    engine.dispose()
