"""Roll pages: self verification, the assisted desk, imports with progress, deputies."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.accounts import SignInFailure
from participation.audit import AuditEntry
from participation.rolls import Congress, DeputyEntry, RollEntry
from participation.rules.identity import id_hash
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.people import person, roll_csv
from tests.support.world import MakeClient, World


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """This module runs on SQLite and on PostgreSQL."""
    return any_db_url


def import_roll(client: FormClient, csv_text: str) -> str:
    response = client.submit(
        "/admin/rolls/import", files={"file": ("roll.csv", csv_text.encode())}, page="/admin/rolls"
    )
    assert response.status_code == 303
    return str(response.headers["location"])


def roll_count(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(RollEntry)) or 0)


def test_import_page_shows_progress_and_result(
    client: FormClient, world: World, engine: Engine
) -> None:
    client.sign_in("communityworker", PASSWORD)
    job_url = import_roll(client, roll_csv(50))
    page = client.get(job_url).text
    assert "已导入" in page and "50" in page
    assert roll_count(engine) == 50
    fragment = client.get(job_url, headers={"HX-Request": "true", "HX-Target": "job_progress"})
    assert fragment.text.lstrip().startswith('<div id="job_progress"')


def test_bad_file_reports_rows_and_imports_nothing(
    client: FormClient, world: World, engine: Engine
) -> None:
    client.sign_in("communityworker", PASSWORD)
    text = roll_csv(20).replace(",M1,", ",M2,", 1)  # M2 is outside the worker's community
    page = client.get(import_roll(client, text)).text
    assert (
        "未导入" in page and '<td data-label="行号">2</td>' in page and "不在您的管辖区域内" in page
    )
    assert roll_count(engine) == 0


def test_self_verification(client: FormClient, world: World, engine: Engine) -> None:
    admin = client
    admin.sign_in("admin", PASSWORD)
    import_roll(admin, roll_csv(3))
    admin.post("/logout", data={"csrf_token": admin.csrf("/")})
    client.sign_in("nobody", PASSWORD)
    name, number, born = person(1)
    wrong = client.submit(
        "/verify", {"name": name, "id_number": number, "birth_date": "1900-01-01"}, page="/verify"
    )
    assert wrong.status_code == 422 and "核对" in wrong.text
    ok = client.submit(
        "/verify",
        {"name": name, "id_number": number, "birth_date": born.isoformat()},
        page="/verify",
    )
    assert ok.status_code == 303
    account = client.get("/account").text
    assert "已核验为一社区居民" in account
    with Session(engine) as s:
        entry = s.scalar(select(RollEntry).where(RollEntry.name == name))
        assert entry is not None and entry.account_id == world["people"]["nobody"].id


def test_verification_attempts_are_limited(client: FormClient, world: World) -> None:
    client.sign_in("nobody", PASSWORD)
    name, number, born = person(1)
    for n in range(5):  # five different people: the per-person limit is tested elsewhere
        assert (
            client.submit(
                "/verify",
                {"name": f"猜{n}", "id_number": number, "birth_date": born.isoformat()},
                page="/verify",
            ).status_code
            == 422
        )
    assert (
        client.submit(
            "/verify",
            {"name": name, "id_number": number, "birth_date": born.isoformat()},
            page="/verify",
        ).status_code
        == 429
    )


def test_a_roll_entry_verifies_one_account(
    client: FormClient, make_client: MakeClient, world: World
) -> None:
    client.sign_in("admin", PASSWORD)
    import_roll(client, roll_csv(2))
    name, number, born = person(0)
    details = {"name": name, "id_number": number, "birth_date": born.isoformat()}
    first = make_client()
    first.sign_in("nobody", PASSWORD)
    assert first.submit("/verify", details, page="/verify").status_code == 303
    second = make_client()
    second.sign_in("volunteer", PASSWORD)
    again = second.submit("/verify", details, page="/verify")
    assert again.status_code == 422 and "已经用另一个账户核验" in again.text


def test_assisted_desk_is_audited_and_scoped(
    client: FormClient, make_client: MakeClient, world: World, engine: Engine
) -> None:
    admin = make_client()
    admin.sign_in("admin", PASSWORD)
    import_roll(
        admin, roll_csv(2) + "\n".join(roll_csv(1, community="M2", start=9).splitlines()[1:]) + "\n"
    )
    client.sign_in("communityworker", PASSWORD)
    name, number, born = person(0)
    ok = client.submit(
        "/admin/verify",
        {"login": "nobody", "name": name, "id_number": number, "birth_date": born.isoformat()},
        page="/admin/verify",
    )
    assert ok.status_code == 303
    with Session(engine) as s:
        entry = s.scalar(select(RollEntry).where(RollEntry.name == name))
        assert entry is not None and entry.verified_by == world["people"]["community_worker"].id
        assert (
            s.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()))
            == "roll.assisted_verify"
        )
    other_name, other_number, other_born = person(9)  # lives in M2, outside the worker's area
    refused = client.submit(
        "/admin/verify",
        {
            "login": "volunteer",
            "name": other_name,
            "id_number": other_number,
            "birth_date": other_born.isoformat(),
        },
        page="/admin/verify",
    )
    assert refused.status_code == 403


def test_congress_and_deputy_roll(client: FormClient, world: World, engine: Engine) -> None:
    client.sign_in("admin", PASSWORD)
    created = client.submit(
        "/admin/congresses",
        {"area_id": str(world["district"].id), "term": "7", "session_number": "3", "name": ""},
        page="/admin/congresses",
    )
    assert created.status_code == 303
    url = created.headers["location"]
    wrong_level = client.submit(
        "/admin/congresses",
        {"area_id": str(world["community"].id), "term": "1", "session_number": "1"},
        page="/admin/congresses",
    )
    assert wrong_level.status_code == 422
    lines = ["姓名,身份证号,选区"] + [f"{person(n)[0]},{person(n)[1]},第{n}选区" for n in range(4)]
    imported = client.submit(
        f"{url}/import",
        files={"file": ("d.csv", "\n".join(lines).encode())},
        page="/admin/congresses",
    )
    assert "已导入" in client.get(imported.headers["location"]).text
    with Session(engine) as s:
        deputy = s.scalar(select(DeputyEntry).order_by(DeputyEntry.id))
        assert deputy is not None
        assert s.scalar(select(func.count()).select_from(DeputyEntry)) == 4
    linked = client.submit(
        f"{url}/link", {"deputy_id": str(deputy.id), "login": "deputy"}, page="/admin/congresses"
    )
    assert linked.status_code == 303
    assert "测试deputy" in client.get(url).text


def test_an_unreadable_birth_date_is_a_typo_not_a_miss(client, world, engine) -> None:  # type: ignore[no-untyped-def]
    client.sign_in("admin", PASSWORD)
    import_roll(client, roll_csv(3))
    client.post("/logout", data={"csrf_token": client.csrf("/")})
    client.sign_in("nobody", PASSWORD)
    name, number, born = person(1)
    for typed in ("1990-02-30", "一九九〇年", "31/12/1990"):
        refused = client.submit(
            "/verify", {"name": name, "id_number": number, "birth_date": typed}, page="/verify"
        )
        assert refused.status_code == 422
        assert 'id="f-birth_date-error"' in refused.text
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(SignInFailure)) == 0
    ok = client.submit(
        "/verify",
        {"name": name, "id_number": number, "birth_date": born.isoformat()},
        page="/verify",
    )
    assert ok.status_code == 303


def test_congress_numbers_are_marked_on_their_fields(client, world, engine) -> None:  # type: ignore[no-untyped-def]
    client.sign_in("admin", PASSWORD)
    form = {"area_id": str(world["district"].id), "term": "七", "session_number": "0"}
    refused = client.submit("/admin/congresses", form, page="/admin/congresses")
    assert refused.status_code == 422
    assert 'id="f-term-error"' in refused.text
    assert 'id="f-session_number-error"' in refused.text
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Congress)) == 0


def test_a_verification_refused_halfway_shows_and_keeps_nothing(app, client, world, engine) -> None:  # type: ignore[no-untyped-def]
    """verify() claims the roll entry and grants the resident role before it links the
    person's deputy entries; when linking is refused (the account already speaks for
    another deputy of that congress), the page is shown from the database as it was
    before the request: the form again, not "you are a verified resident"."""
    client.sign_in("admin", PASSWORD)
    import_roll(client, roll_csv(3))
    client.post("/logout", data={"csrf_token": client.csrf("/")})
    secret = str(app.state.settings.id_hash_key).encode()
    nobody = world["people"]["nobody"]
    name, number, born = person(1)
    with Session(engine) as s, s.begin():
        congress = Congress(area_id=world["district"].id, term=1, session_number=1, name="区人大")
        s.add(congress)
        s.flush()
        s.add_all(
            [
                DeputyEntry(
                    congress_id=congress.id,
                    name="别人",
                    id_hash=id_hash(secret, person(9)[1]),
                    account_id=nobody.id,
                ),
                DeputyEntry(congress_id=congress.id, name=name, id_hash=id_hash(secret, number)),
            ]
        )
    client.sign_in("nobody", PASSWORD)
    refused = client.submit(
        "/verify",
        {"name": name, "id_number": number, "birth_date": born.isoformat()},
        page="/verify",
    )
    assert refused.status_code == 422
    assert "该账户已关联到本次人代会的另一名代表" in refused.text
    assert 'id="verify_form"' in refused.text and "您是已核验的居民" not in refused.text
    with Session(engine) as s:
        assert s.scalar(select(RollEntry.id).where(RollEntry.account_id == nobody.id)) is None
