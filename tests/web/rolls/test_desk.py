"""The desk (issue 18): a community worker signs up a resident who came in person,
prints the slip, acts for them (audited under the worker's name), and never votes
for them; the roll's name is the resident's name."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.accounts import Account, find_by_login
from participation.audit import AuditEntry
from participation.ballots.models import CastBallot
from participation.passwords import hash_password
from participation.recovery import ResetCode
from participation.requests.models import ResidentRequest
from participation.rolls import RollEntry
from participation.rules.identity import id_hash
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.people import enrol, person
from tests.support.requests import route_to_community
from tests.support.volunteering import make_shift
from tests.support.world import MakeClient, World
from tests.web.ballots.test_ballots import NOW
from tests.web.ballots.test_ballots import create_box as create_ballots_box
from volunteers.models import SignUp
from web.settings import Settings

PHONE = "13512345678"
NEW = "Gz-slip-secret-64"
SLIP_CODE = re.compile(r'id="slip-code" class="slip-code">([A-Z0-9]{8})<')


def put_on_roll(engine: Engine, world: World, n: int = 7, community: str = "community") -> None:
    name, number, born = person(n)
    secret = Settings().id_hash_key.encode()
    with Session(engine) as s, s.begin():
        s.add(
            RollEntry(
                community_id=world[community].id,  # type: ignore[literal-required]
                name=name,
                id_hash=id_hash(secret, number),
                birth_date=born,
                household_code=f"H{n}",
            )
        )


def details(n: int = 7, phone: str = PHONE) -> dict[str, str]:
    name, number, born = person(n)
    return {"phone": phone, "name": name, "id_number": number, "birth_date": born.isoformat()}


def actions(engine: Engine, *names: str) -> list[tuple[str, int | None, str]]:
    with Session(engine) as s:
        rows = s.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(names)).order_by(AuditEntry.id)
        )
        return [(r.action, r.actor_id, r.target) for r in rows]


def account_count(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(Account)) or 0)


def test_a_desk_account_is_verified_named_by_the_roll_and_signs_in_with_its_slip(
    client: FormClient, make_client: MakeClient, world: World, engine: Engine
) -> None:
    put_on_roll(engine, world)
    client.sign_in("communityworker", PASSWORD)
    slip = client.submit("/admin/desk", details(), page="/admin/desk")
    assert slip.status_code == 200 and slip.headers["cache-control"] == "no-store"
    code = SLIP_CODE.search(slip.text)
    assert code and PHONE in slip.text and person(7)[0] in slip.text
    worker = world["people"]["community_worker"].id
    with Session(engine) as s:
        account = find_by_login(s, PHONE)
        assert account is not None and account.display_name == person(7)[0]
        assert account.password_hash is None
        entry = s.scalars(select(RollEntry)).one()
        assert entry.account_id == account.id and entry.verified_by == worker
        assert code.group(1) not in s.scalars(select(ResetCode.code_hash)).one()
        target = f"account:{account.id}"
    assert actions(engine, "desk.enrol", "roll.assisted_verify") == [
        ("roll.assisted_verify", worker, target),
        ("desk.enrol", worker, target),
    ]
    resident = make_client()
    data = {"login": PHONE, "code": code.group(1).lower(), "password": NEW, "confirm": NEW}
    done = resident.submit("/account/reset/code", data, page="/account/reset/code")
    assert done.status_code == 303
    resident.sign_in(PHONE, NEW)
    # Made at the desk, the account has agreed to no privacy notice yet: asked first.
    asked = resident.get("/account", follow_redirects=False)
    assert asked.headers["location"] == "/account/privacy?next=/account"
    agreed = resident.post(
        "/account/privacy/agree",
        data={
            "csrf_token": resident.csrf("/account/privacy"),
            "next": "/account",
            "agree": "yes",
        },
        follow_redirects=False,
    )
    assert agreed.headers["location"] == "/account"
    page = resident.get("/account").text
    assert person(7)[0] in page and "已核验" in page


def test_details_that_match_nobody_create_nothing(
    client: FormClient, world: World, engine: Engine
) -> None:
    put_on_roll(engine, world)
    client.sign_in("communityworker", PASSWORD)
    before = account_count(engine)
    wrong = details() | {"birth_date": "1901-01-01"}
    page = client.submit("/admin/desk", wrong, page="/admin/desk")
    assert page.status_code == 422 and "核对" in page.text
    assert account_count(engine) == before


def test_a_number_with_an_account_is_refused_and_nothing_is_verified(
    client: FormClient, world: World, engine: Engine
) -> None:
    put_on_roll(engine, world)
    client.sign_in("communityworker", PASSWORD)
    taken = details(phone="13512345678")
    with Session(engine) as s, s.begin():
        s.add(Account(phone=PHONE, display_name="早有账号"))
    before = account_count(engine)
    page = client.submit("/admin/desk", taken, page="/admin/desk")
    assert page.status_code == 422 and "该手机号已有账号" in page.text
    assert account_count(engine) == before
    with Session(engine) as s:
        assert s.scalars(select(RollEntry)).one().account_id is None
    assert actions(engine, "desk.enrol", "roll.assisted_verify") == []


def test_a_resident_of_another_community_is_not_the_workers_to_sign_up(
    client: FormClient, world: World, engine: Engine
) -> None:
    put_on_roll(engine, world, community="other")
    client.sign_in("communityworker", PASSWORD)
    before = account_count(engine)
    page = client.submit("/admin/desk", details(), page="/admin/desk")
    assert page.status_code == 403
    assert account_count(engine) == before


@pytest.fixture
def assisted(client: FormClient, app: Starlette, world: World, engine: Engine) -> FormClient:
    """The worker's browser, acting for a resident signed up at the desk."""
    app.state.fixed_now = NOW
    put_on_roll(engine, world)
    client.sign_in("communityworker", PASSWORD)
    client.submit("/admin/desk", details(), page="/admin/desk")
    started = client.submit("/admin/desk/assist", {"login": PHONE}, page="/admin/desk")
    assert started.status_code == 303
    return client


def resident_id(engine: Engine) -> int:
    with Session(engine) as s:
        account = find_by_login(s, PHONE)
        assert account is not None
        return account.id


def test_acting_for_a_resident_is_audited_under_the_workers_name(
    assisted: FormClient, world: World, engine: Engine
) -> None:
    page = assisted.get("/account").text
    assert "正在窗口为" in page and person(7)[0] in page and "测试community_worker" in page
    assert assisted.get("/admin", follow_redirects=False).status_code == 403  # no office powers
    with Session(engine) as s, s.begin():
        shift_id = make_shift(s, world["community"], NOW + timedelta(days=3)).id
    shift = f"/volunteers/shifts/{shift_id}"
    done = assisted.submit(f"{shift}/signup", page=shift)
    assert done.status_code == 303
    me, worker = resident_id(engine), world["people"]["community_worker"].id
    with Session(engine) as s:
        assert s.scalars(select(SignUp.account_id)).all() == [me]
    acts = actions(engine, "desk.assist_start", "desk.assisted_act")
    assert acts == [
        ("desk.assist_start", worker, f"account:{me}"),
        ("desk.assisted_act", worker, f"account:{me}"),
    ]
    # A refused action leaves no row: a second sign-up for the same shift.
    again = assisted.submit(f"{shift}/signup", page=shift)
    assert again.status_code >= 400
    assert len(actions(engine, "desk.assisted_act")) == 1
    ended = assisted.submit("/admin/desk/end", page="/account")
    assert ended.status_code == 303 and ended.headers["location"].startswith("/login")
    assert assisted.get("/account", follow_redirects=False).status_code == 303
    assert actions(engine, "desk.assist_end") == [("desk.assist_end", worker, f"account:{me}")]


def test_voting_is_refused_in_an_assisted_session(
    assisted: FormClient, make_client: MakeClient, world: World, engine: Engine
) -> None:
    admin = make_client()
    admin.sign_in("communityworker", PASSWORD)
    box_id = create_ballots_box(admin, world, kind="choose", rule="approval", items="甲\n乙")
    page = f"/ballots/{box_id}"
    refused = assisted.submit(f"{page}/cast", {"item": ["1"]}, page=page)
    assert refused.status_code == 403 and "投票须本人进行" in refused.text
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(CastBallot)) == 0
    # Statement votes and satisfaction surveys refuse it alike, before anything else.
    for path in ("/consultations/1/statements/1/vote", "/evaluations/1/respond"):
        answer = assisted.submit(path, {"choice": "agree"}, page="/account")
        assert answer.status_code == 403 and "投票须本人进行" in answer.text, path
    assert actions(engine, "desk.assisted_act") == []
    # The resident, signed in themselves, votes.
    assisted.submit("/admin/desk/end", page="/account")
    with Session(engine) as s, s.begin():
        account = find_by_login(s, PHONE)
        assert account is not None
        account.password_hash = hash_password(NEW)
    resident = make_client()
    resident.sign_in(PHONE, NEW)
    assert resident.submit(f"{page}/cast", {"item": ["1"]}, page=page).status_code == 303


def test_an_office_account_cannot_be_used_at_the_desk(
    client: FormClient, world: World, engine: Engine
) -> None:
    with Session(engine) as s, s.begin():
        enrol(s, world, ["staff"])
    client.sign_in("communityworker", PASSWORD)
    refused = client.submit("/admin/desk/assist", {"login": "staff"}, page="/admin/desk")
    assert refused.status_code == 422 and "不能用于窗口代办" in refused.text
    assert actions(engine, "desk.assist_start") == []


def test_a_resident_elsewhere_cannot_be_assisted(
    client: FormClient, world: World, engine: Engine
) -> None:
    put_on_roll(engine, world, community="other")
    with Session(engine) as s, s.begin():
        account = Account(phone=PHONE, display_name="别处居民")
        s.add(account)
        s.flush()
        s.scalars(select(RollEntry)).one().account_id = account.id
    client.sign_in("communityworker", PASSWORD)
    refused = client.submit("/admin/desk/assist", {"login": PHONE}, page="/admin/desk")
    assert refused.status_code == 403
    slip = client.submit("/admin/desk/slip", {"login": PHONE}, page="/admin/desk")
    assert slip.status_code == 403


def test_a_new_slip_voids_the_old_code(
    client: FormClient, make_client: MakeClient, world: World, engine: Engine
) -> None:
    put_on_roll(engine, world)
    client.sign_in("communityworker", PASSWORD)
    first = SLIP_CODE.search(client.submit("/admin/desk", details(), page="/admin/desk").text)
    second = SLIP_CODE.search(
        client.submit("/admin/desk/slip", {"login": PHONE}, page="/admin/desk").text
    )
    assert first and second
    resident = make_client()
    old = {"login": PHONE, "code": first.group(1), "password": NEW, "confirm": NEW}
    page = "/account/reset/code"
    assert resident.submit(page, old, page=page).status_code == 422
    new = old | {"code": second.group(1)}
    assert resident.submit(page, new, page=page).status_code == 303
    assert len(actions(engine, "desk.slip")) == 1


def test_an_assisted_session_ends_when_the_worker_is_disabled(
    assisted: FormClient, world: World, engine: Engine
) -> None:
    with Session(engine) as s, s.begin():
        worker = s.get(Account, world["people"]["community_worker"].id)
        assert worker is not None
        worker.session_epoch += 1
    assert assisted.get("/account", follow_redirects=False).status_code == 303


def test_the_roll_name_replaces_the_sign_up_name_on_verification(
    client: FormClient, world: World, engine: Engine
) -> None:
    put_on_roll(engine, world)
    client.sign_in("nobody", PASSWORD)
    name, number, born = person(7)
    ok = client.submit(
        "/verify",
        {"name": name, "id_number": number, "birth_date": born.isoformat()},
        page="/verify",
    )
    assert ok.status_code == 303
    page = client.get("/account").text
    assert name in page and "无角色" not in page


def test_a_request_filed_at_the_desk_is_the_residents_and_names_the_worker(
    assisted: FormClient, world: World, engine: Engine
) -> None:
    with Session(engine) as s, s.begin():
        route_to_community(s, world)
    filed = assisted.submit(
        "/requests/new",
        {
            "category": "environment",
            "description": "楼道灯坏了",
            "area_id": str(world["grid"].id),
        },
        page="/requests/new",
    )
    assert filed.status_code == 303, filed.text
    me, worker = resident_id(engine), world["people"]["community_worker"].id
    with Session(engine) as s:
        stored = s.scalars(select(ResidentRequest)).one()
        assert stored.requester_name == person(7)[0]
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "desk.assisted_act"))
        assert [(r.actor_id, r.target, '"/requests/new"' in r.detail) for r in rows] == [
            (worker, f"account:{me}", True)
        ]
