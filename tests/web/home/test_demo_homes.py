"""Every demo account's home and activity pages answer, with the demo's data."""

from __future__ import annotations

from starlette.applications import Starlette

from tests.support.client import FormClient
from tests.support.demo_db import DEMO_PASSWORD

LOGINS = [
    "admin", "worker", "staff", "deputy", "rep", "volunteer", "leader", "orguser",
    "household", "resident", "grid", "unit", "13800000007",
]  # fmt: skip


def test_every_demo_account_has_a_home(demo_app: Starlette) -> None:
    for login in LOGINS:
        with FormClient(demo_app, base_url="http://testserver") as client:
            client.sign_in(login, DEMO_PASSWORD)
            home = client.get("/")
            assert home.status_code == 200, login
            assert "我的社区" in home.text
            for kind in ("topics", "ballots", "surveys", "signups", "requests", "cosignatures"):
                assert client.get(f"/me/activity?show={kind}").status_code == 200, (login, kind)
