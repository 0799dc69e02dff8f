"""Demo data for volunteer settings: a district volunteer federation's star
scheme, one team's own sign-up rules and two activities that override them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.accounts import find_by_login
from participation.areas import Area
from participation.db import utcnow
from volunteers import stars
from volunteers.models import Activity, Team


def seed_volunteer_settings(session: Session, by_name: dict[str, Area]) -> None:
    admin = find_by_login(session, "admin")
    actor = admin.id if admin else 0
    district = next((a for a in by_name.values() if a.kind == "district"), None)
    if district is not None:
        stars.set_scheme(session, district, "80 200 500 900 1500", "7", actor, utcnow())
    # The emergency team plans further ahead and lets people cancel only a day before.
    rescue = session.scalar(select(Team).where(Team.name == "应急救援志愿服务队"))
    if rescue is not None:
        rescue.opens_hours_before, rescue.cancel_closes_hours_before = 30 * 24, 24
    overrides = {
        # A youth reading club for teenagers: consent needed under 16.
        "青年志愿服务队": {"consent_age": 16, "offer_minutes": 60},
        # First-aid training: people who missed two sessions may still come.
        "红十字志愿服务队": {"no_show_lock": 3, "coverage_percent": 80},
    }
    for team_name, rules in overrides.items():
        activity = session.scalar(
            select(Activity)
            .join(Team, Team.id == Activity.team_id)
            .where(Team.name == team_name)
            .order_by(Activity.id.desc())
            .limit(1)
        )
        if activity is not None:
            for name, value in rules.items():
                setattr(activity, name, value)
