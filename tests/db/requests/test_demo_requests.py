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


def test_the_to_do_queue_counts_agree_with_the_queue(demo_url: str) -> None:  # noqa: F811
    """The home's to-do counts (ids only, capped) count what the queue lists, by
    the same rule, for every handler and router of the demo, everywhere and in an
    area; past the cap they stop at it."""
    from datetime import date

    from participation.accounts import find_by_login
    from participation.areas import Area
    from participation.counting import count_all
    from participation.requests.queues import queue, queue_count

    engine = make_engine(demo_url)
    today = date(2026, 12, 5)
    with Session(engine) as s:
        district = s.scalar(select(Area.path).where(Area.kind == "district").limit(1))
        logins = ("unit", "grid", "grid2", "worker", "staff", "admin")
        people = [find_by_login(s, login) for login in logins]
        assert all(people)
        biggest = 0
        for person in people:
            for paths in (None, [district], ["/999/"]):
                for status, due in (("unrouted", ""), (None, "overdue"), (None, "")):
                    kw = dict(
                        handle_paths=paths,
                        route_paths=paths,
                        status=status,
                        due=due,
                        today=today,
                        account_id=person.id if person else None,
                    )
                    listed = len(queue(s, limit=10_000, **kw))  # type: ignore[arg-type]
                    counted, capped = count_all(
                        s,
                        [queue_count(cap=10_000, **kw), queue_count(cap=3, **kw)],  # type: ignore[arg-type]
                    )
                    assert counted == listed and capped == min(listed, 3), (person, paths, status)
                    biggest = max(biggest, listed)
        assert biggest > 3  # the cap was reached somewhere
    engine.dispose()
