"""``gongzhi volunteers tick``: the periodic volunteer job (run it every minute
from cron or a systemd timer): expire offers and queue reminders. The mail it
queues is sent by the portal's one sender, ``gongzhi send-mail``."""

from __future__ import annotations

import argparse
from typing import Any

from participation.db import utcnow
from volunteers import notices, signups
from web.kit.session_scope import session_scope
from web.settings import settings_or_exit


def cmd_tick(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    now = utcnow()
    with session_scope(settings) as session:
        offers = signups.process_offers(session, now)
        reminders = notices.queue_reminders(session, now)
    print(f"offers expired on {offers} shifts, {reminders} reminders queued")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("volunteers", help="volunteer jobs")
    vsub = p.add_subparsers(dest="volunteers_command", required=True)
    t = vsub.add_parser("tick", help="expire offers and queue reminders (send-mail sends them)")
    t.set_defaults(func=cmd_tick)
