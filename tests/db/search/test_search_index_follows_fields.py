"""Every field the index reads, of every family, table by table: change it, let the
worker's job run, and the record's index row is what a fresh reindex makes of it
(and not what it was). The table must name every field ``search.sources`` declares,
and each family's loader may read no column it does not declare (so that a field
read but not watched, the way a plan's area and year were, cannot come back).

A field is changed through the service that changes it where there is one (an
area's rename, an activity's details, a shift's cancellation, a request's merge, a
department's rename); the others, which no service changes today, through the ORM
as a future service would (each test runs on SQLite and on PostgreSQL)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Column, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql import visitors

from consultations.evaluations.models import Evaluation
from consultations.models import Consultation, Topic
from participation import departments
from participation.areas import Area, rename_area
from participation.budgets.models import BudgetRound, Proposal
from participation.db import make_engine
from participation.livelihood.models import LivelihoodCandidate, LivelihoodCycle
from participation.organizations.models import Organization
from participation.plan.delivery import DirectItem, enter_item
from participation.plan.intake import plan_for
from participation.plan.models import Plan
from participation.requests.merging import merge
from participation.requests.models import ResidentRequest
from participation.rolls import Congress
from search.indexing import drain, reindex
from search.models import SearchDoc
from search.sources import FAMILY_KINDS, SOURCES
from tests.support.requests import NOW, file, route_to_community
from tests.support.volunteering import make_shift
from tests.support.world import World
from volunteers.activities import create_activity, update_details
from volunteers.models import Activity, Shift, Team
from volunteers.notices import cancel_shift
from volunteers.teams import create_team

_n = itertools.count(1)


@pytest.fixture
def engine(any_db_url: str) -> Iterator[Engine]:
    made = make_engine(any_db_url)
    yield made
    made.dispose()


# --- one public record of each family, in the world's community -------------------


def _plan_item(s: Session, w: World) -> int:
    new = DirectItem(area_id=w["community"].id, year=2027, title="加装电梯", description="楼道")
    return enter_item(s, new, actor_id=None).id


def _topic(s: Session, w: World) -> Topic:
    topic = Topic(
        area_id=w["community"].id,
        title="停车难题",
        body="车位不足",
        source="resident",
        proposer_id=w["people"]["resident"].id,
        threshold=10,
    )
    s.add(topic)
    s.flush()
    return topic


def _consultation(s: Session, w: World) -> int:
    at = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
    row = Consultation(
        topic_id=_topic(s, w).id,
        area_id=w["community"].id,
        title="议事协商会",
        agenda="讨论停车",
        summary="形成共识",
        resolution="增设车位",
        meets_at=at,
        announced_at=at,
        deliberation_opens_at=at,
        deliberation_closes_at=at,
    )
    s.add(row)
    s.flush()
    return row.id


def _round(s: Session, area: Area) -> BudgetRound:
    row = BudgetRound(
        area_id=area.id,
        year=2026,
        title="微实事",
        budget_yuan=100_000,
        rule="greedy",
        roll="residents",
    )
    s.add(row)
    s.flush()
    return row


def _budget_proposal(s: Session, w: World) -> int:
    row = Proposal(
        round_id=_round(s, w["community"]).id,
        author_id=w["people"]["resident"].id,
        title="长者饭堂",
        description="老人用餐",
        location="广场",
        cost_yuan=1_000,
        beneficiaries="居民",
    )
    s.add(row)
    s.flush()
    return row.id


def _cycle(s: Session, w: World) -> LivelihoodCycle:
    congress = Congress(area_id=w["district"].id, term=next(_n), session_number=1, name="会议")
    s.add(congress)
    s.flush()
    cycle = LivelihoodCycle(
        congress_id=congress.id, area_id=w["district"].id, year=2026, title="民生", places=2
    )
    s.add(cycle)
    s.flush()
    return cycle


def _livelihood(s: Session, w: World) -> int:
    row = LivelihoodCandidate(
        cycle_id=_cycle(s, w).id,
        submitter_kind="public",
        name="口袋公园",
        background="缺少绿地",
        content="建设公园",
        department="区住建局",
        funds_yuan=100,
        funds_source="区财政",
        complete_by=date(2026, 12, 31),
    )
    s.add(row)
    s.flush()
    return row.id


def _evaluation(s: Session, w: World) -> int:
    n = next(_n)
    org = Organization(
        name=f"评估中心{n}",
        credit_code=f"{n:018d}",
        area_id=w["street"].id,
        registered_by=w["people"]["admin"].id,
        status="verified",
    )
    s.add(org)
    s.flush()
    department = s.scalars(
        select(departments.Department).order_by(departments.Department.id).limit(1)
    ).one()
    row = Evaluation(
        org_id=org.id,
        area_id=w["community"].id,
        title="政务服务评估",
        subject_kind="service",
        subject="便民服务",
        department=department.name,
        department_id=department.id,
        conflict_declaration="无",
        status="collecting",
        created_by=w["people"]["admin"].id,
        opened_at=None,  # the day shown is the opening's, else the creation's
    )
    s.add(row)
    s.flush()
    return row.id


def _team(s: Session, w: World) -> int:
    return create_team(
        s,
        area=w["community"],
        name=f"志愿服务队{next(_n)}",
        kind="featured",
        join_mode="open",
        description="环境整治",
    ).id


def _shift(s: Session, w: World) -> int:
    return make_shift(s, w["community"], datetime(2026, 6, 1, 2, 0, tzinfo=UTC)).id


def _request(s: Session, w: World) -> int:
    if not s.scalar(select(ResidentRequest.id).limit(1)):
        route_to_community(s, w)
    return file(s, w)[0].id


MAKE: dict[str, Callable[[Session, World], int]] = {
    "consultation": _consultation,
    "topic": lambda s, w: _topic(s, w).id,
    "budget_proposal": _budget_proposal,
    "livelihood": _livelihood,
    "plan_item": _plan_item,
    "evaluation": _evaluation,
    "team": _team,
    "shift": _shift,
    "request": _request,
}


# --- the row of a table that a record reads, and a new value for a field ------------


def _doc_area(s: Session, family: str, ref_id: int) -> Area:
    """The area the index files the record under."""
    area_id = s.scalar(
        select(SearchDoc.area_id).where(
            SearchDoc.kind.in_(FAMILY_KINDS[family]), SearchDoc.ref_id == ref_id
        )
    )
    found = s.get(Area, area_id)
    assert found is not None
    return found


def _row(s: Session, family: str, model: type, ref_id: int) -> Any:
    """The row of ``model`` that the record ``ref_id`` of ``family`` reads."""
    record: Any = s.get(SOURCES[family].table, ref_id)
    if model is SOURCES[family].table:
        return record
    if model is Area:
        return _doc_area(s, family, ref_id)
    keys: dict[type, str] = {
        Plan: "plan_id",
        BudgetRound: "round_id",
        LivelihoodCycle: "cycle_id",
        Activity: "activity_id",
    }
    key = keys.get(model)
    if key is not None:
        return s.get(model, getattr(record, key))
    assert model is Team and family == "shift"
    activity = s.get(Activity, record.activity_id)
    return s.get(Team, activity.team_id if activity else None)


def _new_value(s: Session, w: World, row: Any, name: str) -> Any:
    """Another value for ``row.name`` (a text gets a new word, a key another row)."""
    old = getattr(row, name)
    match name:
        case "area_id":
            return w["other"].id
        case "plan_id":
            return plan_for(s, w["other"].id, 2026).id
        case "round_id":
            return _round(s, w["other"]).id  # a round of another community
        case "cycle_id":
            return _cycle(s, w).id
        case "activity_id":
            team = s.get(Team, s.get(Activity, old).team_id)  # type: ignore[union-attr]
            assert team is not None
            return create_activity(s, team, title="义诊服务", service_content="健康咨询").id
        case "team_id":
            return _team(s, w)
        case "merged_into_id":
            return _request(s, w)
        case "status":
            return {"collecting": "draft", "submitted": "candidate"}[old]
        case "category":
            return "traffic"
        case "path":
            return old + "9/"
    if isinstance(old, bool):
        return not old
    if isinstance(old, int):
        return old + 1  # a year
    if isinstance(old, datetime | date):
        return old + timedelta(days=40)
    if old is None:  # a moment not set yet
        return NOW
    assert isinstance(old, str), (name, old)
    return f"{old} 梧桐"


# Changes made through the service that makes them (the others set the attribute).
def _rename_area(s: Session, w: World, area: Area, name: str) -> None:
    rename_area(s, area, name, actor_id=None)


def _activity_details(s: Session, w: World, activity: Activity, field: str, value: Any) -> None:
    details: dict[str, Any] = {
        "title": activity.title,
        "service_content": activity.service_content,
        "is_public": activity.is_public,
    }
    details[field] = value
    update_details(s, activity, description=activity.description, **details)


def _cancel(s: Session, w: World, shift: Shift) -> None:
    cancel_shift(s, shift.id, w["people"]["admin"].id, NOW)


def _merge(s: Session, w: World, request: ResidentRequest, into_id: int) -> None:
    into = s.get(ResidentRequest, into_id)
    assert into is not None
    merge(s, request, into, NOW, w["people"]["admin"].id)


def _department(s: Session, w: World, evaluation: Evaluation) -> None:
    department = departments.get_department(s, evaluation.department_id or 0)
    departments.rename(s, department, departments.DepartmentFields("梧桐服务中心"), actor_id=None)


def change(s: Session, w: World, family: str, model: type, name: str, ref_id: int) -> None:
    row = _row(s, family, model, ref_id)
    if (model, name) == (Area, "name"):
        _rename_area(s, w, row, _new_value(s, w, row, name))
    elif model is Activity and name != "team_id":
        _activity_details(s, w, row, name, _new_value(s, w, row, name))
    elif (model, name) == (Shift, "cancelled_at"):
        _cancel(s, w, row)
    elif (model, name) == (ResidentRequest, "merged_into_id"):
        _merge(s, w, row, _new_value(s, w, row, name))
    elif (model, name) == (Evaluation, "department"):
        _department(s, w, row)
    else:
        setattr(row, name, _new_value(s, w, row, name))


# --- the table -----------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    family: str
    model: type
    field: str

    def __str__(self) -> str:
        return f"{self.family}:{self.model.__name__}.{self.field}"


def declared() -> list[Case]:
    """Every (family, table, field) the sources declare they read."""
    cases = []
    for family, source in SOURCES.items():
        cases += [Case(family, source.table, f) for f in sorted(source.fields)]
        for reach in source.reaches:
            cases += [Case(family, reach.model, f) for f in sorted(reach.fields)]
    return cases


#: What the test changes, family by family: every declared field, none forgotten.
TABLE: dict[str, str] = {
    "consultation": "title agenda summary resolution meets_at area_id Area.path",
    "topic": "title body created_at area_id Area.path",
    "budget_proposal": "title description created_at round_id BudgetRound.area_id Area.path",
    "livelihood": "name background content status created_at cycle_id"
    " LivelihoodCycle.area_id LivelihoodCycle.year Area.path",
    "plan_item": "title description created_at plan_id Plan.area_id Plan.year Area.path",
    "evaluation": "title subject department status area_id opened_at created_at Area.path",
    "team": "name description created_at area_id Area.path",
    "shift": "place starts_at cancelled_at area_id activity_id Activity.title"
    " Activity.service_content Activity.is_public Activity.team_id Team.name Area.path",
    "request": "number category filed_at area_id merged_into_id Area.path Area.name",
}
MODELS = {m.__name__: m for m in (Area, Plan, BudgetRound, LivelihoodCycle, Activity, Team)}


def cases_of(family: str) -> list[Case]:
    out = []
    for named in TABLE[family].split():
        model, _, name = named.rpartition(".")
        out.append(Case(family, MODELS[model] if model else SOURCES[family].table, name))
    return out


def test_the_table_names_every_field_the_sources_read_and_no_other() -> None:
    tabled = {str(case) for family in TABLE for case in cases_of(family)}
    assert tabled == {str(case) for case in declared()}


def index_rows(s: Session, family: str, ref_id: int) -> set[tuple[Any, ...]]:
    rows = s.execute(
        select(
            SearchDoc.id,
            SearchDoc.kind,
            SearchDoc.parent_id,
            SearchDoc.area_id,
            SearchDoc.area_path,
            SearchDoc.year,
            SearchDoc.day,
            SearchDoc.title,
            SearchDoc.words,
        ).where(SearchDoc.kind.in_(FAMILY_KINDS[family]), SearchDoc.ref_id == ref_id)
    )
    return {tuple(row) for row in rows}


@pytest.mark.parametrize("family", list(TABLE))
def test_the_index_follows_every_field_a_family_reads(
    engine: Engine, world: World, family: str
) -> None:
    for case in cases_of(family):
        with Session(engine) as s, s.begin():
            ref_id = MAKE[family](s, world)
        with Session(engine) as s, s.begin():
            drain(s)
            before = index_rows(s, family, ref_id)
        assert before, f"{case}: the new record is not indexed"
        with Session(engine) as s, s.begin():
            change(s, world, case.family, case.model, case.field, ref_id)
        with Session(engine) as s, s.begin():
            drain(s)
            followed = index_rows(s, family, ref_id)
        with Session(engine) as s, s.begin():
            reindex(s, family, [ref_id])
            fresh = index_rows(s, family, ref_id)
            s.rollback()
        assert fresh != before, f"{case}: the change does not reach the index (test broken)"
        assert followed == fresh, f"{case}: the index kept what the record was"


def columns_read(engine: Engine, family: str) -> set[str]:
    """The columns (``table.column``) the family's loader's statements name."""
    named: set[str] = set()

    def note(state: ORMExecuteState) -> None:
        for element in visitors.iterate(state.statement):  # type: ignore[arg-type]
            if isinstance(element, Column) and element.table is not None:
                named.add(f"{element.table.name}.{element.key}")

    with Session(engine) as s:
        event.listen(s, "do_orm_execute", note)
        SOURCES[family].load(s, [1])
    return named


@pytest.mark.parametrize("family", list(TABLE))
def test_a_loader_reads_only_what_its_family_declares(engine: Engine, family: str) -> None:
    allowed = {
        f"{case.model.__table__.name}.{case.field}"  # type: ignore[attr-defined]
        for case in declared()
        if case.family == family
    }
    read = {c for c in columns_read(engine, family) if not c.endswith(".id")}
    assert read <= allowed, f"read but not watched: {sorted(read - allowed)}"
