"""``gongzhi plan-remind`` and ``gongzhi send-mail``: overdue reminders and the outbox.

Meant for cron: ``gongzhi plan-remind && gongzhi send-mail`` every morning.
"""

from __future__ import annotations

import argparse
import smtplib
import sys
from datetime import datetime
from typing import Any

from participation.db import utcnow
from participation.outbox import send_pending
from participation.plan.reminders import remind_overdue
from web.kit.i18n import LOCAL_TZ
from web.kit.session_scope import session_scope
from web.settings import settings_or_exit


def cmd_plan_remind(args: argparse.Namespace) -> int:

    settings = settings_or_exit()
    now = utcnow()
    with session_scope(settings) as session:
        result = remind_overdue(
            session, today=now.astimezone(LOCAL_TZ).date(), now=now, base_url=settings.base_url
        )
    print(f"{result.queued} reminders queued, {result.no_address} overdue without an address")
    return 0


def cmd_send_mail(args: argparse.Namespace) -> int:

    settings = settings_or_exit()
    if not settings.smtp_url:
        print("gongzhi send-mail: GONGZHI_SMTP_URL is not set", file=sys.stderr)
        return 2
    now: datetime = utcnow()
    try:
        with session_scope(settings) as session:
            report = send_pending(session, settings.smtp_url, settings.mail_from, now)
    except (OSError, smtplib.SMTPException, ValueError) as error:
        print(f"gongzhi send-mail: {error}", file=sys.stderr)
        return 1
    print(f"{report.sent} sent, {report.failed} failed")
    return 0 if report.failed == 0 else 1


def register(sub: Any) -> None:
    p = sub.add_parser("plan-remind", help="queue reminders for overdue plan milestones")
    p.set_defaults(func=cmd_plan_remind)
    p = sub.add_parser("send-mail", help="send queued mail from the outbox over SMTP")
    p.set_defaults(func=cmd_send_mail)
