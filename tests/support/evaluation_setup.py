"""A verified organization with an open evaluation and verified residents, for tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from consultations.evaluations.builder import NewEvaluation, create_evaluation, open_evaluation
from consultations.evaluations.questionnaire import NewQuestion, add_question, set_indicators
from consultations.evaluations.sampling_plan import PlanInput, set_plan
from participation import accounts
from participation.accounts import Account
from participation.areas import create_area
from participation.organizations.registry import decide_organization, register_organization
from participation.rolls import RollEntry, rebuild_counts
from participation.rules.areas import AreaKind
from participation.rules.permissions import Role
from tests.support.departments import add_departments

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
INDICATORS = (
    "A | 服务可及性 | 0.6\nA1 | 办理时长 | 0.5 | A\nA2 | 窗口态度 | 0.5 | A\nB | 满意度 | 0.4"
)


@dataclass
class EvaluationWorld:
    evaluation_id: int
    org_id: int
    org_admin: int
    staff: int
    residents: list[int]  # account ids; even ones in 东社区, odd ones in 西社区
    resident: int  # 13900000000, who can sign in (evaluation-pass), in 东社区
    area_id: int


def build(
    engine: Engine, residents: int = 4, *, caps: str = "", access: str = "residents"
) -> EvaluationWorld:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        city = create_area(s, code="C", name="市", kind=AreaKind.CITY, parent=None)
        district = create_area(s, code="D", name="区", kind=AreaKind.DISTRICT, parent=city)
        street = create_area(s, code="S", name="街道", kind=AreaKind.STREET, parent=district)
        east = create_area(s, code="E", name="东社区", kind=AreaKind.COMMUNITY, parent=street)
        west = create_area(s, code="W", name="西社区", kind=AreaKind.COMMUNITY, parent=street)
        add_departments(s)
        org_admin = accounts.sign_up(
            s, login="orgadmin", password="evaluation-pass", display_name="评估员"
        )
        staff = accounts.sign_up(
            s, login="deptstaff", password="evaluation-pass", display_name="部门"
        )
        accounts.grant_role(s, staff, Role.STAFF, district)
        resident = accounts.sign_up(
            s, login="13900000000", password="evaluation-pass", display_name="居民甲"
        )
        s.execute(
            insert(Account),
            [
                {"username": f"r{n}", "display_name": f"r{n}", "password_hash": None}
                for n in range(residents)
            ],
        )
        ids = list(
            s.scalars(select(Account.id).where(Account.username.like("r%")).order_by(Account.id))
        )
        s.execute(
            insert(RollEntry),
            [
                {
                    "community_id": (east if n % 2 == 0 else west).id,
                    "name": f"r{n}",
                    "id_hash": f"{n:064x}",
                    "birth_date": date(1980, 1, 1),
                    "household_code": f"H{n}",
                    "account_id": account_id,
                }
                for n, account_id in enumerate(ids)
            ],
        )
        # The roll went in past the ORM: its per-community counts are counted afresh.
        rebuild_counts(s)
        s.add(
            RollEntry(
                community_id=east.id,
                name="居民甲",
                id_hash="f" * 64,
                birth_date=date(1975, 5, 5),
                household_code="HX",
                account_id=resident.id,
            )
        )
        org = register_organization(
            s,
            name="海澄公共服务评估中心",
            credit_code="52440400MJ0000001X",
            area_id=street.id,
            description="",
            account_id=org_admin.id,
        )
        decide_organization(s, org, verified=True, staff_id=staff.id, now=NOW)
        evaluation = create_evaluation(
            s,
            org,
            NewEvaluation(
                "政务服务评估",
                "service",
                "街道便民服务中心",
                "街道办事处",
                street.id,
                "本机构与被评估部门无利益关系。",
            ),
            org_admin.id,
        )
        set_indicators(s, evaluation, INDICATORS, org_admin.id)
        for text, indicator in (
            ("办理是否及时？", "A1"),
            ("工作人员态度？", "A2"),
            ("总体满意吗？", "B"),
        ):
            add_question(s, evaluation, NewQuestion(text, "scale5", indicator), org_admin.id)
        add_question(
            s, evaluation, NewQuestion("还有什么建议？", "text", "", required=False), org_admin.id
        )
        set_plan(
            s,
            evaluation,
            PlanInput(access, "0.95", "10", "50", ("community",), "post-stratification", caps),
            org_admin.id,
            NOW.date(),
        )
        open_evaluation(s, evaluation, org_admin.id, NOW)
        return EvaluationWorld(
            evaluation.id, org.id, org_admin.id, staff.id, ids, resident.id, street.id
        )
