"""Grid work as the services apply it: assignments within one's areas and dates,
the worker's filing scope, visits never in the future, a finding filed once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.areas import create_area
from participation.errors import DomainError
from participation.requests import grids, intake
from participation.requests.models import ResidentRequest
from participation.rules.areas import AreaKind
from tests.support.requests import NOW, route_to_community
from tests.support.world import World

TODAY = date(2026, 5, 13)


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL (the tables come from 0027)."""
    return any_db_url


def _other_grid(session: Session, world: World):  # type: ignore[no-untyped-def]
    return create_area(session, code="G9", name="九网格", kind=AreaKind.GRID, parent=world["other"])


def test_visit_days_follow_the_last_digits() -> None:
    assert grids.clean_digits("5, 0") == "50"
    days = grids.visit_days(date(2026, 5, 1), "50")
    assert [d.day for d in days] == [5, 10, 15, 20, 25, 30]
    assert grids.is_visit_day(date(2026, 5, 15), "50")
    assert not grids.is_visit_day(date(2026, 5, 13), "50")
    with pytest.raises(DomainError):
        grids.clean_digits("逢五")


def test_one_grid_has_several_workers_and_a_worker_several_grids(
    session: Session, world: World
) -> None:
    scope = [world["community"].path]
    grid2 = create_area(
        session, code="G2", name="二网格", kind=AreaKind.GRID, parent=world["community"]
    )
    worker = world["people"]["grid_worker"]
    grids.assign(session, world["grid"].id, worker.id, TODAY, None, None, scope)
    grids.assign(session, grid2.id, worker.id, TODAY, None, None, scope)
    # A second worker on the same grid: a resident who also holds the role.
    from participation import accounts
    from participation.rules.permissions import Role

    second = world["people"]["volunteer"]
    accounts.grant_role(session, second, Role.GRID_WORKER, world["community"])
    grids.assign(session, world["grid"].id, second.id, TODAY, None, None, scope)
    assert sorted(grids.assigned_paths(session, worker.id, TODAY) or []) == sorted(
        [world["grid"].path, grid2.path]
    )
    rows = grids.assignments(session, scope)
    assert len(rows) == 3
    assert grids.assigned_paths(session, world["people"]["resident"].id, TODAY) is None


def test_assignments_refuse_grids_outside_ones_area_and_bad_dates(
    session: Session, world: World
) -> None:
    scope = [world["community"].path]
    outside = _other_grid(session, world)
    worker = world["people"]["grid_worker"].id
    cases = [
        (outside.id, worker, TODAY, None, "grid_id"),
        (world["community"].id, worker, TODAY, None, "grid_id"),  # not a grid
        (world["grid"].id, world["people"]["resident"].id, TODAY, None, "worker_id"),
        (world["grid"].id, worker, TODAY, TODAY - timedelta(days=1), "ends_on"),
    ]
    for grid_id, worker_id, start, end, field in cases:
        with pytest.raises(DomainError) as refused:
            grids.assign(session, grid_id, worker_id, start, end, None, scope)
        assert field in refused.value.fields
    grids.assign(session, world["grid"].id, worker, TODAY, None, None, scope)
    with pytest.raises(DomainError) as twice:
        grids.assign(session, world["grid"].id, worker, TODAY, None, None, scope)
    assert "worker_id" in twice.value.fields


def test_an_ended_assignment_no_longer_counts(session: Session, world: World) -> None:
    scope = [world["community"].path]
    worker = world["people"]["grid_worker"].id
    row = grids.assign(
        session, world["grid"].id, worker, TODAY - timedelta(days=30), None, None, scope
    )
    grids.end_assignment(session, row.id, TODAY - timedelta(days=1), None, scope)
    assert grids.assigned_paths(session, worker, TODAY) == []
    with pytest.raises(DomainError) as elsewhere:
        grids.end_assignment(session, row.id, TODAY, None, [world["other"].path])
    assert elsewhere.value.status == 404


def test_a_visit_in_the_future_is_refused_and_stores_nothing(
    session: Session, world: World
) -> None:
    scope = [world["community"].path]
    with pytest.raises(DomainError) as refused:
        grids.record_visit(
            session,
            world["grid"].id,
            "张书记",
            TODAY + timedelta(days=1),
            "路灯不亮",
            None,
            TODAY,
            scope,
        )
    assert "visited_on" in refused.value.fields
    with pytest.raises(DomainError) as outside:
        grids.record_visit(
            session, _other_grid(session, world).id, "张书记", TODAY, "路灯不亮", None, TODAY, scope
        )
    assert "grid_id" in outside.value.fields
    assert session.scalar(select(func.count()).select_from(grids.GridVisit)) == 0


def test_a_finding_becomes_one_request_through_intake(session: Session, world: World) -> None:
    route_to_community(session, world)
    scope = [world["community"].path]
    grids.set_visit_rule(session, world["street"].id, "5 0", None, None)
    visit = grids.record_visit(
        session, world["grid"].id, "张书记", TODAY, "垃圾桶满溢", None, TODAY, scope
    )
    filed = grids.file_finding(session, visit.id, "environment", "normal", None, NOW, scope)
    request = filed.request
    assert request.channel == "visit" and request.area_id == world["grid"].id
    assert request.description == "垃圾桶满溢" and request.status == "routed"
    assert visit.request_id == request.id
    with pytest.raises(DomainError) as twice:
        grids.file_finding(session, visit.id, "environment", "normal", None, NOW, scope)
    assert twice.value.code == "grid.filed"
    rows = grids.visits(session, scope, per_page=50).rows
    assert rows[0].request is not None and rows[0].on_rule_day is False  # the 13th


def test_the_worker_page_lists_their_grids_requests_and_discoveries(
    session: Session, world: World
) -> None:
    route_to_community(session, world)
    worker = world["people"]["grid_worker"].id
    grids.assign(session, world["grid"].id, worker, TODAY, None, None, None)
    found = intake.file_request(
        session,
        intake.NewRequest("environment", "楼道堆物", world["grid"].id, channel="patrol"),
        NOW,
        filer_id=worker,
        requester_id=None,
    )
    elsewhere = intake.file_request(
        session,
        intake.NewRequest("environment", "别处的事", world["community"].id),
        NOW,
        filer_id=None,
        requester_id=None,
    )
    page = grids.worker_page(session, worker, TODAY + timedelta(days=10))
    assert [g.request.id for g in page.open_requests] == [found.request.id]
    assert [g.request.id for g in page.discoveries] == [found.request.id]
    assert elsewhere.request.id not in [g.request.id for g in page.open_requests]
    assert page.waiting and page.waiting[0].late.due.value == "overdue"
    assert session.scalar(select(func.count()).select_from(ResidentRequest)) == 2
