"""The demo has grid workers with their grids and cadres' visits, one filed as a request."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.db import make_engine
from participation.requests import grids
from participation.requests.models import ResidentRequest
from tests.support.demo_db import demo_template, demo_url  # noqa: F401  (fixtures)


def test_the_demo_has_grid_workers_and_visits(demo_url: str) -> None:  # noqa: F811
    engine = make_engine(demo_url)
    with Session(engine) as s:
        A = grids.GridAssignment
        assert (s.scalar(select(func.count()).select_from(A)) or 0) >= 4
        shared = s.scalar(
            select(func.count(func.distinct(A.worker_id)))
            .group_by(A.grid_id)
            .order_by(func.count(func.distinct(A.worker_id)).desc())
            .limit(1)
        )
        assert shared == 2  # one grid, two workers
        visits = list(s.scalars(select(grids.GridVisit)))
        assert len(visits) >= 3 and all(v.visited_on.day % 5 == 0 for v in visits)
        filed = [v.request_id for v in visits if v.request_id]
        assert len(filed) == 1
        assert s.get(ResidentRequest, filed[0]).channel == "visit"  # type: ignore[union-attr]
    engine.dispose()
