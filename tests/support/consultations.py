"""A community with verified residents and seated representatives, for consultation tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from consultations import deliberation, meetings, opinion_maps, topics
from consultations.models import Consultation, Topic
from consultations.rules.map_timing import Debounce
from participation import accounts
from participation.accounts import Account
from participation.areas import Area, create_area
from participation.departments import Department
from participation.rolls import RollEntry
from participation.rules.areas import AreaKind
from participation.rules.permissions import Role
from tests.support.departments import add_departments

NOW = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)


@dataclass
class Community:
    area: Area
    other: Area
    residents: list[Account]
    representatives: list[Account]
    worker: Account


def verified(s: Session, community: Area, login: str, name: str, n: int) -> Account:
    account = accounts.sign_up(s, login=login, password="correct horse", display_name=name)
    s.add(
        RollEntry(
            community_id=community.id,
            name=name,
            id_hash=f"{community.id:08d}{n:056x}",
            birth_date=date(1980, 1, 1),
            household_code=f"H{community.id}-{n}",
            account_id=account.id,
            verified_at=NOW - timedelta(days=30),
        )
    )
    return account


def community(s: Session, *, residents: int = 6, representatives: int = 3) -> Community:
    city = create_area(s, code="XC", name="市", kind=AreaKind.CITY, parent=None)
    district = create_area(s, code="XD", name="区", kind=AreaKind.DISTRICT, parent=city)
    street = create_area(s, code="XS", name="街道", kind=AreaKind.STREET, parent=district)
    area = create_area(s, code="XM", name="望江社区", kind=AreaKind.COMMUNITY, parent=street)
    other = create_area(s, code="XN", name="春晖社区", kind=AreaKind.COMMUNITY, parent=street)
    if s.scalar(select(Department.id).limit(1)) is None:  # unless the world made them
        add_departments(s)
    people = [verified(s, area, f"res{n}", f"居民{n}", n) for n in range(residents)]
    reps = [verified(s, area, f"rep{n}", f"代表{n}", 100 + n) for n in range(representatives)]
    for rep in reps:
        accounts.grant_role(s, rep, Role.REPRESENTATIVE, area)
    worker = accounts.sign_up(s, login="cworker", password="correct horse", display_name="社工")
    accounts.grant_role(s, worker, Role.COMMUNITY_WORKER, area)
    s.flush()
    return Community(area, other, people, reps, worker)


#: No waiting: the worker recomputes a map the moment a vote is not in it.
AT_ONCE = Debounce(timedelta(0), timedelta(0), timedelta(0))


def refresh_maps(engine: Engine, now: datetime = NOW) -> int:
    """Run the worker's opinion-map job once, without debounce; the maps computed."""
    return opinion_maps.refresh_maps(engine, now, AT_ONCE, worker="test").computed


def elevator_in_two_camps(
    s: Session, c: Community, now: datetime
) -> tuple[Topic, Consultation, list[int]]:
    """An accepted topic and a consultation open for deliberation in ``c``'s community,
    four statements by its first resident, and every other resident voting on them in
    two camps (they split on the first two statements and agree on the last two)."""
    topic = topics.propose_topic(
        s, area=c.area, title="加装电梯", body="", source="resident", proposer_id=c.residents[0].id
    )
    topic.status = "accepted"
    consultation = meetings.announce(
        s,
        topic,
        meetings.Announcement(
            title="加装电梯协商会",
            agenda="讨论方案",
            materials="",
            place="社区议事厅",
            online_link="",
            meets_at=now + timedelta(days=4),
            deliberation_opens_at=now - timedelta(days=1),
            deliberation_closes_at=now + timedelta(days=10),
        ),
        c.worker.id,
        now,
    )
    texts = ["一楼住户应获补偿", "费用按楼层分摊", "政府应补贴", "施工应避开夜间"]
    ids = [deliberation.add_statement(s, consultation, c.residents[0].id, t, now).id for t in texts]
    for n, resident in enumerate(c.residents[1:]):
        for i, sid in enumerate(ids):
            choice = "agree" if i >= 2 or i == n % 2 else "disagree"
            deliberation.vote_statement(s, consultation, sid, resident.id, choice, now)
    return topic, consultation, ids
