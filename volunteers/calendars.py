"""iCalendar (RFC 5545) for shifts: one shift's .ics and a person's secret feed.

UIDs are stable (``shift-<id>@gongzhi``) so calendar apps update an event in
place when a shift moves, and drop it when the feed no longer lists it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from volunteers.models import Activity, Shift, SignUp, Team, VolunteerProfile

UID_DOMAIN = "gongzhi"


def shift_uid(shift_id: int) -> str:
    return f"shift-{shift_id}@{UID_DOMAIN}"


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Gongzhi//Volunteers//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    return cal


def _event(
    shift: Shift, activity: Activity, team: Team, place: str, url: str, stamp: datetime
) -> Event:
    event = Event()
    event.add("uid", shift_uid(shift.id))
    event.add("dtstamp", stamp)
    event.add("dtstart", shift.starts_at)
    event.add("dtend", shift.ends_at)
    event.add("summary", f"{activity.title}({team.name})")
    event.add("location", place)
    event.add("url", url)
    if shift.cancelled_at is not None:
        event.add("status", "CANCELLED")
    return event


def shift_ics(
    shift: Shift, activity: Activity, team: Team, place: str, url: str, stamp: datetime
) -> bytes:
    cal = _calendar(activity.title)
    cal.add_component(_event(shift, activity, team, place, url, stamp))
    return bytes(cal.to_ical())


def profile_by_token(session: Session, token: str) -> VolunteerProfile | None:
    return session.scalar(select(VolunteerProfile).where(VolunteerProfile.calendar_token == token))


def feed_ics(
    session: Session, account_id: int, base_url: str, place_names: dict[int, str], stamp: datetime
) -> bytes:
    rows: Sequence[tuple[Shift, Activity, Team]] = [
        (s, a, t)
        for s, a, t in session.execute(
            select(Shift, Activity, Team)
            .join(SignUp, SignUp.shift_id == Shift.id)
            .join(Activity, Activity.id == Shift.activity_id)
            .join(Team, Team.id == Activity.team_id)
            .where(SignUp.account_id == account_id, SignUp.status.in_(("confirmed", "offered")))
            .order_by(Shift.starts_at)
        ).all()
    ]
    cal = _calendar("志愿服务")
    for shift, activity, team in rows:
        place = " · ".join(x for x in (place_names.get(shift.area_id, ""), shift.place) if x)
        cal.add_component(
            _event(shift, activity, team, place, f"{base_url}/volunteers/shifts/{shift.id}", stamp)
        )
    return bytes(cal.to_ical())
