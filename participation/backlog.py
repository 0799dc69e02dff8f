"""What is waiting to be done, for monitoring: the outbox backlog."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from participation.outbox import MAX_ATTEMPTS, OutboxMessage


@dataclass(frozen=True)
class OutboxBacklog:
    pending: int  # unsent, still to be tried
    given_up: int  # unsent after MAX_ATTEMPTS tries: needs a person


def outbox_backlog(session: Session) -> OutboxBacklog:
    given_up = case((OutboxMessage.attempts >= MAX_ATTEMPTS, 1), else_=0)
    total, stuck = session.execute(
        select(func.count(), func.coalesce(func.sum(given_up), 0)).where(
            OutboxMessage.sent_at.is_(None)
        )
    ).one()
    return OutboxBacklog(pending=int(total) - int(stuck), given_up=int(stuck))
