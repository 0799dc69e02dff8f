"""Demo governance plans: the city's and two communities' plans for this year. The other
demo processes (budget rounds, congress ballots, consultations, evaluations) put their
own results on the plan; this adds items staff entered directly, delivered with
milestones, updates and visits, some on time, some late, and one item carried over
from last year's plan by a real year-end roll-up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from participation import accounts
from participation.areas import Area
from participation.plan import delivery, supervision, yearend
from participation.plan.intake import ItemFromSource, receive_item
from participation.plan.judgements import JudgementKind, JudgementOf, attach_judgement
from participation.plan.models import Plan, PlanItem
from participation.plan.rules import Step
from participation.plan.sources import SourceKind


@dataclass(frozen=True)
class DemoItem:
    area: str
    title: str
    kind: SourceKind
    department: str
    budget: int
    start: int  # days from 1 January
    end: int
    steps: tuple[tuple[str, int, int], ...]  # title, days, weight
    done_steps: int  # how many milestones are done (on time)
    progress: tuple[tuple[int, str, int], ...]  # (progress, text, spend) in order
    late: bool = False  # leave the next milestone undone past its due date


ITEMS = [
    DemoItem(
        "海澄市",
        "新增公办中小学学位2000个",
        SourceKind.DIRECT,
        "海澄市教育局",
        48_000_000,
        20,
        330,
        (("选址与设计", 60, 20), ("施工", 180, 60), ("验收招生", 30, 20)),
        2,
        (
            (35, "两所学校主体结构封顶。", 16_000_000),
            (70, "完成内部装修，开始采购教学设备。", 12_000_000),
        ),
    ),
    DemoItem(
        "海澄市",
        "城区12处易涝积水点改造",
        SourceKind.DIRECT,
        "海澄市水务局",
        9_600_000,
        40,
        250,
        (("勘察设计", 40, 20), ("管网施工", 120, 60), ("汛期检验", 30, 20)),
        1,
        ((30, "完成勘察设计，6处开工。", 2_100_000),),
        late=True,
    ),
    DemoItem(
        "海澄市",
        "12345热线办件回应率整改",
        SourceKind.DIRECT,
        "海澄市政务服务数据管理局",
        300_000,
        60,
        300,
        (("制定整改方案", 20, 30), ("工单系统改造", 90, 40), ("第三方复评", 30, 30)),
        2,
        ((65, "回应率由82%提升至95%。", 180_000),),
    ),
    DemoItem(
        "海澄市",
        "优化公交线网（年度满意度测评不满意项）",
        SourceKind.DIRECT,
        "海澄市交通运输局",
        2_000_000,
        30,
        340,
        (("客流调查", 45, 20), ("线路调整公示", 30, 30), ("新线路试运行", 60, 50)),
        1,
        ((25, "完成客流调查，形成调整方案。", 400_000),),
        late=True,
    ),
    DemoItem(
        "海澄市",
        "全民健身步道建设",
        SourceKind.DIRECT,
        "海澄市体育局",
        3_500_000,
        10,
        200,
        (("设计", 30, 20), ("施工", 120, 70), ("开放", 10, 10)),
        3,
        ((100, "步道全线开放。", 3_380_000),),
    ),
    DemoItem(
        "望江社区",
        "长者饭堂",
        SourceKind.DIRECT,
        "望江社区居民委员会",
        60_000,
        60,
        240,
        (("场地改造", 60, 40), ("运营方遴选", 30, 30), ("开餐", 20, 30)),
        3,
        ((100, "长者饭堂开餐，每日供餐120份。", 58_500),),
    ),
    DemoItem(
        "望江社区",
        "楼道堆物清理与电动车充电棚",
        SourceKind.DIRECT,
        "望江社区居民委员会",
        45_000,
        90,
        300,
        (("楼道清理", 30, 30), ("充电棚选址公示", 20, 20), ("充电棚建设", 60, 50)),
        1,
        ((30, "完成12栋楼道清理。", 5_000),),
        late=True,
    ),
    DemoItem(
        "望江社区",
        "社区微型消防站",
        SourceKind.DIRECT,
        "望江社区居民委员会",
        30_000,
        100,
        345,
        (("器材采购", 30, 50), ("队伍培训", 30, 50)),
        0,
        (),
    ),
    DemoItem(
        "春晖社区",
        "儿童乐园改造",
        SourceKind.DIRECT,
        "春晖社区居民委员会",
        50_000,
        70,
        280,
        (("方案征求意见", 30, 20), ("施工", 60, 60), ("验收开放", 10, 20)),
        2,
        ((80, "主体施工完成，待安全验收。", 40_000),),
    ),
    DemoItem(
        "春晖社区",
        "小区停车位划线与错时共享",
        SourceKind.DIRECT,
        "春晖社区居民委员会",
        20_000,
        80,
        220,
        (("车位摸排", 20, 30), ("划线施工", 20, 40), ("共享协议签订", 30, 30)),
        1,
        ((40, "完成车位摸排和方案公示。", 3_000),),
        late=True,
    ),
    DemoItem(
        "春晖社区",
        "社区食堂食品安全整改",
        SourceKind.DIRECT,
        "临江街道市场监督管理所",
        10_000,
        120,
        260,
        (("问题清单", 10, 30), ("整改实施", 40, 40), ("复查", 10, 30)),
        3,
        ((100, "复查合格，整改销号。", 9_200),),
    ),
]


FINDINGS = {
    6: "现场查看：充电棚选址尚未公示，进度滞后于节点计划，请居委会说明原因并加快推进。",
    8: "施工围挡规范，安全措施到位；建议验收时邀请家长代表参加。",
    9: "划线施工未按期开始，部分居民对共享时段有意见，建议再开一次协商会。",
}


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 30), tzinfo=UTC)


def seed_plans(session: Session, by_name: dict[str, Area], today: date) -> None:
    """Plans of this year for 海澄市, 望江社区 and 春晖社区, and last year's carried item."""
    staff = accounts.find_by_login(session, "staff")
    worker = accounts.find_by_login(session, "worker")
    deputy = accounts.find_by_login(session, "deputy")
    rep = accounts.find_by_login(session, "rep")
    admin = accounts.find_by_login(session, "admin")
    assert staff and worker and deputy and rep and admin
    # Who reports: the community's worker owns its items, district staff deliver
    # in 春晖社区, and the city's departments report through the administrator.
    reporter = {"望江社区": worker.id, "春晖社区": staff.id, "海澄市": admin.id}
    year = today.year
    jan1 = date(year, 1, 1)
    _carried_over(session, by_name["望江社区"], worker.id, staff.id, today)
    for n, spec in enumerate(ITEMS):
        starts, due = jan1 + timedelta(days=spec.start), jan1 + timedelta(days=spec.end)
        item = receive_item(
            session,
            ItemFromSource(
                area_id=by_name[spec.area].id,
                year=year,
                title=spec.title,
                source_kind=spec.kind,
                source_ref=f"demo:{n}",
                owner_department=spec.department,
                owner_account_id=worker.id if spec.area == "望江社区" else None,
                budget_yuan=spec.budget,
                starts_on=starts,
                due_on=due,
            ),
            actor_id=staff.id,
        )
        _deliver(session, item, spec, today, reporter[spec.area])
        supervisor = {6: rep, 8: deputy, 9: deputy}.get(n)
        if supervisor is not None:
            supervision.record_visit(
                session,
                item,
                visited_on=today - timedelta(days=5),
                findings=FINDINGS[n],
                today=today,
                actor_id=supervisor.id,
            )
    _parent_with_parts(session, by_name["海澄市"], year, admin.id)
    session.flush()


def _parent_with_parts(session: Session, city: Area, year: int, actor: int) -> None:
    """A city item delivered in two parts; its progress is rolled up by their weights."""
    common = {"area_id": city.id, "year": year, "source_kind": SourceKind.DIRECT}
    parent = receive_item(
        session,
        ItemFromSource(
            **common,  # type: ignore[arg-type]
            title="老旧小区改造提升（两个片区）",
            source_ref="demo:old-estates",
            owner_department="海澄市住房和城乡建设局",
            budget_yuan=12_000_000,
            starts_on=date(year, 3, 1),
            due_on=date(year, 12, 20),
        ),
        actor_id=actor,
    )
    for n, (title, weight, progress, spend) in enumerate(
        [
            ("望江片区：管网与外立面", 2, 60, 4_800_000),
            ("春晖片区：加装电梯与适老化", 1, 30, 1_200_000),
        ]
    ):
        part = receive_item(
            session,
            ItemFromSource(
                **common,  # type: ignore[arg-type]
                title=title,
                source_ref=f"demo:old-estates:{n}",
                owner_department="海澄市住房和城乡建设局",
                budget_yuan=8_000_000 if weight == 2 else 4_000_000,
                starts_on=date(year, 3, 1),
                due_on=date(year, 12, 20),
                parent_id=parent.id,
            ),
            actor_id=actor,
        )
        part.weight = weight
        delivery.post_update(
            session,
            part,
            text=f"{title}完成{progress}%。",
            progress=progress,
            spend_yuan=spend,
            evidence="",
            actor_id=actor,
            now=_at(date(year, 9, 1)),
        )


def _deliver(session: Session, item: PlanItem, spec: DemoItem, today: date, actor: int) -> None:
    """Schedule the milestones back from the end date, then mark and report what was done."""
    assert item.starts_on and item.due_on
    available = (item.due_on - item.starts_on).days
    days = [d for _, d, _ in spec.steps]
    scale = min(1.0, available / sum(days))
    steps = [(Step(t, max(1, int(d * scale))), w) for t, d, w in spec.steps]
    milestones = delivery.schedule_backward(session, item, steps, actor_id=actor)
    if spec.late:
        # Make the next milestone fall due three weeks ago, still undone.
        nxt = milestones[spec.done_steps] if spec.done_steps < len(milestones) else None
        if nxt is not None:
            nxt.due_on = max(item.starts_on, today - timedelta(days=21))
    for m in milestones[: spec.done_steps]:
        m.done_on = min(m.due_on, today) - timedelta(days=2)
        m.evidence = "验收单与现场照片已归档"
    for i, (progress, text, spend) in enumerate(spec.progress):
        at = _at(min(today, item.starts_on + timedelta(days=40 * (i + 1))))
        delivery.post_update(
            session,
            item,
            text=text,
            progress=progress,
            spend_yuan=spend,
            evidence="https://haicheng.example.cn/photos/plan-demo.jpg",
            actor_id=actor,
            now=at,
        )


def _carried_over(session: Session, area: Area, owner: int, staff: int, today: date) -> None:
    """Last year's plan with one unfinished item, rolled up so that it carries over."""
    last = today.year - 1
    lift = receive_item(
        session,
        ItemFromSource(
            area_id=area.id,
            year=last,
            title="3号楼加装电梯",
            source_kind=SourceKind.COMMUNITY_BUDGET,
            source_ref="demo:last-year:lift",
            owner_department="海澄市住房和城乡建设局",
            owner_account_id=owner,
            budget_yuan=650_000,
            starts_on=date(last, 4, 1),
            due_on=date(last, 11, 30),
        ),
        actor_id=staff,
    )
    kiosk = receive_item(
        session,
        ItemFromSource(
            area_id=area.id,
            year=last,
            title="社区快递柜",
            source_kind=SourceKind.CONSULTATION,
            source_ref="demo:last-year:kiosk",
            owner_department="望江社区居民委员会",
            budget_yuan=15_000,
            starts_on=date(last, 3, 1),
            due_on=date(last, 6, 30),
        ),
        actor_id=staff,
    )
    for item, steps in (
        (lift, [(Step("征求意见", 40), 20), (Step("审批", 60), 20), (Step("施工", 120), 60)]),
        (kiosk, [(Step("选址", 20), 50), (Step("安装", 30), 50)]),
    ):
        for m in delivery.schedule_backward(session, item, steps, actor_id=staff):
            if item is kiosk or m.title == "征求意见":
                m.done_on = m.due_on
    delivery.post_update(
        session,
        lift,
        text="全体业主签字同意，进入审批。",
        progress=20,
        spend_yuan=0,
        evidence="",
        actor_id=owner,
        now=_at(date(last, 6, 1)),
    )
    delivery.post_update(
        session,
        lift,
        text="审批延误，年内未能开工。",
        progress=35,
        spend_yuan=80_000,
        evidence="",
        actor_id=owner,
        now=_at(date(last, 11, 20)),
    )
    delivery.post_update(
        session,
        kiosk,
        text="快递柜投入使用。",
        progress=100,
        spend_yuan=14_000,
        evidence="",
        actor_id=staff,
        now=_at(date(last, 6, 20)),
    )
    session.flush()
    plan = session.get(Plan, lift.plan_id)
    assert plan is not None
    attach_judgement(
        session,
        JudgementOf(
            item_id=kiosk.id,
            kind=JudgementKind.SATISFACTION,
            source_ref=f"demo:satisfaction:{last}",
            verdict="满意 86%，基本满意 11%，不满意 3%",
        ),
        now=_at(date(last, 12, 20)),
    )
    attach_judgement(
        session,
        JudgementOf(
            item_id=lift.id,
            kind=JudgementKind.EVALUATION,
            source_ref=f"demo:evaluation:{last}",
            verdict="第三方评估：审批环节耗时过长，62 分",
            needs_rectification=True,
        ),
        now=_at(date(last, 12, 22)),
    )
    yearend.roll_up_year(
        session,
        plan,
        drop_reasons={},
        today=date(today.year, 1, 3),
        now=_at(date(today.year, 1, 3)),
        actor_id=staff,
    )
