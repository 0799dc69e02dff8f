"""Many verified voters and an open ballot, with signed session cookies for each.

Shared by the crash tests and bench/bench_cast.py: casting as thousands of
different people without signing each of them in through the forms.
"""

from __future__ import annotations

import json
import secrets
from base64 import b64encode
from datetime import UTC, date, datetime, timedelta

import itsdangerous
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from participation.accounts import Account
from participation.ballots.boxes import NewBox, NewItem, create_box
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from participation.db import make_engine
from participation.rolls import RollEntry, rebuild_counts
from tests.support.areas import one_community
from web.migrate import upgrade

SECRET = "test-secret-key-test-secret-key-0123456789"


def prepare_voters(url: str, voters: int) -> tuple[int, list[tuple[int, str, str]]]:
    """Migrate, create ``voters`` verified residents and an open box.

    Returns the box id and, per voter, (account id, session cookie, CSRF token)
    valid for a portal running with GONGZHI_SECRET_KEY=SECRET.
    """
    upgrade(url)
    engine = make_engine(url)
    now = datetime.now(UTC)
    with Session(engine) as s, s.begin():
        community = one_community(s)
        s.execute(
            insert(Account),
            [
                {"username": f"v{n}", "display_name": f"v{n}", "password_hash": None}
                for n in range(voters)
            ],
        )
        ids = list(s.scalars(select(Account.id).order_by(Account.id)))
        s.execute(
            insert(RollEntry),
            [
                {
                    "community_id": community.id,
                    "name": f"v{n}",
                    "id_hash": f"{n:064x}",
                    "birth_date": date(1980, 1, 1),
                    "household_code": f"H{n}",
                    "account_id": account_id,
                }
                for n, account_id in enumerate(ids)
            ],
        )
        # The roll went in past the ORM: its per-community counts are counted afresh.
        rebuild_counts(s)
        box = create_box(
            s,
            NewBox(
                title="bench",
                area=community,
                roll=Roll.RESIDENTS,
                opens_at=now - timedelta(hours=1),
                closes_at=now + timedelta(hours=2),
                form=BallotForm(FormKind.CHOOSE, 1, 2),
                rule={"rule": "approval", "places": 1},
                items=[NewItem("a"), NewItem("b"), NewItem("c")],
            ),
            None,
        )
        box_id = box.id
    engine.dispose()
    return box_id, signed_in(ids)


def signed_in(account_ids: list[int], secret: str = SECRET) -> list[tuple[int, str, str]]:
    """Per account, (account id, session cookie, CSRF token): signed in, as the
    portal's session middleware would have signed them with ``secret``."""
    signer = itsdangerous.TimestampSigner(secret)
    people = []
    for account_id in account_ids:
        token = secrets.token_urlsafe(16)
        session = {"uid": account_id, "epoch": 0, "sid": token, "csrf": token}
        cookie = signer.sign(b64encode(json.dumps(session).encode())).decode()
        people.append((account_id, cookie, token))
    return people


def stored_ballots(session: Session, box_id: int | None = None) -> int:
    """Ballots stored for a box (or all boxes), opened or still sealed."""
    from participation.ballots.models import CastBallot, SealedBallot

    total = 0
    for model in (CastBallot, SealedBallot):
        query = select(func.count()).select_from(model)
        if box_id is not None:
            query = query.where(model.box_id == box_id)
        total += int(session.scalar(query) or 0)
    return total


def open_sealed(session: Session) -> int:
    """Open every box's sealed ballots, as publication does (for tests that read
    contents before publishing); the caller commits. Returns how many opened."""
    from participation.ballots.mixing import open_batch
    from participation.ballots.models import SealedBallot

    boxes = sorted(set(session.scalars(select(SealedBallot.box_id))))
    return sum(open_batch(session, box_id, final=True) for box_id in boxes)
