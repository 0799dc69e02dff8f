"""A person with data in every kind of table that holds personal data, on the demo
database: for the export and closing tests (db and web)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, String, UniqueConstraint, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from participation import accounts
from participation.accounts import Account, Identity
from participation.areas import Area
from participation.ballots.boxes import NewBox, NewItem, create_box
from participation.ballots.casting import cast_ballot
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from participation.privacy.tables import Coverage, table
from participation.rolls import RollEntry

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
NAME, PHONE, EMAIL = "隐私测试甲", "13712345678", "jia.privacy@example.org"
PASSWORD = "Gz-privacy-secret-91"
#: Kinds of data the person is given (one cloned row each), beside account, roll
#: entry, identity, consents, audit entries and ballots.
CLONED = (
    "budget_proposals",
    "budget_proposal_comments",
    "budget_proposal_supports",
    "consultation_topics",
    "consultation_cosignatures",
    "consultation_posts",
    "opinion_statements",
    "opinion_votes",
    "representative_candidacies",
    "vol_profiles",
    "vol_memberships",
    "vol_signups",
    "vol_hours",
    "vol_certificates",
    "resident_requests",
    "notices",
)


@dataclass
class Person:
    account_id: int
    roll_entry_id: int
    boxes: tuple[int, int]
    receipt: str
    others: list[int]


def _clone(s: Session, name: str, column: str, account: Account) -> None:
    """Copy one row of another person into ``account``'s, with their name, phone and
    e-mail where the other's were, and fresh values in unique text columns."""
    t = table(name)
    row = s.execute(select(t).where(t.c[column].is_not(None)).limit(1)).mappings().first()
    assert row is not None, f"the demo has no {name}"
    other = s.get(Account, row[column])
    values: dict[str, Any] = dict(row)
    for col in t.primary_key.columns:
        if isinstance(col.type, Integer) and col.autoincrement in (True, "auto"):
            values.pop(col.name, None)
    values[column] = account.id
    unique = (
        {c.name for c in t.columns if c.unique}
        | {c.name for ix in t.indexes if ix.unique for c in ix.columns}
        | {c.name for k in t.constraints if isinstance(k, UniqueConstraint) for c in k.columns}
    )
    for key, value in list(values.items()):
        col = t.c[key]
        if key in unique and isinstance(col.type, String):
            values[key] = secrets.token_hex(8)[: col.type.length or 16]
        elif key in unique and isinstance(col.type, Integer) and not col.foreign_keys:
            values[key] = 900_000 + secrets.randbelow(90_000)
        elif isinstance(value, str) and other is not None and other.display_name in value:
            values[key] = value.replace(other.display_name, NAME)
    for text in ("body", "text", "description"):
        if text in values and isinstance(values[text], str):
            values[text] = f"我是{NAME}，电话{PHONE}，邮箱{EMAIL}。"
    if "email" in values:
        values["email"] = EMAIL
    if "to_address" in values:
        values["to_address"] = EMAIL
    if "requester_phone" in values:
        values["requester_phone"] = PHONE
    with s.begin_nested():
        s.execute(insert(t).values(**values))


def _voter(s: Session, community: Area, n: int) -> int:
    account = accounts.sign_up(s, login=f"pvoter{n}", password=PASSWORD, display_name=f"投票人{n}")
    s.add(
        RollEntry(
            community_id=community.id,
            name=f"投票人{n}",
            id_hash=f"{n + 900:064d}",
            birth_date=date(1970, 1, 1),
            household_code=f"PV{n}",
            account_id=account.id,
            verified_at=NOW,
        )
    )
    return account.id


def make_person(s: Session, coverage: Coverage) -> Person:
    """The person, two other voters, two secret ballots all three voted in (open
    until an hour after NOW), and a row of every kind in CLONED."""
    community = s.scalar(select(Area).where(Area.kind == "community").order_by(Area.id))
    assert community is not None
    account = accounts.sign_up(s, login=PHONE, password=PASSWORD, display_name=NAME)
    entry = RollEntry(
        community_id=community.id,
        name=NAME,
        id_hash="e" * 64,
        birth_date=date(1960, 5, 4),
        household_code="PRIV-1",
        phone=PHONE,
        account_id=account.id,
        verified_at=NOW,
    )
    s.add(entry)
    s.add(Identity(account_id=account.id, provider="testprov", subject="sub-jia", email=EMAIL))
    accounts.record_failure(s, PHONE, "198.51.100.7", None, NOW)
    accounts.record_failure(s, PHONE[:-1], "198.51.100.8", None, NOW)  # someone else's login
    s.flush()
    evaluation = s.scalar(select(table("evaluations").c.id).limit(1))
    s.execute(
        insert(table("eval_participations")).values(
            evaluation_id=evaluation, respondent_key=f"resident:{entry.id}"
        )
    )
    s.execute(
        insert(table("outbox")).values(
            to_address=EMAIL,
            subject="提醒",
            body=f"{NAME}，您好",
            created_at=NOW,
            attempts=0,
            last_error="",
            account_id=account.id,
        )
    )
    columns = {e.table: e.columns[0] for e in coverage.entries if e.export and e.columns}
    for name in CLONED:
        try:
            _clone(s, name, columns[name], account)
        except IntegrityError as error:
            raise AssertionError(f"could not give the person a row of {name}: {error}") from None
    others = [_voter(s, community, n) for n in range(2)]
    boxes = []
    for title in ("隐私测试投票一", "隐私测试投票二"):
        box = create_box(
            s,
            NewBox(
                title=title,
                area=community,
                roll=Roll.RESIDENTS,
                opens_at=NOW - timedelta(hours=1),
                closes_at=NOW + timedelta(hours=1),
                form=BallotForm(FormKind.CHOOSE, 1, 1),
                rule={"rule": "approval"},
                items=[NewItem("甲方案"), NewItem("乙方案")],
            ),
            None,
        )
        boxes.append(box.id)
    receipt = ""
    for box_id in boxes:
        box = s.get_one(type(box), box_id)
        receipt = cast_ballot(s, box, account.id, {"approved": ["1"]}, NOW).code
        for n, other in enumerate(others):
            cast_ballot(s, box, other, {"approved": [str(1 + n % 2)]}, NOW)
    s.flush()
    return Person(account.id, entry.id, (boxes[0], boxes[1]), receipt, others)
