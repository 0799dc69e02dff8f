"""Guessing someone's ID number through /verify (issue 13, item 3), and the desk.

With a roll entry's name, birth date and region, only the sequence digits of
the ID number are unknown; the limits per account alone let fresh accounts
guess on. Misses now count against the targeted person (whether or not they
are on the roll, so the limit reveals nothing) and the address as well, the
wait grows with each miss, and the community's workers are told.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest
from httpx2 import Response
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.audit import AuditEntry
from participation.notices import Notice
from participation.rolls import RollEntry
from participation.rules.identity import id_hash
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.people import id_number, person
from tests.support.world import World
from web.settings import DEV_ID_KEY


@pytest.fixture(autouse=True)
def frozen_clock(app: Starlette) -> None:
    """The app's clock stands still: the waits never depend on the machine's speed."""
    app.state.fixed_now = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def roll(world: World, engine: Engine) -> None:
    """person(1) lives in 一社区 (M1), person(9) in 二社区 (M2)."""
    with Session(engine) as s, s.begin():
        for n, area in ((1, world["community"]), (9, world["other"])):
            name, number, born = person(n)
            s.add(
                RollEntry(
                    community_id=area.id,
                    name=name,
                    id_hash=id_hash(DEV_ID_KEY.encode(), number),
                    birth_date=born,
                    household_code=f"H{n}",
                )
            )


#: The ``newcomers`` fixture: a new signed-up client, from the given address or a fresh one.
Newcomer = Callable[..., FormClient]


@pytest.fixture
def newcomers(app: Starlette) -> Iterator[Newcomer]:
    """Fresh accounts, each from its own address (as a guesser with many would)."""
    made: list[FormClient] = []

    def make(address: str | None = None) -> FormClient:
        n = len(made)
        c = FormClient(app, base_url="http://testserver", client=(address or f"198.51.100.{n}", 1))
        c.__enter__()
        made.append(c)
        signup = c.submit(
            "/signup",
            {
                "login": f"guess{n}",
                "password": PASSWORD,
                "display_name": f"新人{n}",
                "agree": "yes",
            },
            page="/signup",
        )
        assert signup.status_code == 303
        return c

    yield make
    for c in made:
        c.__exit__(None, None, None)


def guess(c: FormClient, name: str, number: str, born: date) -> Response:
    return c.submit(
        "/verify",
        {"name": name, "id_number": number, "birth_date": born.isoformat()},
        page="/verify",
    )


def wrong_numbers(n: int, born: date) -> Iterator[str]:
    """Valid ID numbers that differ from person(n)'s only in the sequence digits."""
    for sequence in range(1, 50):
        yield id_number(n + 1000 * sequence, born)


def test_guessing_across_fresh_accounts_and_addresses_is_stopped(
    roll: None, newcomers: Newcomer, engine: Engine
) -> None:
    name, number, born = person(1)
    numbers = wrong_numbers(1, born)
    for misses in (2, 1):  # two accounts, each below its own limit, each at its own address
        c = newcomers()
        for _ in range(misses):
            assert guess(c, name, next(numbers), born).status_code == 422
    late = newcomers()
    refused = guess(late, name, number, born)  # even the right number: the entry waits
    assert refused.status_code == 429
    assert re.search(r"\d+ ?分钟后", refused.text)
    with Session(engine) as s:
        assert s.scalar(select(RollEntry.account_id).where(RollEntry.name == name)) is None


def test_the_limit_does_not_tell_whether_the_person_is_on_the_roll(
    roll: None, newcomers: Newcomer
) -> None:
    answers = []
    for name, born in ((person(1)[0], person(1)[2]), ("不在名册", date(1970, 3, 3))):
        c = newcomers()
        numbers = wrong_numbers(1, born)
        statuses = [guess(c, name, next(numbers), born).status_code for _ in range(4)]
        text = guess(newcomers(), name, next(numbers), born).text
        answers.append((statuses, re.sub(r"\d+ ?分钟", "N 分钟", _error(text))))
    assert answers[0] == answers[1]
    assert answers[0][0] == [422, 422, 422, 429]


def _error(page: str) -> str:
    found = re.search(r'<div class="error-summary"[^>]*><p>(.*?)</p>', page, re.S)
    return found.group(1) if found else ""


def test_one_address_cannot_guess_at_many_people(roll: None, newcomers: Newcomer) -> None:
    born = date(1980, 1, 1)
    statuses = []
    for n in range(7):
        c = newcomers("203.0.113.50")
        for k in range(2):
            statuses.append(
                guess(c, f"某人{n}{k}", id_number(7000 + n * 10 + k, born), born).status_code
            )
    assert statuses[:10] == [422] * 10 and statuses[-1] == 429


def test_repeated_misses_alert_the_community_workers(
    client: FormClient, roll: None, newcomers: Newcomer, world: World, engine: Engine
) -> None:
    name, _number, born = person(1)
    numbers = wrong_numbers(1, born)
    for _ in range(3):
        guess(newcomers(), name, next(numbers), born)
    worker = world["people"]["community_worker"].id
    with Session(engine) as s:
        notices = s.scalars(select(Notice).where(Notice.account_id == worker)).all()
        assert len(notices) == 1 and notices[0].kind == "roll.verify_misses"
        assert s.scalar(select(AuditEntry).where(AuditEntry.action == "roll.verify_misses"))
        # The worker of the other community hears nothing.
        assert s.scalar(select(Notice).where(Notice.account_id != worker)) is None
    client.sign_in("communityworker", PASSWORD)
    inbox = client.get("/account/notices").text
    assert f"{name}（出生日期 {born.isoformat()}）的身份核验，已失败 3 次" in inbox
    # Misses against someone not on the roll alert nobody.
    for _ in range(3):
        guess(newcomers(), "不在名册", next(numbers), born)
    with Session(engine) as s:
        assert len(s.scalars(select(Notice)).all()) == 1


def desk(c: FormClient, login: str, n: int, number: str | None = None) -> Response:
    name, right, born = person(n)
    return c.submit(
        "/admin/verify",
        {
            "login": login,
            "name": name,
            "id_number": number or right,
            "birth_date": born.isoformat(),
        },
        page="/admin/verify",
    )


def test_desk_verification_outside_ones_community_keeps_the_form(
    client: FormClient, roll: None, engine: Engine
) -> None:
    client.sign_in("communityworker", PASSWORD)
    refused = desk(client, "volunteer", 9)  # person(9) lives in 二社区
    assert refused.status_code == 403
    assert "不在您负责的社区" in refused.text
    name, number, _born = person(9)
    assert f'value="{name}"' in refused.text and f'value="{number}"' in refused.text
    assert 'value="volunteer"' in refused.text
    with Session(engine) as s:
        assert s.scalar(select(RollEntry.account_id).where(RollEntry.name == name)) is None


def test_desk_misses_are_limited(client: FormClient, roll: None) -> None:
    client.sign_in("communityworker", PASSWORD)
    born = person(1)[2]
    numbers = wrong_numbers(1, born)
    statuses = [desk(client, "nobody", 1, next(numbers)).status_code for _ in range(11)]
    assert statuses[:10] == [422] * 10 and statuses[-1] == 429
    again = desk(client, "nobody", 1)
    assert again.status_code == 429 and f'value="{person(1)[0]}"' in again.text
