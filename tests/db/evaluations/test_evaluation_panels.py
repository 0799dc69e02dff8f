"""Panel review services: a recorded, reproducible draw; recusal; one score per member
and project, also under concurrent submissions; the two-track tally."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from consultations.evaluations import panels
from consultations.evaluations.models import PanelMember, PanelProject, PanelScoreRow
from consultations.evaluations.rules.panel import draw_order
from participation import accounts
from participation.db import make_engine
from participation.errors import DomainError
from participation.organizations.registry import get_org
from participation.plan.delivery import DirectItem, enter_item
from participation.plan.records import Judgement
from tests.support.evaluation_setup import NOW, build


def setup_panel(engine: Engine) -> tuple[int, list[int]]:
    world = build(engine)
    with Session(engine) as s, s.begin():
        org = get_org(s, world.org_id)
        panel = panels.create_panel(
            s,
            org,
            title="社区微实事项目验收评审",
            area_id=world.area_id,
            expert_weight="0.6",
            description="",
            actor_id=world.org_admin,
        )
        for title in ("长者饭堂", "儿童乐园", "路灯改造"):
            panels.add_project(s, panel, title, "东社区居委会", world.org_admin)
        members = []
        for n, track in enumerate(("expert", "expert", "public", "public")):
            accounts.sign_up(
                s, login=f"panel{n}", password="evaluation-pass", display_name=f"评审{n}"
            )
            members.append(
                panels.add_panel_member(s, panel, f"panel{n}", track, world.org_admin).id
            )
        with pytest.raises(DomainError):
            panels.open_scoring(s, panel, world.org_admin)  # not drawn yet
        order = panels.draw(s, panel, world.org_admin, NOW)
        assert order == draw_order(
            [p.id for p in panels.projects_of(s, panel.id)], panel.draw_seed or ""
        )
        panels.open_scoring(s, panel, world.org_admin)
        return panel.id, members


def test_draw_recusal_scores_and_tally(engine: Engine) -> None:
    panel_id, members = setup_panel(engine)
    with Session(engine) as s, s.begin():
        panel = panels.get_panel(s, panel_id)
        projects = panels.projects_of(s, panel.id)
        assert [p.place for p in projects] == [1, 2, 3]
        with pytest.raises(DomainError):
            panels.draw(s, panel, 1, NOW)  # once only
        first = projects[0].id
        m = {n: s.get_one(PanelMember, mid) for n, mid in enumerate(members)}
        panels.recuse(s, panel, m[0], first, "项目承接方是我的亲属")
        with pytest.raises(DomainError) as recused:
            panels.score_project(s, panel, m[0], first, 90)
        assert recused.value.code == "panel.recused"
        for member, score in ((m[1], 80), (m[2], 70), (m[3], 90)):
            panels.score_project(s, panel, member, first, score)
        with pytest.raises(DomainError) as twice:
            panels.score_project(s, panel, m[1], first, 10)
        assert twice.value.code == "panel.scored"
        for unreadable in (101, -1, None):
            with pytest.raises(DomainError) as bad:
                panels.score_project(s, panel, m[1], projects[1].id, unreadable)
            assert bad.value.code == "panel.score_range"
        result = panels.panel_tally(s, panel)
        top = result.results[0]
        assert top.project_id == first
        assert top.combined == pytest.approx(0.6 * 80 + 0.4 * 80)
        assert result.recusals == 1


def test_concurrent_scores_count_once(any_db_url: str) -> None:
    engine = make_engine(any_db_url)
    panel_id, members = setup_panel(engine)
    with Session(engine) as s:
        project_id = s.scalars(select(PanelProject.id).order_by(PanelProject.place)).first()
    outcomes: list[str] = []
    barrier = threading.Barrier(5)

    def run() -> None:
        barrier.wait()
        try:
            with Session(engine) as s, s.begin():
                panel = panels.get_panel(s, panel_id)
                member = s.get(PanelMember, members[1])
                assert member is not None and project_id is not None
                panels.score_project(s, panel, member, project_id, 77)
            outcomes.append("ok")
        except DomainError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=run) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] + ["panel.scored"] * 4
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(PanelScoreRow)) == 1
    engine.dispose()


def test_closing_a_panel_judges_the_plan_items_its_projects_delivered(engine: Engine) -> None:
    world = build(engine)
    with Session(engine) as s, s.begin():
        item = enter_item(
            s, DirectItem(area_id=world.area_id, year=2026, title="长者饭堂"), actor_id=None
        )
        s.flush()
        item_id = item.id
        panel = panels.create_panel(
            s,
            get_org(s, world.org_id),
            title="社区微实事项目验收评审",
            area_id=world.area_id,
            expert_weight="0.6",
            description="",
            actor_id=world.org_admin,
        )
        with pytest.raises(DomainError) as unknown:
            panels.add_project(s, panel, "路灯改造", "", world.org_admin, plan_item_id=99_999)
        assert unknown.value.fields == {"plan_item_id": "No such governance plan item."}
        fed = panels.add_project(s, panel, "长者饭堂", "", world.org_admin, plan_item_id=item_id)
        panels.add_project(s, panel, "儿童乐园", "", world.org_admin)
        member = {}
        for n, track in enumerate(("expert", "public")):
            accounts.sign_up(
                s, login=f"judge{n}", password="evaluation-pass", display_name=f"评审{n}"
            )
            member[track] = panels.add_panel_member(s, panel, f"judge{n}", track, world.org_admin)
        panels.draw(s, panel, world.org_admin, NOW)
        panels.open_scoring(s, panel, world.org_admin)
        panels.score_project(s, panel, member["expert"], fed.id, 90)
        panels.score_project(s, panel, member["public"], fed.id, 80)
        assert s.scalars(select(Judgement)).all() == []  # scoring still open
        panels.close_scoring(s, panel, world.org_admin, NOW)
        panel_id, fed_id = panel.id, fed.id
    with Session(engine) as s:
        (judged,) = s.scalars(select(Judgement)).all()  # only the project with a plan item
    assert (judged.item_id, judged.kind) == (item_id, "evaluation")
    assert judged.source_ref == f"panel:{panel_id}:{fed_id}"
    assert (judged.source_record, judged.source_id) == ("panel", panel_id)
    assert (
        judged.verdict == "大众评审综合得分 86.0 分，第 1 名（共 2 个项目；专家 90.0，群众 80.0）"
    )
