"""Demo data for volunteering: the 17 teams of Chengdu Chenghua's model (6 featured,
11 professional; seed 002), a few hundred volunteers with past service and hours,
shifts over the coming two weeks (some full, with waitlists), star levels and
certificates; then the settings: a district volunteer federation's star scheme,
one team's own sign-up rules and two activities that override them. Everything
is invented."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.accounts import Account, find_by_login
from participation.areas import Area
from participation.db import utcnow
from participation.errors import DomainError
from participation.rolls import RollEntry
from volunteers import certificates, ledger, profiles, signups, stars
from volunteers.activities import create_activity, create_shift
from volunteers.models import Activity, HoursEntry, Membership, MembershipEvent, SignUp, Team
from volunteers.teams import create_team

FEATURED = ["职工", "青年", "巾帼", "红十字", "助残", "科普"]
PROFESSIONAL = [
    "法律服务",
    "心理关爱",
    "医疗健康",
    "应急救援",
    "文明交通",
    "生态环保",
    "垃圾分类",
    "消防安全",
    "禁毒宣传",
    "文化文艺",
    "助老扶幼",
]
ACTIVITIES = {
    "职工": ("职工之家义务维修", "家电义务维修"),
    "青年": ("社区青年读书会", "阅读推广"),
    "巾帼": ("巾帼家庭教育讲堂", "家庭教育宣讲"),
    "红十字": ("应急救护培训", "急救知识普及"),
    "助残": ("残障人士出行陪伴", "助残陪伴"),
    "科普": ("社区科普大篷车", "科学普及"),
    "法律服务": ("法律咨询进社区", "法律咨询"),
    "心理关爱": ("心理健康咨询日", "心理疏导"),
    "医疗健康": ("义诊与健康监测", "健康义诊"),
    "应急救援": ("防汛应急演练", "应急演练保障"),
    "文明交通": ("文明交通劝导", "交通文明劝导"),
    "生态环保": ("沙河河道清洁", "河道环境整治"),
    "垃圾分类": ("垃圾分类督导", "垃圾分类宣传督导"),
    "消防安全": ("楼栋消防隐患排查", "消防安全宣传"),
    "禁毒宣传": ("禁毒知识进校园", "禁毒宣传"),
    "文化文艺": ("坝坝舞与文艺汇演", "文艺演出"),
    "助老扶幼": ("独居老人探访", "敬老助老"),
}
NEEDS = {
    "红十字": "first_aid",
    "医疗健康": "first_aid",
    "法律服务": "lawyer",
    "心理关爱": "counsellor",
}
PLACES = ["社区党群服务中心", "社区广场", "小区门口", "社区活动室", "街道文化站", "河道步道"]


def seed_volunteers(
    session: Session, by_name: dict[str, Area], entries: list[RollEntry], volunteers: int = 300
) -> None:
    rng = random.Random(2021)
    now = utcnow()
    communities = [a for a in by_name.values() if a.kind == "community"]
    streets = [a for a in by_name.values() if a.kind == "street"]
    teams: list[Team] = []
    for i, name in enumerate(FEATURED + PROFESSIONAL):
        kind = "featured" if name in FEATURED else "professional"
        area = (
            by_name["望江社区"]
            if name in ("青年", "红十字")
            else (
                communities[i % len(communities)]
                if kind == "featured"
                else streets[i % len(streets)]
            )
        )
        mode = (
            "approval"
            if name in ("法律服务", "心理关爱", "医疗健康")
            else ("invitation" if name == "应急救援" else "open")
        )
        teams.append(
            create_team(
                session,
                area=area,
                name=f"{name}志愿服务队",
                kind=kind,
                join_mode=mode,
                description="成华模式"
                + ("特色" if kind == "featured" else "专业")
                + "志愿服务小分队。",
            )
        )
    # Volunteers: accounts without passwords (they cannot sign in), half on the roll.
    free_entries = [e for e in entries if e.account_id is None][: volunteers // 2]
    people: list[Account] = []
    for n in range(volunteers):
        entry = free_entries[n] if n < len(free_entries) else None
        account = Account(
            phone=f"139{n:08d}", display_name=entry.name if entry else f"志愿者{n:03d}"
        )
        session.add(account)
        people.append(account)
    session.flush()
    for account, entry in zip(people, free_entries, strict=False):
        entry.account_id, entry.verified_at = account.id, now
    for account in people:
        profiles.ensure_profile(session, account.id)
        if rng.random() < 0.15:
            profiles.add_qualification(session, account.id, "first_aid", account.id)
    leader = find_by_login(session, "leader")
    volunteer = find_by_login(session, "volunteer")
    members: dict[int, list[int]] = {}
    for team in teams:
        chosen = rng.sample(people, rng.randint(15, 40))
        ids = [a.id for a in chosen]
        if leader is not None and team.name in ("青年志愿服务队", "红十字志愿服务队"):
            ids = [leader.id, *ids]
        if volunteer is not None and team.name == "青年志愿服务队":
            ids.append(volunteer.id)
        members[team.id] = ids
        for k, account_id in enumerate(ids):
            role = "leader" if k == 0 else ("core" if k < 5 else "member")
            m = Membership(
                team_id=team.id,
                account_id=account_id,
                role=role,
                status="active",
                since=now - timedelta(days=rng.randint(30, 900)),
            )
            session.add(m)
            session.flush()
            session.add(
                MembershipEvent(
                    membership_id=m.id,
                    actor_id=None,
                    event="joined",
                    role=role,
                    status="active",
                    at=m.since,
                )
            )
    # Past service: shifts over the last 90 days, attended and credited.
    for team in teams:
        title, content = ACTIVITIES[team.name.removesuffix("志愿服务队")]
        activity = create_activity(session, team, title=title, service_content=content)
        team_area = session.get(Area, team.area_id)
        assert team_area is not None
        area = team_area
        for week in range(1, 13):
            start = _at(now - timedelta(days=7 * week + rng.randint(0, 3)), rng.choice([9, 14, 19]))
            shift = create_shift(
                session,
                activity,
                area=area,
                starts_at=start,
                ends_at=start + timedelta(hours=rng.choice([2, 3, 4])),
                capacity=12,
                place=rng.choice(PLACES),
            )
            for arrival, account_id in enumerate(
                rng.sample(members[team.id], min(10, len(members[team.id]))), 1
            ):
                came = rng.random() > 0.06
                late = timedelta(minutes=rng.choice([0, 0, 5, 10]))
                row = SignUp(
                    shift_id=shift.id,
                    account_id=account_id,
                    arrival=arrival,
                    status="confirmed" if came else "no_show",
                    created_at=start - timedelta(days=3),
                    checked_in_at=start + late if came else None,
                    checked_out_at=shift.ends_at if came else None,
                    credited=came,
                )
                session.add(row)
                shift.arrivals, shift.confirmed = arrival, shift.confirmed + (1 if came else 0)
                if came:
                    session.add(
                        HoursEntry(
                            account_id=account_id,
                            team_id=team.id,
                            area_id=area.id,
                            shift_id=shift.id,
                            served_on=start.date(),
                            minutes=shift.minutes - late.seconds // 60,
                            kind="system",
                            reason="attendance",
                            recorded_at=shift.ends_at,
                        )
                    )
    # Long-serving core volunteers: earlier years' records, approved back-fills.
    admin = find_by_login(session, "admin")
    for team in teams:
        for account_id in members[team.id][1:4]:
            hours = rng.choice([60, 120, 320, 650, 1100, 1600])
            session.add(
                HoursEntry(
                    account_id=account_id,
                    team_id=team.id,
                    area_id=team.area_id,
                    shift_id=None,
                    served_on=date(now.year - 1, 12, 31),
                    minutes=hours * 60,
                    kind="backfill",
                    reason="往年志愿服务记录导入",
                    recorded_at=now - timedelta(days=60),
                    approved_by=admin.id if admin else None,
                )
            )
    session.flush()
    # Coming two weeks: shifts, some of them full with waitlists.
    for team in teams:
        activity = create_activity(
            session,
            team,
            title=ACTIVITIES[team.name.removesuffix("志愿服务队")][0],
            service_content=ACTIVITIES[team.name.removesuffix("志愿服务队")][1],
        )
        team_area = session.get(Area, team.area_id)
        assert team_area is not None
        area = team_area
        for day in (2, 5, 9, 12):
            start = _at(now + timedelta(days=day), rng.choice([9, 14, 19]))
            capacity = rng.choice([5, 8, 10, 20])
            need = NEEDS.get(team.name.removesuffix("志愿服务队"), "") if day == 5 else ""
            shift = create_shift(
                session,
                activity,
                area=area,
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                capacity=capacity,
                place=rng.choice(PLACES),
                qualifications=need,
            )
            crowd = rng.sample(
                members[team.id] + [p.id for p in people[:60]], capacity + rng.randint(-3, 6)
            )
            for account_id in crowd:
                try:
                    signups.sign_up(session, shift.id, account_id, now)
                except DomainError:
                    continue  # overlaps, missing qualifications: as in real life
    # Certificates for the two longest-serving volunteers who are not on the roll:
    # they never verified, so their certificates carry no ID number.
    session.flush()
    off_roll = people[len(free_entries) :]
    ranked = sorted(off_roll, key=lambda p: -ledger.total_minutes(session, p.id))
    for account in ranked[:2]:
        if ledger.total_minutes(session, account.id) > 0:
            certificates.issue(
                session,
                account.id,
                id_number="",
                issuer="海澄市东湖区志愿服务联合会",
                actor_id=admin.id if admin else 0,
                id_key=b"",
                now=now,
            )
    _seed_settings(session, by_name)


def _seed_settings(session: Session, by_name: dict[str, Area]) -> None:
    """A district's star scheme, one team's own rules, two activities' overrides."""
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


def _at(day: datetime, hour_local: int) -> datetime:
    """Local (UTC+8) hour on that day, as UTC."""
    base = day.replace(hour=0, minute=0, second=0, microsecond=0)
    return base + timedelta(hours=hour_local - 8)
