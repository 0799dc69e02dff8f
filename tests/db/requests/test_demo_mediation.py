"""The demo has mediation cases in different states."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.db import make_engine
from participation.requests.mediation import MediationCase
from participation.requests.models import ResidentRequest
from tests.support.demo_db import demo_template, demo_url  # noqa: F401  (fixtures)


def test_the_demo_has_mediation_cases_in_different_states(demo_url: str) -> None:  # noqa: F811
    engine = make_engine(demo_url)
    with Session(engine) as s:
        statuses = set(s.scalars(select(MediationCase.status)))
        assert {"open", "settled", "referred"} <= statuses
        closures = set(
            s.scalars(
                select(ResidentRequest.closure).join(
                    MediationCase, MediationCase.request_id == ResidentRequest.id
                )
            )
        )
        assert {"mediated", "referred"} <= closures
    engine.dispose()
