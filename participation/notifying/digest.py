"""The daily digest: for people who chose it, one e-mail per day gathering that
day's notices (instead of one e-mail each). A periodic job (``notices-digest``)
queues the digest of each finished local day; the outbox key
``digest:<account>:<day>`` makes it once per person per day, however often the job
runs or races.

Like each notice's own copy, the digest names no content: it lists each notice's
kind and the page to read it on (the inbox shows the rest once signed in), so it
leaks nothing if the mailbox is shared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from participation.notices import Notice
from participation.notifying.fanout import address_of, insert_or_skip
from participation.notifying.kinds import label
from participation.notifying.models import NoticeSetting
from participation.notifying.preferences import quiet
from participation.outbox import OutboxMessage

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
CHUNK = 1000
#: A day is gathered once it is over; a worker that was down catches up this many days.
CATCH_UP_DAYS = 2

#: Gives the Chinese and the English text of an English msgid (the web layer's catalog).
Translate = Callable[[str], tuple[str, str]]


@dataclass(frozen=True)
class Digested:
    people: int
    notices: int


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), LOCAL_TZ)
    return start, start + timedelta(days=1)


def subject(day: date) -> str:
    return f"【共治】{day:%Y年%m月%d日}通知汇总 / Your notices of {day.isoformat()}"


def body(day: date, lines: list[tuple[str, str, str]], base_url: str) -> str:
    """The digest text: one entry per notice (Chinese label / English label, link)."""
    out = [
        f"您在 {day:%Y年%m月%d日} 共有 {len(lines)} 条新通知，请登录后在“我的通知”中查看：",
        f"You had {len(lines)} new notices on {day.isoformat()}; sign in to read them:",
        "",
    ]
    for zh, en, link in lines:
        out.append(f"- {zh} / {en}")
        if link:
            out.append(f"  {base_url}{link}")
    out += ["", f"{base_url}/account/notices", ""]
    return "\n".join(out)


def queue_day(
    session: Session, day: date, now: datetime, translate: Translate, base_url: str = ""
) -> Digested:
    """Queue the digest of local ``day`` for every person who gathers e-mail in one
    and had notices of kinds they want by e-mail; chunked inserts, idempotent."""
    start, end = _bounds(day)
    n = Notice
    address = address_of(n.account_id).label("address")
    # From the people who chose a digest to their notices of the day: the inbox's
    # index (account, created_at) finds them, whatever the number of notices of others.
    rows = session.execute(
        select(n.account_id, n.kind, n.link, address)
        .join_from(NoticeSetting, n, n.account_id == NoticeSetting.account_id)
        .where(
            NoticeSetting.digest.is_(True),
            n.created_at >= start,
            n.created_at < end,
            ~quiet(n.account_id, n.kind),
        )
        .order_by(n.account_id, n.created_at, n.id)
    ).all()
    labels: dict[str, tuple[str, str]] = {}
    messages: list[dict[str, Any]] = []
    people = total = 0
    table = cast(Table, OutboxMessage.__table__)

    def flush() -> None:
        if messages:
            session.connection().execute(
                insert_or_skip(session, table).on_conflict_do_nothing(index_elements=["key"]),
                messages,
            )
            messages.clear()

    for account_id, group in groupby(rows, key=lambda r: r.account_id):
        notices = list(group)
        if notices[0].address is None:
            continue
        lines = []
        for row in notices:
            if row.kind not in labels:
                labels[row.kind] = translate(label(row.kind))
            lines.append((*labels[row.kind], row.link))
        messages.append(
            {
                "key": f"digest:{account_id}:{day.isoformat()}",
                "to_address": notices[0].address,
                "subject": subject(day),
                "body": body(day, lines, base_url),
                "account_id": account_id,
                "created_at": now,
            }
        )
        people += 1
        total += len(notices)
        if len(messages) >= CHUNK:
            flush()
    flush()
    return Digested(people, total)


def queue_digests(
    session: Session, now: datetime, translate: Translate, base_url: str = ""
) -> Digested:
    """Queue the digests of the finished days not yet gathered (the last few)."""
    today = now.astimezone(LOCAL_TZ).date()
    people = total = 0
    for back in range(CATCH_UP_DAYS, 0, -1):
        done = queue_day(session, today - timedelta(days=back), now, translate, base_url)
        people, total = people + done.people, total + done.notices
    return Digested(people, total)
