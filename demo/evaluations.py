"""Demo data for third-party evaluations: two verified organizations (and one waiting
for verification), a published city-wide evaluation of a service policy with about
1,000 responses, quotas, raking weights, a department response and rectification
items (one overdue), a community evaluation collecting responses, and a panel review
of completed community projects with its live tally."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy.orm import Session

from consultations.evaluations.builder import (
    NewEvaluation,
    close_evaluation,
    create_evaluation,
    open_evaluation,
)
from consultations.evaluations.panels import (
    add_panel_member,
    add_project,
    create_panel,
    draw,
    open_scoring,
    projects_of,
    recuse,
    score_project,
)
from consultations.evaluations.questionnaire import NewQuestion, add_question, set_indicators
from consultations.evaluations.rectification import (
    NewRectification,
    post_response,
    update_rectification,
)
from consultations.evaluations.reports import publish_report
from consultations.evaluations.responding import submit_response, token_respondent
from consultations.evaluations.sampling_plan import (
    PlanInput,
    issue_invitations,
    quota_cells,
    set_plan,
)
from participation import accounts
from participation.areas import Area
from participation.db import utcnow
from participation.organizations.models import Organization
from participation.organizations.registry import (
    add_member,
    decide_organization,
    register_organization,
)

ELDER_CARE_INDICATORS = """\
A | 政策知晓 | 0.2
B | 申请便利 | 0.3
B1 | 办理流程 | 0.5 | B
B2 | 办理时长 | 0.5 | B
C | 服务质量 | 0.3
D | 总体满意 | 0.2"""

ELDER_CARE_QUESTIONS = [
    (
        "您是否了解居家养老服务补贴政策的内容？",
        "single",
        "A",
        "非常了解 = 100\n大致了解 = 70\n听说过 = 30\n不了解 = 0",
    ),
    ("申请补贴所需材料是否清楚、简便？", "scale5", "B1", ""),
    ("申请可以在社区就近办理吗？", "scale5", "B1", ""),
    ("从申请到补贴到账大约用了多少天？", "number", "B2", ""),
    ("上门服务人员的专业水平如何？", "scale5", "C", ""),
    ("上门服务是否准时？", "scale5", "C", ""),
    ("服务内容是否符合您家的实际需要？", "scale5", "C", ""),
    ("总体而言，您对这项政策满意吗？", "scale5", "D", ""),
    ("您最希望改进的是？（可多选）", "multi", "", "申请材料\n办理时长\n服务时间\n服务人员\n其他"),
    ("其他意见和建议", "text", "", ""),
]

# How willing people of each age band were to answer (share of their cell's cap).
PROPENSITY = {"18-29": 0.55, "30-44": 0.8, "45-59": 0.95, "60+": 1.0}
MOOD = {
    "望江社区": 4.0,
    "春晖社区": 3.6,
    "竹园社区": 3.3,
    "新桥社区": 3.8,
    "松风社区": 3.1,
    "岭南社区": 3.5,
    "白石村": 2.9,
    "溪口村": 3.2,
}


def seed_evaluations(session: Session, by_name: dict[str, Area]) -> None:
    rng = random.Random(7)
    now = utcnow()
    orguser = accounts.find_by_login(session, "orguser")
    staff = accounts.find_by_login(session, "staff")
    admin = accounts.find_by_login(session, "admin")
    assert orguser is not None and staff is not None and admin is not None
    center = register_organization(
        session,
        name="海澄市公共服务评估中心",
        credit_code="52440400MJ4401001X",
        area_id=by_name["海澄市"].id,
        description="民办非企业单位，专注公共服务满意度测评与政策评估。",
        account_id=orguser.id,
    )
    decide_organization(
        session, center, verified=True, staff_id=admin.id, now=now - timedelta(days=200)
    )
    helper = accounts.sign_up(
        session, login="orgfriend", password="gongzhi-demo", display_name="评估员·郑"
    )
    add_member(session, center, login="orgfriend", role="evaluator", actor_id=orguser.id)
    council = register_organization(
        session,
        name="临江社区发展促进会",
        credit_code="52440101MJ4401002Y",
        area_id=by_name["临江街道"].id,
        description="由社区居民发起的社会组织，开展社区服务评议。",
        account_id=orguser.id,
    )
    decide_organization(
        session, council, verified=True, staff_id=admin.id, now=now - timedelta(days=120)
    )
    register_organization(
        session,
        name="翠竹社会工作服务社",
        credit_code="52440101MJ4401003A",
        area_id=by_name["翠竹街道"].id,
        description="等待审核的社会工作机构。",
        account_id=helper.id,
    )
    _published(session, rng, center, by_name, orguser.id, staff.id)
    _collecting(session, council, by_name, orguser.id)
    _panel(session, rng, council, by_name, orguser.id)


PANEL_PROJECTS = [
    ("望江社区长者饭堂", "望江社区居委会", 84),
    ("春晖社区儿童游乐场改造", "春晖社区居委会", 78),
    ("望江社区背街小巷路灯改造", "临江街道城建办", 88),
    ("春晖社区口袋公园", "春晖社区居委会", 73),
]


def _panel(
    session: Session, rng: random.Random, org: Organization, by_name: dict[str, Area], actor: int
) -> None:
    """A panel review of completed community projects, scoring still open: the last
    public member (13800000006) has not scored yet, and one expert recused."""
    panel = create_panel(
        session,
        org,
        title="临江街道2026年社区微实事项目验收评审",
        area_id=by_name["临江街道"].id,
        expert_weight="0.6",
        description="已完工的社区微实事项目现场汇报，专家组与大众组分别评分，结果作为项目验收和下一年度资金安排的依据。",
        actor_id=actor,
    )
    for title, owner, _quality in PANEL_PROJECTS:
        add_project(session, panel, title, owner, actor)
    members = []
    for n, name in enumerate(("专家·刘", "专家·梁", "专家·何")):
        accounts.sign_up(
            session, login=f"expert{n + 1}", password="gongzhi-demo", display_name=name
        )
        members.append(add_panel_member(session, panel, f"expert{n + 1}", "expert", actor))
    for n in range(7):
        members.append(add_panel_member(session, panel, f"1380000{n:04d}", "public", actor))
    draw(session, panel, actor, utcnow() - timedelta(hours=2))
    open_scoring(session, panel, actor)
    projects = projects_of(session, panel.id)
    quality = {title: q for title, _owner, q in PANEL_PROJECTS}
    recuse(session, panel, members[1], projects[0].id, "本人参与了该项目的设计咨询")
    for member in members[:-1]:
        for project in projects:
            if member is members[1] and project.id == projects[0].id:
                continue
            spread = 6 if member.track == "expert" else 9
            mark = round(rng.gauss(quality[project.title], spread))
            score_project(session, panel, member, project.id, min(100, max(0, mark)))


def _answers(rng: random.Random, community: str, age: str) -> tuple[dict[str, str], int]:
    mood = MOOD.get(community, 3.4) + (0.3 if age == "60+" else 0.0)
    answers: dict[str, str] = {}

    def scale() -> str:
        return str(min(5, max(1, round(rng.gauss(mood, 0.9)))))

    answers["q1"] = rng.choices(["o1", "o2", "o3", "o4"], weights=[2, 4, 3, 1])[0]
    for key in ("q2", "q3", "q5", "q6", "q7", "q8"):
        answers[key] = scale()
    answers["q4"] = str(max(3, round(rng.gauss(40 - 4 * mood, 8))))
    answers["q9"] = ",".join(sorted(rng.sample(["o1", "o2", "o3", "o4", "o5"], rng.randint(1, 2))))
    answers["q10"] = rng.choice(
        ["", "", "", "希望简化材料。", "服务时间能否安排在周末？", "补贴到账太慢。"]
    )
    seconds = int(rng.lognormvariate(5.4, 0.35))
    if rng.random() < 0.03:  # a few who rush through
        seconds = rng.randint(15, 45)
    if rng.random() < 0.02:  # and a few who tick one column
        for key in ("q2", "q3", "q5", "q6", "q7", "q8"):
            answers[key] = "5"
    return answers, seconds


def _published(
    session: Session,
    rng: random.Random,
    org: Organization,
    by_name: dict[str, Area],
    actor: int,
    staff: int,
) -> None:
    opened = utcnow() - timedelta(days=150)
    evaluation = create_evaluation(
        session,
        org,
        NewEvaluation(
            title="海澄市居家养老服务补贴政策第三方评估",
            subject_kind="policy",
            subject="居家养老服务补贴政策（2025年版）",
            department="海澄市民政局",
            area_id=by_name["海澄市"].id,
            conflict_declaration="本中心受市民政局委托开展评估，评估经费由市财政列支；本中心及评估人员与政策执行机构无其他利益关系。",
        ),
        actor,
    )
    set_indicators(session, evaluation, ELDER_CARE_INDICATORS, actor)
    for text, kind, indicator, options in ELDER_CARE_QUESTIONS:
        low, high = ("60", "7") if kind == "number" else ("", "")
        add_question(
            session,
            evaluation,
            NewQuestion(
                text, kind, indicator, options, low, high, required=kind not in ("text", "multi")
            ),
            actor,
        )
    set_plan(
        session,
        evaluation,
        PlanInput("tokens", "0.95", "2", "80", ("community", "age"), "raking"),
        actor,
        opened.date(),
    )
    open_evaluation(session, evaluation, actor, opened)
    for cell in quota_cells(session, evaluation.id):
        community, age = cell.cell.split(" / ")
        wanted = round(cell.cap * PROPENSITY.get(age, 0.8) * rng.uniform(0.85, 1.0))
        tokens = issue_invitations(
            session,
            evaluation,
            count=max(1, wanted),
            days=30,
            cell=cell.cell,
            actor_id=actor,
            now=opened,
        )
        for token in tokens[:wanted]:
            answers, seconds = _answers(rng, community, age)
            at = opened + timedelta(days=rng.uniform(0, 25))
            who = token_respondent(session, evaluation, token, at)
            submit_response(
                session,
                evaluation,
                who,
                answers,
                now=at,
                started_at=at - timedelta(seconds=seconds),
            )
    closed = opened + timedelta(days=30)
    close_evaluation(session, evaluation, actor, closed)
    publish_report(
        session,
        evaluation,
        "一、政策知晓度总体较好，但村一级明显偏低。\n二、补贴申请流程较为便利，但从申请到到账平均需一个月左右，办理时长是得分最低的指标。\n"
        "三、上门服务质量得到多数老年人认可，服务时间安排仍有改进空间。\n建议：压缩审核环节、在村（社区）设立代办点、增加周末服务时段。",
        actor,
        closed + timedelta(days=10),
    )
    responded = closed + timedelta(days=20)
    rectifications = post_response(
        session,
        evaluation,
        "市民政局认真研究了评估报告，接受评估结论。我们将从压缩审核时限、延伸代办服务、优化服务排班三方面推进整改，整改进展将在本页和年度治理计划中公开。",
        [
            NewRectification(
                "补贴审核时限由30天压缩至15天",
                "海澄市民政局养老服务科",
                (responded + timedelta(days=45)).date(),
            ),
            NewRectification(
                "在各村（社区）党群服务中心设立补贴申请代办点",
                "海澄市民政局",
                (responded + timedelta(days=200)).date(),
            ),
            NewRectification(
                "上门服务增设周末时段",
                "海澄市居家养老服务指导中心",
                (responded + timedelta(days=260)).date(),
            ),
        ],
        actor_id=staff,
        now=responded,
    )
    # The first demand is met on time: its plan item is done, with the evidence.
    update_rectification(
        session,
        evaluation,
        rectifications[0].id,
        evidence="补贴审核改为街道初审、区级复核并联办理，近两个月平均审核用时12天。",
        done=True,
        actor_id=staff,
        now=responded + timedelta(days=40),
    )


def _collecting(session: Session, org: Organization, by_name: dict[str, Area], actor: int) -> None:
    evaluation = create_evaluation(
        session,
        org,
        NewEvaluation(
            title="临江街道便民服务中心服务满意度测评",
            subject_kind="service",
            subject="临江街道便民服务中心",
            department="临江街道办事处",
            area_id=by_name["临江街道"].id,
            conflict_declaration="本会与临江街道办事处无资金往来和隶属关系，无利益冲突。",
        ),
        actor,
    )
    set_indicators(
        session, evaluation, "A | 办事效率 | 0.5\nB | 服务态度 | 0.3\nC | 环境设施 | 0.2", actor
    )
    for text, indicator in (
        ("您最近一次办事，等候时间是否可以接受？", "A"),
        ("事项是否一次就办成了？", "A"),
        ("工作人员是否耐心解答？", "B"),
        ("大厅环境和设施是否方便？", "C"),
    ):
        add_question(session, evaluation, NewQuestion(text, "scale5", indicator), actor)
    add_question(
        session,
        evaluation,
        NewQuestion("还有什么想对服务中心说的？", "text", "", required=False),
        actor,
    )
    set_plan(
        session,
        evaluation,
        PlanInput("residents", "0.95", "10", "50", ("community",), "post-stratification"),
        actor,
        utcnow().date(),
    )
    open_evaluation(session, evaluation, actor, utcnow() - timedelta(days=3))
