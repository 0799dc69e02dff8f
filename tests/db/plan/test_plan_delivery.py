"""Delivering plan items: entry, milestones, updates by owners only, visits, year end, reminders."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation import accounts, outbox
from participation.areas import create_area
from participation.db import make_engine
from participation.departments import Department
from participation.errors import DomainError
from participation.plan import delivery, supervision, yearend
from participation.plan.board import Filters, figures, item_views
from participation.plan.delivery import DirectItem
from participation.plan.intake import item_for_source
from participation.plan.judgements import (
    JudgementKind,
    JudgementOf,
    attach_judgement,
    judgements_of,
)
from participation.plan.models import Plan, PlanItem
from participation.plan.records import Milestone, Update, Visit, YearEndOutcome
from participation.plan.reminders import remind_overdue
from participation.plan.rules import Outcome, Step
from participation.plan.sources import SourceKind
from participation.rules.areas import AreaKind
from participation.rules.permissions import Role
from tests.support.departments import add_departments

NOW = datetime(2027, 7, 10, 2, 0, tzinfo=UTC)
TODAY = date(2027, 7, 10)


@pytest.fixture
def town(session: Session) -> dict[str, int]:
    city = create_area(session, code="C", name="海澄市", kind=AreaKind.CITY, parent=None)
    district = create_area(session, code="D", name="东湖区", kind=AreaKind.DISTRICT, parent=city)
    street = create_area(session, code="S", name="临江街道", kind=AreaKind.STREET, parent=district)
    home = create_area(session, code="M", name="望江社区", kind=AreaKind.COMMUNITY, parent=street)
    other = create_area(session, code="N", name="滨河社区", kind=AreaKind.COMMUNITY, parent=street)
    people = {}
    for login, role, area in [
        ("owner1", None, None),
        ("staff1", Role.STAFF, home),
        ("staff2", Role.STAFF, other),
        ("deputy1", Role.DEPUTY, home),
        ("rep1", Role.REPRESENTATIVE, home),
        ("resident1", Role.RESIDENT, home),
    ]:
        account = accounts.sign_up(
            session, login=login, password="plan owner pass", display_name=login
        )
        if role:
            accounts.grant_role(session, account, role, area)
        people[login] = account.id
    add_departments(session)
    session.commit()
    return {"home": home.id, "other": other.id, **people}


def new_item(session: Session, town: dict[str, int], **changes: object) -> PlanItem:
    values: dict[str, object] = {
        "area_id": town["home"],
        "year": 2027,
        "title": "老旧小区加装电梯",
        "owner_department": "住建局",
        "owner_account_id": town["owner1"],
        "budget_yuan": 600_000,
        "starts_on": date(2027, 3, 1),
        "due_on": date(2027, 10, 31),
    } | changes
    item = delivery.enter_item(session, DirectItem(**values), actor_id=town["staff1"])  # type: ignore[arg-type]
    session.commit()
    return item


def progress_update(
    session: Session,
    town: dict[str, int],
    item: PlanItem,
    progress: int,
    text: str,
    *,
    by: int | None = None,
    spend_yuan: int = 0,
    evidence: str = "",
) -> Update:
    """Post a progress update, by the item's owner unless ``by`` says who, at NOW."""
    return delivery.post_update(
        session,
        item,
        text=text,
        progress=progress,
        spend_yuan=spend_yuan,
        evidence=evidence,
        actor_id=town["owner1"] if by is None else by,
        now=NOW,
    )


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_direct_entry_is_a_direct_item_with_its_department(
    session: Session, town: dict[str, int]
) -> None:
    item = new_item(session, town)
    assert item.source_kind == SourceKind.DIRECT.value and item.source_ref.startswith("direct:")
    department = session.scalars(select(Department).where(Department.name == "住建局")).one()
    assert (item.owner_department, item.owner_department_id) == ("住建局", department.id)


def test_milestones_must_fit_the_dates_and_weights(session: Session, town: dict[str, int]) -> None:
    item = new_item(session, town)
    delivery.add_milestone(
        session, item, title="设计", due_on=date(2027, 4, 30), weight=60, actor_id=None
    )
    for due_on, weight, field in [
        (date(2027, 2, 28), 10, "due_on"),
        (date(2027, 11, 1), 10, "due_on"),
        (date(2027, 6, 1), 41, "weight"),
        (date(2027, 6, 1), 0, "weight"),
    ]:
        with pytest.raises(DomainError) as refused:
            delivery.add_milestone(
                session, item, title="施工", due_on=due_on, weight=weight, actor_id=None
            )
        assert field in refused.value.fields
    session.commit()
    assert count(session, Milestone) == 1


def test_backward_scheduling_creates_milestones_counted_back(
    session: Session, town: dict[str, int]
) -> None:
    item = new_item(session, town)
    made = delivery.schedule_backward(
        session,
        item,
        [(Step("设计", 30), 20), (Step("施工", 90), 70), (Step("验收", 10), 10)],
        actor_id=None,
    )
    assert [m.due_on for m in made] == [date(2027, 7, 23), date(2027, 10, 21), date(2027, 10, 31)]
    with pytest.raises(DomainError):
        delivery.schedule_backward(session, item, [(Step("追加", 400), 0)], actor_id=None)


def test_only_the_owner_or_area_staff_post_updates(session: Session, town: dict[str, int]) -> None:
    item = new_item(session, town)
    for outsider in ("resident1", "staff2", "deputy1"):
        with pytest.raises(DomainError) as refused:
            progress_update(session, town, item, 30, "施工中", by=town[outsider])
        assert refused.value.status == 403
    for progress in (-1, 101):
        with pytest.raises(DomainError) as refused:
            progress_update(session, town, item, progress, "施工中")
        assert "progress" in refused.value.fields
    session.rollback()
    assert count(session, Update) == 0
    progress_update(
        session,
        town,
        item,
        40,
        "完成井道施工",
        spend_yuan=120_000,
        evidence="https://example.cn/1.jpg",
    )
    progress_update(session, town, item, 70, "安装轿厢", by=town["staff1"], spend_yuan=200_000)
    session.commit()
    (view,) = item_views(session, TODAY)
    assert (view.progress, view.spend_yuan, view.status) == (70, 320_000, "in_progress")


def test_overdue_milestones_make_an_item_delayed_on_the_board(
    session: Session, town: dict[str, int]
) -> None:
    late = new_item(session, town, title="路灯改造")
    new_item(session, town, title="口袋公园")
    delivery.add_milestone(
        session, late, title="招标", due_on=date(2027, 6, 30), weight=30, actor_id=None
    )
    session.commit()
    views = item_views(session, TODAY, Filters(status="delayed"))
    assert [v.item.title for v in views] == ["路灯改造"]
    assert item_views(session, date(2027, 6, 30), Filters(status="delayed")) == []
    numbers = figures(item_views(session, TODAY), TODAY)
    assert (numbers.on_time.due, numbers.on_time.on_time) == (1, 0)
    assert numbers.total_budget == 1_200_000


def test_parent_progress_rolls_up_from_children(session: Session, town: dict[str, int]) -> None:
    parent = new_item(session, town, title="背街小巷整治")
    a = new_item(session, town, title="一巷")
    b = new_item(session, town, title="二巷")
    a.parent_id = b.parent_id = parent.id
    a.weight, b.weight = 3, 1
    session.commit()
    progress_update(session, town, a, 100, "完成")
    session.commit()
    views = {v.item.id: v for v in item_views(session, TODAY)}
    assert views[parent.id].progress == 75


def test_parts_must_belong_to_the_parent_s_plan(session: Session, town: dict[str, int]) -> None:
    parent = new_item(session, town, title="背街小巷整治")
    with pytest.raises(DomainError) as refused:
        new_item(session, town, title="一巷", parent_id=parent.id, area_id=town["other"])
    assert "parent_id" in refused.value.fields
    with pytest.raises(DomainError) as refused:
        new_item(session, town, title="一巷", parent_id=parent.id, weight=0)
    assert "weight" in refused.value.fields
    part = new_item(session, town, title="一巷", parent_id=parent.id, weight=3)
    assert (part.parent_id, part.weight) == (parent.id, 3)


def test_deputies_and_representatives_record_visits(session: Session, town: dict[str, int]) -> None:
    item = new_item(session, town)
    visit = supervision.record_visit(
        session,
        item,
        visited_on=TODAY,
        findings="井道已完工，噪音扰民需注意",
        today=TODAY,
        actor_id=town["deputy1"],
    )
    assert visit.visitor_role == "deputy"
    rep = supervision.record_visit(
        session, item, visited_on=TODAY, findings="居民满意", today=TODAY, actor_id=town["rep1"]
    )
    assert rep.visitor_role == "representative"
    with pytest.raises(DomainError) as refused:
        supervision.record_visit(
            session,
            item,
            visited_on=TODAY,
            findings="看看",
            today=TODAY,
            actor_id=town["resident1"],
        )
    assert refused.value.status == 403
    with pytest.raises(DomainError):
        supervision.record_visit(
            session,
            item,
            visited_on=date(2027, 7, 11),
            findings="未来",
            today=TODAY,
            actor_id=town["deputy1"],
        )
    session.commit()
    assert count(session, Visit) == 2


def test_year_end_carries_unfinished_items_over_once(
    session: Session, town: dict[str, int]
) -> None:
    done = new_item(session, town, title="长者饭堂")
    late = new_item(session, town, title="加装电梯")
    dropped = new_item(session, town, title="地下车库")
    longer = new_item(session, town, title="河道治理", due_on=date(2028, 6, 30))
    delivery.add_milestone(
        session, longer, title="二期", due_on=date(2028, 3, 1), weight=50, actor_id=None
    )
    progress_update(session, town, done, 100, "完工")
    progress_update(session, town, late, 60, "施工中")
    session.commit()
    plan = session.get(Plan, done.plan_id)
    assert plan is not None
    result = yearend.roll_up_year(
        session,
        plan,
        drop_reasons={dropped.id: "规划调整，不再实施"},
        today=date(2028, 1, 5),
        now=NOW,
        actor_id=town["staff1"],
    )
    session.commit()
    assert result.outcomes == {
        done.id: Outcome.FINISHED,
        late.id: Outcome.DELAYED,
        dropped.id: Outcome.DROPPED,
        longer.id: Outcome.CONTINUING,
    }
    carried = item_for_source(session, SourceKind.CARRIED_OVER, f"plan_item:{late.id}")
    assert carried is not None and carried.source_id == late.id
    assert session.get(Plan, carried.plan_id).year == 2028  # type: ignore[union-attr]
    assert carried.due_on is None  # a new end date is the planner's decision
    (view,) = item_views(session, date(2028, 1, 5), item_ids=[carried.id])
    assert view.progress == 60
    continuing = item_for_source(session, SourceKind.CARRIED_OVER, f"plan_item:{longer.id}")
    assert continuing is not None and continuing.due_on == date(2028, 6, 30)
    assert count(session, YearEndOutcome) == 4
    with pytest.raises(DomainError):
        yearend.roll_up_year(
            session, plan, drop_reasons={}, today=date(2028, 1, 5), now=NOW, actor_id=None
        )
    session.rollback()
    assert count(session, PlanItem) == 6
    with pytest.raises(DomainError) as closed:  # last year's item lives on next year
        progress_update(session, town, late, 70, "补记")
    assert closed.value.code == "plan.item_closed"


def test_reminders_are_queued_once_per_overdue_milestone(
    session: Session, town: dict[str, int]
) -> None:
    item = new_item(session, town)
    delivery.add_milestone(
        session, item, title="招标", due_on=date(2027, 6, 30), weight=30, actor_id=None
    )
    session.scalars(
        select(Department).where(Department.name == "住建局")
    ).one().email = "zjj@example.cn"
    session.commit()
    first = remind_overdue(session, today=TODAY, now=NOW, base_url="http://x")
    again = remind_overdue(session, today=TODAY, now=NOW, base_url="http://x")
    session.commit()
    assert (first.queued, again.queued) == (1, 0)
    message = session.scalars(select(outbox.OutboxMessage)).one()
    assert message.to_address == "zjj@example.cn" and "招标" in message.subject


def test_concurrent_roll_ups_carry_each_item_once(any_db_url: str) -> None:
    engine = make_engine(any_db_url)
    with Session(engine) as s, s.begin():
        city = create_area(s, code="C", name="市", kind=AreaKind.CITY, parent=None)
        for n in range(3):
            delivery.enter_item(
                s,
                DirectItem(area_id=city.id, year=2027, title=f"事项{n}", due_on=date(2027, 9, 1)),
                actor_id=None,
            )
    with Session(engine) as s:
        plan_id = s.scalars(select(Plan.id)).one()
    barrier = threading.Barrier(2)
    errors: list[str] = []

    def run() -> None:
        barrier.wait()  # before any query: on SQLite the first query takes the write lock
        with Session(engine) as s:
            plan = s.get(Plan, plan_id)
            assert plan is not None
            try:
                yearend.roll_up_year(
                    s, plan, drop_reasons={}, today=date(2028, 1, 2), now=NOW, actor_id=None
                )
                s.commit()
            except Exception as error:
                s.rollback()
                errors.append(getattr(error, "code", type(error).__name__))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(YearEndOutcome)) == 3
        carried = s.scalar(
            select(func.count())
            .select_from(PlanItem)
            .where(PlanItem.source_kind == SourceKind.CARRIED_OVER.value)
        )
        assert carried == 3
    assert errors == ["plan.rolled_up"]  # refused as such, not a database error
    engine.dispose()


def test_a_roll_up_waiting_on_another_is_refused_once_that_one_commits(
    any_db_url: str,
) -> None:
    """The second roll-up passed the "already rolled up?" check before the first
    committed (PostgreSQL; on SQLite it waits for the write lock before checking):
    its carried items collide with the first's and it is refused, writing nothing."""
    engine = make_engine(any_db_url)
    with Session(engine) as s, s.begin():
        city = create_area(s, code="C", name="市", kind=AreaKind.CITY, parent=None)
        for n in range(3):
            delivery.enter_item(
                s,
                DirectItem(area_id=city.id, year=2027, title=f"事项{n}", due_on=date(2027, 9, 1)),
                actor_id=None,
            )
    with Session(engine) as s:
        plan_id = s.scalars(select(Plan.id)).one()
    errors: list[str] = []
    checked = threading.Event()

    def second() -> None:
        with Session(engine) as s:
            checked.set()  # on SQLite the first query waits for the first's lock
            plan = s.get(Plan, plan_id)
            assert plan is not None
            try:
                yearend.roll_up_year(
                    s, plan, drop_reasons={}, today=date(2028, 1, 2), now=NOW, actor_id=None
                )
                s.commit()
            except DomainError as error:
                s.rollback()
                errors.append(error.code)

    with Session(engine) as first:
        plan = first.get(Plan, plan_id)
        assert plan is not None
        yearend.roll_up_year(
            first, plan, drop_reasons={}, today=date(2028, 1, 2), now=NOW, actor_id=None
        )
        other = threading.Thread(target=second)
        other.start()
        checked.wait()
        time.sleep(0.3)  # the second is waiting on our carried items (or our lock)
        first.commit()
    other.join()
    assert errors == ["plan.rolled_up"]
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(YearEndOutcome)) == 3
        assert s.scalar(select(func.count()).select_from(Update)) == 3
    engine.dispose()


def test_judgements_attach_once_per_judging_source(session: Session, town: dict[str, int]) -> None:
    item = new_item(session, town)
    judged = JudgementOf(
        item_id=item.id,
        kind=JudgementKind.SATISFACTION,
        source_ref="ballot:9",
        source_record="livelihood_cycle",
        source_id=9,
        verdict="不满意 41%",
        needs_rectification=True,
    )
    first = attach_judgement(session, judged, now=NOW)
    again = attach_judgement(session, judged, now=NOW)
    session.commit()
    assert first.id == again.id
    assert (first.source_record, first.source_id) == ("livelihood_cycle", 9)
    assert [j.verdict for j in judgements_of(session, item.id)] == ["不满意 41%"]
    with pytest.raises(DomainError):
        attach_judgement(session, JudgementOf(item.id, JudgementKind.EVALUATION, "x", " "), now=NOW)


def test_a_done_item_takes_a_correction_and_reopens(session: Session, town: dict[str, int]) -> None:
    item = new_item(session, town)
    for progress in (100, 90):
        progress_update(session, town, item, progress, f"进度{progress}")
        session.commit()
        (view,) = item_views(session, TODAY)
        assert view.progress == progress
    assert item.status == "in_progress"
    assert count(session, Update) == 2  # the first report stays on the timeline


def test_rolled_up_items_are_not_reminded(session: Session, town: dict[str, int]) -> None:
    item = new_item(session, town, due_on=date(2027, 12, 31))
    delivery.add_milestone(
        session, item, title="招标", due_on=date(2027, 6, 30), weight=30, actor_id=None
    )
    session.scalars(
        select(Department).where(Department.name == "住建局")
    ).one().email = "zjj@example.cn"
    plan = session.get(Plan, item.plan_id)
    assert plan is not None
    yearend.roll_up_year(
        session, plan, drop_reasons={}, today=date(2028, 1, 2), now=NOW, actor_id=None
    )
    reminded = remind_overdue(session, today=date(2028, 1, 2), now=NOW, base_url="http://x")
    assert reminded.queued == 0


def test_an_item_dropped_before_the_year_end_stays_dropped(
    session: Session, town: dict[str, int]
) -> None:
    item = new_item(session, town)
    item.status = "dropped"
    plan = session.get(Plan, item.plan_id)
    assert plan is not None
    result = yearend.roll_up_year(
        session, plan, drop_reasons={}, today=date(2028, 1, 2), now=NOW, actor_id=None
    )
    assert result.outcomes == {item.id: Outcome.DROPPED} and result.carried == {}


def test_the_stored_status_follows_the_board(session: Session, town: dict[str, int]) -> None:
    """Other processes show PlanItem.status on their pages: it says late when late."""
    item = new_item(session, town)
    milestone = delivery.add_milestone(
        session, item, title="招标", due_on=date(2027, 6, 30), weight=30, actor_id=None
    )
    session.commit()
    assert item.status == "planned"
    remind_overdue(session, today=TODAY, now=NOW, base_url="http://x")
    assert item.status == "delayed"
    progress_update(session, town, item, 20, "招标延误")
    assert item.status == "delayed"  # reporting progress does not clear the lateness
    delivery.complete_milestone(
        session,
        item,
        milestone.id,
        done_on=TODAY,
        evidence="",
        today=TODAY,
        actor_id=town["owner1"],
    )
    assert item.status == "in_progress"
    progress_update(session, town, item, 100, "完工")
    assert item.status == "done"
