"""Demo supervision (督办): the overdue sweep run daily over the last three weeks (so
reminders, supervision notices and escalations to the street and the district are on
record), one extension granted by the district and one refused, and a supervision note
from the ``deputy`` account (on the district's deputy roll)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import accounts
from participation.errors import DomainError
from participation.requests import supervision
from participation.requests.models import ResidentRequest


def seed_supervision(session: Session, unit_staff: int, now: datetime) -> None:
    for days_ago in range(21, -1, -1):
        supervision.sweep(session, now - timedelta(days=days_ago))
    staff = accounts.find_by_login(session, "staff")
    deputy = accounts.find_by_login(session, "deputy")
    being_handled = session.scalars(
        select(ResidentRequest)
        .where(ResidentRequest.status == "accepted")
        .order_by(ResidentRequest.id.desc())
        .limit(2)
    ).all()
    answers = [(True, ""), (False, "已有足够时间，请按期办结")]
    for request, (grant, answer) in zip(being_handled, answers, strict=False):
        try:
            supervision.ask_extension(
                session, request, request.unit_id or 0, 3, "需协调供水公司排期维修", now, unit_staff
            )
            if staff is not None:
                supervision.decide_extension(session, request, grant, answer, now, staff.id)
        except DomainError:
            continue
    late = session.scalar(
        select(ResidentRequest)
        .where(ResidentRequest.supervised.is_(True), ResidentRequest.status != "closed")
        .order_by(ResidentRequest.id)
        .limit(1)
    )
    if late is not None and deputy is not None:
        supervision.add_deputy_note(
            session, late, "群众反映多次，请尽快办结并答复。", now, deputy.id
        )
