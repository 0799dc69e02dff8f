"""Departments are records: assigned by choosing one (free text is refused), renamed
and merged everywhere at once, with who did it in the audit log."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation import departments
from participation.audit import AuditEntry
from participation.departments import Department, DepartmentFields
from participation.errors import DomainError
from participation.livelihood import services as livelihood
from participation.livelihood.rules import CandidateDraft
from participation.plan import delivery
from participation.plan.delivery import DirectItem
from participation.plan.intake import ItemFromSource, receive_item
from participation.plan.models import PlanItem
from participation.plan.sources import SourceKind
from participation.rolls import Congress
from tests.support.world import World


def _item(session: Session, world: World, owner: str, title: str = "加装电梯") -> PlanItem:
    return delivery.enter_item(
        session,
        DirectItem(area_id=world["community"].id, year=2027, title=title, owner_department=owner),
        actor_id=None,
    )


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_free_text_is_refused_where_a_department_is_assigned(
    session: Session, world: World
) -> None:
    """Fails on the old code: a typed name made a new department record on the fly."""
    before = _count(session, Department)
    with pytest.raises(DomainError) as refused:
        _item(session, world, "住房局")
    assert refused.value.fields == {"owner_department": "Choose the department from the list."}
    item = _item(session, world, "住建局")
    with pytest.raises(DomainError):
        delivery.edit_item(
            session,
            item,
            owner_department="区 住房局",
            owner_account_id=None,
            budget_yuan=0,
            starts_on=None,
            due_on=None,
            actor_id=None,
        )
    congress = Congress(area_id=world["district"].id, term=1, session_number=1, name="会议")
    session.add(congress)
    session.flush()
    cycle = livelihood.create_cycle(
        session, livelihood.NewCycle(congress.id, 2026, "民生实事", 1), None
    )
    draft = CandidateDraft("甲", "b", "c", "区住房局", 100, "财政", date(2026, 12, 31), "public")
    with pytest.raises(DomainError) as refused:
        livelihood.submit(session, cycle, draft, None)
    assert "department" in refused.value.fields
    assert _count(session, Department) == before


def test_the_chosen_record_is_kept_and_spaces_do_not_split_it(
    session: Session, world: World
) -> None:
    zjj = departments.named(session, "住建局")
    assert zjj is not None
    typed = _item(session, world, " 住建局\u3000")
    assert (typed.owner_department, typed.owner_department_id) == ("住建局", zjj.id)
    handed = receive_item(
        session,
        ItemFromSource(
            area_id=world["community"].id,
            year=2027,
            title="电梯",
            source_kind=SourceKind.COMMUNITY_BUDGET,
            source_ref="project:9",
            owner_department="某不在册单位",
        ),
        actor_id=None,
    )
    # Another process's name that is no record stays text, unmatched (staff match it).
    assert (handed.owner_department, handed.owner_department_id) == ("某不在册单位", None)
    assert departments.unmatched_names(session) == [("某不在册单位", 1)]


def test_rename_and_merge_reach_every_row_and_are_audited(session: Session, world: World) -> None:
    actor = world["people"]["admin"].id
    short = departments.named(session, "住建局")
    full = departments.create(
        session,
        DepartmentFields("东湖区住房和城乡建设局", "区住建局", world["district"].id, "z@e.cn"),
        actor_id=actor,
    )
    a = _item(session, world, "住建局", "加装电梯")
    b = _item(session, world, "东湖区住房和城乡建设局", "改造")
    assert short is not None
    departments.rename(
        session,
        short,
        DepartmentFields("一区住建局", "住建", world["district"].id, ""),
        actor_id=actor,
    )
    session.refresh(a)
    assert a.owner_department == "一区住建局"
    with pytest.raises(DomainError) as taken:
        departments.rename(
            session, short, DepartmentFields("东湖区住房和城乡建设局"), actor_id=actor
        )
    assert "name" in taken.value.fields
    moved = departments.merge(session, short, full, actor_id=actor)
    assert moved == 1
    for item in (a, b):
        session.refresh(item)
        assert (item.owner_department, item.owner_department_id) == (full.name, full.id)
    assert departments.named(session, "一区住建局") is None
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("department.%"))
    ).all()
    assert sorted(actions) == ["department.create", "department.edit", "department.merge"]
    with pytest.raises(DomainError):
        departments.merge(session, full, full, actor_id=actor)


def test_unmatched_names_are_counted_in_sql(session: Session, world: World) -> None:
    """Fails on the old code: every unmatched row was loaded and counted in Python
    (the departments page read 20,000 plan items' texts for a grown plan)."""
    from participation.plan.models import Plan
    from tests.support.queries import statements

    plan = Plan(area_id=world["community"].id, year=2026, title="2026计划")
    session.add(plan)
    session.flush()

    def add(first: int, count: int) -> None:
        for n in range(first, first + count):
            session.add(
                PlanItem(
                    plan_id=plan.id,
                    title=f"事项{n}",
                    source_kind="direct",
                    source_ref=f"u{n}",
                    owner_department=f"不在册单位{n % 3}",
                )
            )
        session.flush()

    add(0, 10)
    assert departments.unmatched_names(session) == [
        ("不在册单位0", 4),
        ("不在册单位1", 3),
        ("不在册单位2", 3),
    ]
    add(10, 20)
    with statements() as seen:
        names = departments.unmatched_names(session)
    assert names == [("不在册单位0", 10), ("不在册单位1", 10), ("不在册单位2", 10)]
    on_items = [sql for sql in seen if "FROM plan_items" in sql]
    assert on_items and all("GROUP BY" in sql for sql in on_items)
