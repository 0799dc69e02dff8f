"""Password reset (issue 18): a code by SMS through a real local provider, a link by
e-mail through the outbox; one answer whether an account exists or not; codes
single-use, expiring, stored as keyed hashes, a bounded number of tries; limits per
number and per address; every session of the account signed out afterwards."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from httpx2 import Response
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation import accounts
from participation.accounts import Identity
from participation.audit import AuditEntry
from participation.outbox import OutboxMessage
from participation.recovery import MAX_ATTEMPTS, TRY_PER_IP, ResetCode
from participation.rolls import RollEntry
from tests.support.client import FormClient
from tests.support.sms_server import KEY, SmsServer, sms_server
from tests.support.world import MakeClient, World
from web.settings import Settings

START = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
PHONE = "13912345678"
OLD = "Gz-old-secret-58"
NEW = "Gz-new-secret-93"
SENT = "如果有已核验的账号使用此手机号"


@pytest.fixture
def sms() -> Iterator[SmsServer]:
    with sms_server() as server:
        yield server


@pytest.fixture
def settings(db_url: str, sms: SmsServer) -> Settings:
    return Settings(
        environment="test",
        database_url=db_url,
        base_url="http://testserver",
        cheap_hashing=True,
        sms_url=sms.url,
        sms_key=KEY,
    )


@pytest.fixture(autouse=True)
def frozen_clock(app: Starlette) -> None:
    app.state.fixed_now = START


def add_resident(
    engine: Engine, world: World, phone: str = PHONE, *, verified: bool = True, n: int = 1
) -> int:
    with Session(engine) as s, s.begin():
        account = accounts.sign_up(s, login=phone, password=OLD, display_name="自己起的名")
        if verified:
            s.add(
                RollEntry(
                    community_id=world["community"].id,
                    name=f"王{n}",
                    id_hash=f"{n:064d}",
                    birth_date=date(1950, 1, 1),
                    household_code=f"H{n}",
                    account_id=account.id,
                )
            )
        return account.id


def ask_code(c: FormClient, phone: str = PHONE) -> Response:
    return c.submit("/account/reset/sms", {"phone": phone}, page="/account/reset")


def enter(c: FormClient, code: str, phone: str = PHONE, password: str = NEW) -> Response:
    data = {"login": phone, "code": code, "password": password, "confirm": password}
    return c.submit("/account/reset/code", data, page="/account/reset/code")


def test_sms_code_sets_the_password_and_signs_out_every_session(
    client: FormClient, make_client: MakeClient, world: World, engine: Engine, sms: SmsServer
) -> None:
    account_id = add_resident(engine, world)
    phone_browser, laptop = make_client(), make_client()
    phone_browser.sign_in(PHONE, OLD)
    laptop.sign_in(PHONE, OLD)
    asked = ask_code(client)
    assert asked.status_code == 303 and asked.headers["location"] == "/account/reset/code"
    assert len(sms.messages) == 1 and sms.messages[0]["to"] == PHONE
    code = sms.last_code(PHONE)
    page = client.get("/account/reset/code").text
    assert SENT in page and f'value="{PHONE}"' in page  # the number is filled in
    done = enter(client, code)
    assert done.status_code == 303 and done.headers["location"] == "/login"
    for browser in (phone_browser, laptop):
        assert browser.get("/account", follow_redirects=False).status_code == 303
    assert client.submit("/login", {"login": PHONE, "password": OLD}).status_code == 422
    client.sign_in(PHONE, NEW)
    with Session(engine) as s:
        stored = s.scalars(select(ResetCode)).one()
        assert stored.used_at is not None and code not in stored.code_hash
        assert len(stored.code_hash) == 64  # a keyed hash, never the code
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "account.password_reset"))
        assert [(r.actor_id, r.target) for r in rows] == [(account_id, f"account:{account_id}")]


def test_a_code_works_once(
    client: FormClient, world: World, engine: Engine, sms: SmsServer
) -> None:
    add_resident(engine, world)
    ask_code(client)
    code = sms.last_code(PHONE)
    assert enter(client, code).status_code == 303
    again = enter(client, code, password="Gz-third-secret-71")
    assert again.status_code == 422 and "验证码无效" in again.text
    client.sign_in(PHONE, NEW)


def test_a_wrong_code_is_refused_and_counted(
    client: FormClient, world: World, engine: Engine, sms: SmsServer
) -> None:
    add_resident(engine, world)
    ask_code(client)
    code = sms.last_code(PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    refused = enter(client, wrong)
    assert refused.status_code == 422 and "验证码无效" in refused.text
    with Session(engine) as s:
        assert s.scalar(select(ResetCode.attempts)) == 1
    assert enter(client, code).status_code == 303  # the right one still works


def test_too_many_wrong_tries_void_the_code(
    client: FormClient, world: World, engine: Engine, sms: SmsServer
) -> None:
    add_resident(engine, world)
    ask_code(client)
    code = sms.last_code(PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(MAX_ATTEMPTS):
        assert enter(client, wrong).status_code == 422
    late = enter(client, code)
    assert late.status_code == 422 and "验证码无效" in late.text
    client.submit("/login", {"login": PHONE, "password": OLD})  # the old password stays
    assert client.get("/account", follow_redirects=False).status_code == 200


def test_an_expired_code_is_refused(
    client: FormClient, app: Starlette, world: World, engine: Engine, sms: SmsServer
) -> None:
    add_resident(engine, world)
    ask_code(client)
    code = sms.last_code(PHONE)
    app.state.fixed_now = START + timedelta(minutes=10, seconds=1)
    expired = enter(client, code)
    assert expired.status_code == 422 and "验证码无效" in expired.text


def test_a_new_code_retires_the_earlier_one(
    client: FormClient, world: World, engine: Engine, sms: SmsServer
) -> None:
    add_resident(engine, world)
    ask_code(client)
    first = sms.last_code(PHONE)
    ask_code(client)
    second = sms.last_code(PHONE)
    if first != second:
        assert enter(client, first).status_code == 422
    assert enter(client, second).status_code == 303


def _answer(response: Response, c: FormClient) -> tuple[int, str, str]:
    page = c.get(response.headers["location"]).text
    flash = re.search(r'<p class="flash[^>]*>([^<]*)</p>', page)
    assert flash
    return response.status_code, response.headers["location"], flash.group(1)


def test_an_unknown_or_unverified_number_gets_the_same_answer_and_nothing(
    client: FormClient, make_client: MakeClient, world: World, engine: Engine, sms: SmsServer
) -> None:
    add_resident(engine, world)
    add_resident(engine, world, "13700000000", verified=False, n=2)
    known = _answer(ask_code(client), client)
    other = make_client()
    unknown = _answer(ask_code(other, "13600000000"), other)
    third = make_client()
    unverified = _answer(ask_code(third, "13700000000"), third)
    assert known == unknown == unverified
    assert [m["to"] for m in sms.messages] == [PHONE]
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(ResetCode)) == 1
    # A code "for" the unknown number is refused like any wrong code.
    tried = enter(other, "123456", phone="13600000000")
    assert tried.status_code == 422 and "验证码无效" in tried.text


def test_not_a_mobile_number_is_a_field_message(client: FormClient, world: World) -> None:
    page = ask_code(client, "12ab")
    assert page.status_code == 422 and "请输入11位手机号码" in page.text


def test_asking_too_often_for_one_number_is_limited(
    client: FormClient, make_client: MakeClient, world: World, engine: Engine, sms: SmsServer
) -> None:
    add_resident(engine, world)
    for _ in range(3):
        assert ask_code(client).status_code == 303
    limited = ask_code(make_client())  # another browser, the same address and number
    assert limited.status_code == 429 and "请求过于频繁" in limited.text
    assert len(sms.messages) == 3
    # An unknown number is limited alike (the limit reveals nothing).
    for _ in range(3):
        ask_code(client, "13600000000")
    assert ask_code(client, "13600000000").status_code == 429


def test_one_address_asking_for_many_numbers_is_limited(
    client: FormClient, world: World, sms: SmsServer
) -> None:
    for n in range(10):
        assert ask_code(client, f"1360000{n:04d}").status_code == 303
    assert ask_code(client, "13600009999").status_code == 429


def test_a_provider_that_is_down_changes_nothing_in_the_answer(
    client: FormClient, world: World, engine: Engine, sms: SmsServer
) -> None:
    add_resident(engine, world)
    sms.status = 503
    asked = ask_code(client)
    assert asked.status_code == 303 and sms.messages == []


def add_email(engine: Engine, account_id: int, address: str) -> None:
    with Session(engine) as s, s.begin():
        s.add(Identity(account_id=account_id, provider="p", subject="s1", email=address))


def test_email_link_sets_the_password_once(
    client: FormClient, make_client: MakeClient, world: World, engine: Engine
) -> None:
    account_id = add_resident(engine, world)
    add_email(engine, account_id, "wang@example.org")
    elsewhere = make_client()
    elsewhere.sign_in(PHONE, OLD)
    asked = client.submit(
        "/account/reset/email", {"email": "Wang@Example.org"}, page="/account/reset"
    )
    assert asked.status_code == 303
    with Session(engine) as s:
        mail = s.scalars(select(OutboxMessage)).one()
    assert mail.to_address == "wang@example.org"
    link = re.search(r"http://testserver(/account/reset/email/\S+)", mail.body)
    assert link
    assert client.get(link.group(1)).status_code == 200
    done = client.submit(link.group(1), {"password": NEW, "confirm": NEW}, page=link.group(1))
    assert done.status_code == 303 and done.headers["location"] == "/login"
    assert elsewhere.get("/account", follow_redirects=False).status_code == 303
    client.sign_in(PHONE, NEW)
    assert client.get(link.group(1)).status_code == 404  # used


def test_email_for_an_unknown_address_gets_the_same_answer_and_sends_nothing(
    client: FormClient, make_client: MakeClient, world: World, engine: Engine
) -> None:
    account_id = add_resident(engine, world)
    add_email(engine, account_id, "wang@example.org")
    page = "/account/reset"
    known = client.submit("/account/reset/email", {"email": "wang@example.org"}, page=page)
    other = make_client()
    unknown = other.submit("/account/reset/email", {"email": "nobody@example.org"}, page=page)
    assert _answer(known, client) == _answer(unknown, other)
    with Session(engine) as s:
        assert [m.to_address for m in s.scalars(select(OutboxMessage))] == ["wang@example.org"]


def test_a_weak_new_password_keeps_the_code(
    client: FormClient, world: World, engine: Engine, sms: SmsServer
) -> None:
    add_resident(engine, world)
    ask_code(client)
    code = sms.last_code(PHONE)
    weak = enter(client, code, password="12345678")
    assert weak.status_code == 422
    with Session(engine) as s:
        row = s.scalars(select(ResetCode)).one()
        assert row.used_at is None and row.attempts == 0
    assert enter(client, code).status_code == 303


def test_one_address_trying_many_codes_is_limited(
    client: FormClient, world: World, engine: Engine, sms: SmsServer
) -> None:
    add_resident(engine, world)
    ask_code(client)
    code = sms.last_code(PHONE)
    for n in range(TRY_PER_IP.max_failures):  # numbers without an account, one try each
        assert enter(client, "000000", phone=f"1360000{n:04d}").status_code == 422
    limited = enter(client, code)  # even the right code waits now
    assert limited.status_code == 429 and "请求过于频繁" in limited.text
    with Session(engine) as s:
        assert s.scalar(select(ResetCode.used_at)) is None
