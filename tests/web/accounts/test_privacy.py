"""Personal-information rights over HTTP: consent at sign-up and again when the
notice changes, downloading one's data, closing one's account."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.accounts import Account
from participation.audit import AuditEntry
from participation.privacy.consent import NOTICE_VERSION, PrivacyConsent
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.world import World


def consents(engine: Engine, account_id: int) -> list[str]:
    with Session(engine) as s:
        return list(
            s.scalars(
                select(PrivacyConsent.version)
                .where(PrivacyConsent.account_id == account_id)
                .order_by(PrivacyConsent.id)
            )
        )


def test_sign_up_needs_the_box_ticked_and_records_the_consent(
    client: FormClient, engine: Engine
) -> None:
    form = {"login": "13911112222", "password": "long enough", "display_name": "王五"}
    refused = client.submit("/signup", form, page="/signup")
    assert refused.status_code == 422
    assert 'id="f-agree-error"' in refused.text and "隐私政策" in refused.text
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Account)) == 0
    done = client.submit("/signup", form | {"agree": "yes"}, page="/signup")
    assert done.status_code == 303
    with Session(engine) as s:
        account = s.scalar(select(Account).where(Account.phone == "13911112222"))
        assert account is not None
    assert consents(engine, account.id) == [NOTICE_VERSION]


def test_the_notice_is_public_in_both_languages(client: FormClient) -> None:
    page = client.get("/account/privacy")
    assert page.status_code == 200 and "个人信息保护告知" in page.text
    assert 'name="agree"' not in page.text  # nobody to ask
    client.cookies.set("lang", "en")
    assert "Privacy notice" in client.get("/account/privacy").text


def test_a_new_notice_version_is_asked_for_before_anything_else(
    app: Starlette, client: FormClient, world: World, engine: Engine
) -> None:
    resident = world["people"]["resident"]
    client.sign_in("resident", PASSWORD)
    assert client.get("/account", follow_redirects=False).status_code == 200
    app.state.privacy_notice_version = "2027-01"
    asked = client.get("/areas?page=2", follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"] == "/account/privacy?next=/areas%3Fpage%3D2"
    posted = client.post("/lang", data={"csrf_token": "x"}, follow_redirects=False)
    assert posted.status_code != 303 or "privacy" not in posted.headers.get("location", "")
    htmx = client.get("/account", headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.headers["HX-Redirect"] == "/account/privacy?next=/account"
    page = client.get("/account/privacy?next=/areas")
    assert "请阅读" in page.text and 'name="agree"' in page.text
    # Signing out, static files and the notice itself are never held back.
    assert client.get("/static/css/site.css", follow_redirects=False).status_code != 303
    # Without the box: asked again, nothing recorded.
    token = client.csrf("/account/privacy")
    unticked = client.post(
        "/account/privacy/agree",
        data={"csrf_token": token, "next": "/areas"},
        follow_redirects=False,
    )
    assert unticked.status_code == 422 and 'id="f-agree-error"' in unticked.text
    assert consents(engine, resident.id) == [NOTICE_VERSION]
    agreed = client.post(
        "/account/privacy/agree",
        data={"csrf_token": token, "next": "/areas", "agree": "yes"},
        follow_redirects=False,
    )
    assert agreed.status_code == 303 and agreed.headers["location"] == "/areas"
    assert consents(engine, resident.id) == [NOTICE_VERSION, "2027-01"]
    assert client.get("/account", follow_redirects=False).status_code == 200
    # Signing in again (elsewhere) with the newer consent: not asked again.
    client.post("/logout", data={"csrf_token": client.csrf("/")})
    client.sign_in("resident", PASSWORD)
    assert client.get("/account", follow_redirects=False).status_code == 200


def test_signing_in_with_an_older_consent_leads_to_the_notice(
    app: Starlette, client: FormClient, world: World
) -> None:
    app.state.privacy_notice_version = "2027-01"
    signed = client.submit(
        "/login?next=/ballots", {"login": "resident", "password": PASSWORD, "next": "/ballots"}
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/ballots"
    asked = client.get("/ballots", follow_redirects=False)
    assert asked.headers["location"] == "/account/privacy?next=/ballots"


def test_download_my_data_is_a_zip_with_json_and_a_page_and_is_rate_limited(
    client: FormClient, world: World, engine: Engine
) -> None:
    resident = world["people"]["resident"]
    client.sign_in("resident", PASSWORD)
    assert "下载我的数据" in client.get("/account/data").text
    got = client.submit("/account/data", page="/account/data")
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/zip"
    assert "attachment" in got.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(got.content))
    assert sorted(archive.namelist()) == ["data.json", "index.html"]
    data = json.loads(archive.read("data.json"))
    assert data["tables"]["accounts"][0]["id"] == resident.id
    assert data["tables"]["privacy_consents"][0]["version"] == NOTICE_VERSION
    assert "password_hash" not in json.dumps(data)
    page = archive.read("index.html").decode()
    assert resident.display_name in page and "<table>" in page
    for _ in range(2):
        assert client.submit("/account/data", page="/account/data").status_code == 200
    refused = client.submit("/account/data", page="/account/data")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    with Session(engine) as s:
        exports = select(func.count()).where(AuditEntry.action == "privacy.export")
        assert s.scalar(exports) == 3


def test_closing_needs_the_password_and_the_box_then_cannot_happen_twice(
    client: FormClient, world: World, engine: Engine
) -> None:
    nobody = world["people"]["nobody"]
    client.sign_in("nobody", PASSWORD)
    assert "注销" in client.get("/account/close").text
    wrong = client.submit(
        "/account/close", {"password": "not it", "confirm": "yes"}, page="/account/close"
    )
    assert wrong.status_code == 422 and 'id="f-password-error"' in wrong.text
    unticked = client.submit("/account/close", {"password": PASSWORD}, page="/account/close")
    assert unticked.status_code == 422 and 'id="f-confirm-error"' in unticked.text
    with Session(engine) as s:
        assert s.get_one(Account, nobody.id).closed_at is None
    token = client.csrf("/account/close")
    before = client.cookies.get("gongzhi_session")
    assert before is not None
    closed = client.post(
        "/account/close",
        data={"csrf_token": token, "password": PASSWORD, "confirm": "yes"},
        follow_redirects=False,
    )
    assert closed.status_code == 303 and closed.headers["location"] == "/"
    with Session(engine) as s:
        account = s.get_one(Account, nobody.id)
        assert account.closed_at is not None and account.display_name == f"已注销用户 #{nobody.id}"
    assert client.get("/account", follow_redirects=False).status_code == 303  # signed out
    # The same form sent again with the session of before (a double submission).
    client.cookies.clear()
    client.cookies.set("gongzhi_session", before)
    twice = client.post(
        "/account/close",
        data={"csrf_token": token, "password": PASSWORD, "confirm": "yes"},
        follow_redirects=False,
    )
    assert twice.status_code == 409 and "该账号已注销" in twice.text
    # A closed account cannot sign in.
    refused = client.submit("/login", {"login": "nobody", "password": PASSWORD})
    assert refused.status_code == 422
