"""Demo mediation cases (矛盾纠纷调解) at 临江街道人民调解委员会: one still being
mediated (a session held, one planned), one settled by an agreement both parties
confirmed at the desk, one referred to the court's pre-litigation mediation."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.areas import Area
from participation.requests import intake, mediation
from participation.requests.deadlines import local_day
from participation.requests.models import HandlingUnit
from participation.requests.rules.mediation import Who

BODY = frozenset({Who.BODY})
CASES = [
    ("楼上邻居装修噪音扰民，晚上十点后仍在施工", "张先生", "13800010001", "刘女士", "13800010002"),
    ("邻里因卫生间漏水发生纠纷，楼下天花板发霉", "陈阿姨", "13800010003", "赵先生", "13800010004"),
    ("邻居占用公共车位并损坏我的车辆，要求赔偿", "王师傅", "13800010005", "孙先生", "13800010006"),
]


def seed_mediation(session: Session, grid: Area, now: datetime, mediator_id: int) -> None:
    body = session.scalar(select(HandlingUnit).where(HandlingUnit.kind == "mediation"))
    if body is None:
        return
    opened: list[tuple[mediation.MediationCase, datetime]] = []
    for days, (text, name, phone, other, other_phone) in zip((20, 12, 30), CASES, strict=True):
        at = now - timedelta(days=days)
        filed = intake.file_request(
            session,
            intake.NewRequest(
                category="dispute",
                description=text,
                area_id=grid.id,
                channel="walk_in",
                requester_name=name,
                requester_phone=phone,
            ),
            at,
            filer_id=mediator_id,
            requester_id=None,
        )
        new = mediation.NewCase(name, phone, other, other_phone, mediator_id=mediator_id)
        case = mediation.open_case(
            session, filed.request, body, new, at + timedelta(hours=2), mediator_id, BODY
        )
        opened.append((case, at))

    def held(case: mediation.MediationCase, at: datetime, notes: str) -> None:
        mediation.add_session(
            session,
            case,
            mediation.NewSession(local_day(at), True, "临江街道调解室", True, True, notes),
            at,
            mediator_id,
            BODY,
        )

    ongoing, ongoing_at = opened[0]
    held(ongoing, ongoing_at + timedelta(days=3), "双方各自陈述，对施工时间分歧较大")
    mediation.add_session(
        session,
        ongoing,
        mediation.NewSession(
            local_day(now) + timedelta(days=5), False, "临江街道调解室", False, False, ""
        ),
        now - timedelta(hours=3),
        mediator_id,
        BODY,
    )

    settled, settled_at = opened[1]
    held(settled, settled_at + timedelta(days=2), "现场查看漏水点，双方同意先维修后赔偿")
    agreed_at = settled_at + timedelta(days=4)
    mediation.record_agreement(
        session,
        settled,
        "赵先生于七日内修复卫生间防水层，并承担楼下天花板修复费用八百元；双方不再追究。",
        agreed_at,
        mediator_id,
        BODY,
    )
    mediation.confirm_at_desk(session, settled, "other", "signature", agreed_at, mediator_id, BODY)
    mediation.confirm_at_desk(
        session, settled, "requester", "fingerprint", agreed_at, mediator_id, BODY
    )

    referred, referred_at = opened[2]
    held(referred, referred_at + timedelta(days=5), "赔偿金额分歧大，对方不同意调解方案")
    mediation.refer(
        session,
        referred,
        "court",
        "涉及车辆损坏赔偿金额，双方分歧较大，引导至法院诉前调解",
        referred_at + timedelta(days=8),
        mediator_id,
        BODY,
    )
