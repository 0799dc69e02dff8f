"""Due dates count working days on the Chinese calendar: across the 2025 National Day
holiday (1–8 October) and its make-up working Saturday (11 October)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from participation.requests.deadlines import is_overdue
from tests.support.requests import file, route_to_community

BEFORE_THE_HOLIDAY = datetime(2025, 9, 30, 2, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Beijing


def test_due_dates_skip_the_holiday_and_count_the_make_up_saturday(session: Session, world) -> None:  # type: ignore[no-untyped-def]
    route_to_community(session, world)
    request, _ = file(session, world, now=BEFORE_THE_HOLIDAY)
    assert request.accept_due == date(2025, 10, 9)  # the first working day after the holiday
    # environment: reply in 3, resolve in 7 working days; 11 October (Saturday) is worked.
    assert request.reply_due == date(2025, 10, 11)
    assert request.resolve_due == date(2025, 10, 16)
    assert not is_overdue(request, date(2025, 10, 9))
    assert is_overdue(request, date(2025, 10, 10))  # still not accepted the day after
