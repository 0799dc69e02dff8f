"""The roll's summary (``roll_counts``) beside the roll counted afresh, for tests."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.rolls import RollCount, RollEntry


def counted(engine: Engine) -> dict[int, tuple[int, int]]:
    """Each community's entries and verified entries, counted afresh."""
    with Session(engine) as s:
        rows = s.execute(
            select(RollEntry.community_id, func.count(), func.count(RollEntry.account_id)).group_by(
                RollEntry.community_id
            )
        ).all()
    return {community: (entries, verified) for community, entries, verified in rows}


def summary(engine: Engine) -> dict[int, tuple[int, int]]:
    """The summary's rows, those of communities left with nothing left out."""
    with Session(engine) as s:
        rows = s.execute(select(RollCount.community_id, RollCount.entries, RollCount.verified))
    return {c: (e, v) for c, e, v in rows if e or v}
