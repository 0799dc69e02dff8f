"""``gongzhi requests sweep``: close proposals the requester left unanswered.

The worker runs it hourly (web/ops/jobs.py); this runs it by hand. A proposed
closure unanswered for CONFIRM_DAYS closes as "not confirmed" (the request's
timeline says so).
"""

from __future__ import annotations

import argparse
from typing import Any

from participation.db import utcnow
from participation.requests.closing import close_unconfirmed
from web.kit.session_scope import session_scope
from web.settings import settings_or_exit


def cmd_sweep(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    with session_scope(settings) as session:
        closed = close_unconfirmed(session, utcnow())
    print(f"{closed} requests closed as not confirmed")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("requests", help="resident request jobs")
    rsub = p.add_subparsers(dest="requests_command", required=True)
    s = rsub.add_parser("sweep", help="close proposals unanswered for 7 days as not confirmed")
    s.set_defaults(func=cmd_sweep)
