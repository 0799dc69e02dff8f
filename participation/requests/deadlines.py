"""Due dates of a request in working days on the Chinese calendar (weekends, public
holidays and make-up working days from ``rules.calendar``), counted from the local
day it was routed."""

from __future__ import annotations

from datetime import date, datetime

from participation.requests.models import ResidentRequest
from participation.requests.rules.calendar import add_working_days, local_day
from participation.requests.rules.catalog import limits_for
from participation.requests.rules.lateness import Due, Lateness, lateness

__all__ = ["dues", "is_overdue", "lateness_of", "local_day", "set_dues"]


def dues(category: str, urgency: str, now: datetime) -> dict[str, date]:
    """The clocks started now: to accept, to reply and to resolve, from today."""
    limits = limits_for(category, urgency)
    today = local_day(now)
    return {
        "accept_due": add_working_days(today, limits.accept),
        "reply_due": add_working_days(today, limits.reply),
        "resolve_due": add_working_days(today, limits.resolve),
    }


def set_dues(request: ResidentRequest, now: datetime) -> None:
    """Start the clocks: to accept, to reply and to resolve, from today."""
    for name, day in dues(request.category, request.urgency, now).items():
        setattr(request, name, day)


def lateness_of(request: ResidentRequest, today: date) -> Lateness:
    return lateness(request.status, request.accept_due, request.resolve_due, today)


def is_overdue(request: ResidentRequest, today: date) -> bool:
    """Open and past the due date that applies to its status."""
    return lateness_of(request, today).due is Due.OVERDUE
