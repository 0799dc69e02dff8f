"""Demo: one hotspot (street lights out in one grid, raised again and again this month)
that staff put on the governance plan; its requesters were told."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from participation.areas import Area
from participation.requests import intake, loop

LIGHTS = [
    "小区东门路灯不亮，晚上走路看不见",
    "东门那排路灯又坏了，老人晚上不敢出门",
    "路灯坏了快两周了，还没人修",
    "东门附近路灯一直不亮，请尽快维修",
]


def seed_hotspot(
    session: Session, grid: Area, requesters: list[int | None], filer_id: int, now: datetime
) -> None:
    for n, text in enumerate(LIGHTS):
        requester = requesters[n % len(requesters)] if requesters else None
        intake.file_request(
            session,
            intake.NewRequest(category="roads", description=text, area_id=grid.id, public=True),
            now - timedelta(days=3 + 5 * n),
            filer_id=requester or filer_id,
            requester_id=requester,
        )
    loop.hotspot_to_plan(
        session,
        grid.id,
        "roads",
        now - timedelta(days=1),
        actor_id=None,
        title=f"{grid.name}：修复东门路灯",
        description="网格内一个月里四次反映东门路灯不亮，列入治理计划统一维修。",
    )
