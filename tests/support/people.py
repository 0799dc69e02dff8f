"""Invented people with valid ID numbers, for roll tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy.orm import Session

from participation import accounts
from participation.areas import Area
from participation.rolls import RollEntry
from participation.rules.identity import check_digit
from tests.support.world import World


def id_number(n: int, born: date) -> str:
    first17 = f"990{n % 1000:03d}{born:%Y%m%d}{(n // 1000) % 1000:03d}"
    return first17 + check_digit(first17)


def person(n: int) -> tuple[str, str, date]:
    born = date(1950, 1, 1) + timedelta(days=n % 20000)
    return f"居民{n}", id_number(n, born), born


def roll_csv(count: int, community: str = "M1", start: int = 0) -> str:
    lines = ["姓名,身份证号,出生日期,社区代码,户号,手机号"]
    for n in range(start, start + count):
        name, number, born = person(n)
        lines.append(
            f"{name},{number},{born.isoformat()},{community},H{n // 3},1380000{n % 10000:04d}"
        )
    return "\n".join(lines) + "\n"


def enrol(session: Session, world: World, roles: Iterable[str]) -> None:
    """Put the ``world`` fixture's accounts of ``roles`` on its community's roll,
    verified, one household each (not committed)."""
    people = world["people"]
    for n, role in enumerate(roles):
        session.add(
            RollEntry(
                community_id=world["community"].id,
                name=role,
                id_hash=f"{n:064d}",
                birth_date=date(1980, 1, 1),
                household_code=f"H{n}",
                account_id=people[role].id,
            )
        )


def verified_voters(
    session: Session, community: Area, count: int, *, per_household: int = 1
) -> list[int]:
    """``count`` new accounts ``voter0``… verified on ``community``'s roll,
    ``per_household`` to a household; returns their account ids (not committed)."""
    ids = []
    for n in range(count):
        account = accounts.sign_up(
            session, login=f"voter{n}", password="Gz-voter-secret-47", display_name=f"v{n}"
        )
        session.add(
            RollEntry(
                community_id=community.id,
                name=f"v{n}",
                id_hash=f"{n:064d}",
                birth_date=date(1980, 1, 1),
                household_code=f"H{n // per_household}",
                account_id=account.id,
            )
        )
        ids.append(account.id)
    return ids
