"""Only what an area shows anyone is found, and a record that stops being public
drops out at the next index run (through the change log)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from consultations.evaluations.models import Evaluation
from participation.requests.models import ResidentRequest
from search.indexing import drain
from search.querying import Filters, search
from tests.support import evaluation_setup
from tests.support.requests import file, route_to_community
from tests.support.volunteering import make_shift
from tests.support.world import World
from volunteers.models import Activity, Shift
from volunteers.notices import cancel_shift

NOW = datetime(2027, 5, 1, 2, 0, tzinfo=UTC)


def kinds(engine: Engine, typed: str) -> list[str]:
    with Session(engine) as s, s.begin():
        drain(s)
    with Session(engine) as s:
        return [hit.kind for hit in search(s, typed, Filters()).hits]


def test_a_cancelled_shift_and_a_private_activity_drop_out(engine: Engine, world: World) -> None:
    with Session(engine) as s, s.begin():
        first = make_shift(s, world["community"], NOW).id
        second = make_shift(s, world["community"], NOW).id
    assert kinds(engine, "清洁行动") == ["shift", "shift"]
    with Session(engine) as s, s.begin():
        cancel_shift(s, first, world["people"]["admin"].id, NOW)
    assert kinds(engine, "清洁行动") == ["shift"]
    with Session(engine) as s, s.begin():
        shift = s.get(Shift, second)
        assert shift is not None
        activity = s.get(Activity, shift.activity_id)
        assert activity is not None
        activity.is_public = False
    assert kinds(engine, "清洁行动") == []


def test_an_evaluation_is_found_only_while_public(engine: Engine) -> None:
    built = evaluation_setup.build(engine)
    assert kinds(engine, "政务服务评估") == ["evaluation"]
    with Session(engine) as s, s.begin():
        evaluation = s.get(Evaluation, built.evaluation_id)
        assert evaluation is not None
        evaluation.status = "draft"
    assert kinds(engine, "政务服务评估") == []


def test_a_merged_request_drops_out(engine: Engine, world: World) -> None:
    with Session(engine) as s, s.begin():
        route_to_community(s, world)
        kept, _ = file(s, world)
        merged, _ = file(s, world, "另一件事")
        numbers = (kept.number, merged.number)
    assert kinds(engine, numbers[1]) == ["request"]
    with Session(engine) as s, s.begin():
        row = s.scalars(select(ResidentRequest).where(ResidentRequest.number == numbers[1])).one()
        row.merged_into_id = s.scalars(
            select(ResidentRequest.id).where(ResidentRequest.number == numbers[0])
        ).one()
    assert kinds(engine, numbers[1]) == []
    assert kinds(engine, numbers[0]) == ["request"]
