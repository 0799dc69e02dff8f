# Placeholder until the requests-rules branch lands (its module replaces this one).
from datetime import date, timedelta


def is_working_day(d: date) -> bool:
    return d.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    d = start
    while days > 0:
        d += timedelta(days=1)
        if is_working_day(d):
            days -= 1
    return d


def working_days_between(a: date, b: date) -> int:
    n, d = 0, a
    while d < b:
        d += timedelta(days=1)
        if is_working_day(d):
            n += 1
    return n
