"""Demo notices: the demo `resident` finds one in the inbox, made the real way
(a post in the open 望江 consultation hidden by the community worker)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultations import deliberation
from consultations.models import Consultation
from participation.accounts import find_by_login
from participation.db import utcnow


def seed_notices(session: Session) -> None:
    resident, worker = find_by_login(session, "resident"), find_by_login(session, "worker")
    now = utcnow()
    open_now = session.scalars(
        select(Consultation)
        .where(Consultation.deliberation_opens_at <= now, Consultation.deliberation_closes_at > now)
        .order_by(Consultation.id)
    ).first()
    if resident is None or worker is None or open_now is None:
        return
    post = deliberation.write_post(
        session, open_now, resident, "comment", "欢迎加我微信团购音响设备，价格优惠。", now
    )
    deliberation.hide_post(session, post, worker.id, "与议题无关的广告", now)
