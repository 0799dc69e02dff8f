"""Closing an account that signs in only with a provider: a fresh provider sign-in,
of an identity of this account, stands in for the password."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.accounts import Account, Identity
from tests.support.client import FormClient
from tests.support.oidc import walk_provider
from tests.web.accounts.test_oidc import come_back, oidc_client, provider, start

pytestmark = pytest.mark.oidc
__all__ = ["oidc_client", "provider"]  # the fixtures, shared with test_oidc


def test_an_account_without_password_closes_after_signing_in_again(
    oidc_client: FormClient, engine: Engine
) -> None:
    come_back(oidc_client, walk_provider(start(oidc_client), "carol"))
    oidc_client.submit(
        "/account/privacy/agree", {"agree": "yes", "next": "/account"}, page="/account/privacy"
    )
    page = oidc_client.get("/account/close").text
    assert 'name="password"' not in page and "/auth/oidc/testprov/close" in page
    refused = oidc_client.submit("/account/close", {"confirm": "yes"}, page="/account/close")
    assert refused.status_code == 422  # no password, no fresh provider sign-in
    again = oidc_client.post(
        "/auth/oidc/testprov/close",
        data={"csrf_token": oidc_client.csrf("/account/close")},
        follow_redirects=False,
    )
    assert again.status_code == 302
    back = come_back(oidc_client, walk_provider(again.headers["location"], "carol"))
    assert back.status_code == 303 and back.headers["location"] == "/account/close"
    closed = oidc_client.submit("/account/close", {"confirm": "yes"}, page="/account/close")
    assert closed.status_code == 303
    with Session(engine) as s:
        assert s.scalar(select(Identity)) is None
        account = s.scalars(select(Account)).one()
        assert account.closed_at is not None and account.display_name.startswith("已注销用户")


def test_another_persons_provider_sign_in_does_not_confirm(
    oidc_client: FormClient, engine: Engine
) -> None:
    come_back(oidc_client, walk_provider(start(oidc_client), "dave"))
    oidc_client.submit(
        "/account/privacy/agree", {"agree": "yes", "next": "/account"}, page="/account/privacy"
    )
    again = oidc_client.post(
        "/auth/oidc/testprov/close",
        data={"csrf_token": oidc_client.csrf("/account/close")},
        follow_redirects=False,
    )
    back = come_back(oidc_client, walk_provider(again.headers["location"], "erin"))
    assert back.status_code == 403
    refused = oidc_client.submit("/account/close", {"confirm": "yes"}, page="/account/close")
    assert refused.status_code == 422
    with Session(engine) as s:
        assert s.scalars(select(Account)).one().closed_at is None
