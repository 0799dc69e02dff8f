from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.accounts import RoleGrant
from participation.areas import Area
from participation.audit import AuditEntry
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.world import MakeClient, World


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """This module runs on SQLite and on PostgreSQL."""
    return any_db_url


def areas_by_code(engine: Engine) -> dict[str, Area]:
    with Session(engine) as s:
        return {a.code: a for a in s.scalars(select(Area))}


def audit_actions(engine: Engine) -> list[str]:
    with Session(engine) as s:
        return [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_admin_adds_and_renames_an_area(client: FormClient, world: World, engine: Engine) -> None:
    client.sign_in("admin", PASSWORD)
    community = world["community"]
    added = client.submit(
        "/admin/areas",
        {"parent_id": str(community.id), "kind": "grid", "code": "G9", "name": "九网格"},
        page="/admin/areas",
    )
    assert added.status_code == 303
    grid = areas_by_code(engine)["G9"]
    assert grid.path.startswith(community.path) and grid.kind == "grid"
    renamed = client.submit(
        f"/admin/areas/{grid.id}/rename", {"name": "九号网格"}, page="/admin/areas"
    )
    assert renamed.status_code == 303
    assert areas_by_code(engine)["G9"].name == "九号网格"
    assert audit_actions(engine)[-2:] == ["area.create", "area.rename"]
    assert "九号网格" in client.get(f"/areas/{community.id}").text


def test_wrong_level_is_refused(client: FormClient, world: World, engine: Engine) -> None:
    client.sign_in("admin", PASSWORD)
    response = client.submit(
        "/admin/areas",
        {"parent_id": str(world["city"].id), "kind": "grid", "code": "X", "name": "错"},
        page="/admin/areas",
    )
    assert response.status_code == 422
    assert "此类型的区域不能放在该位置" in response.text
    assert "X" not in areas_by_code(engine)
    assert "area.create" not in audit_actions(engine)


def test_csv_import_all_or_nothing(client: FormClient, world: World, engine: Engine) -> None:
    client.sign_in("admin", PASSWORD)
    bad = (
        "code,name,kind,parent_code\n"
        "S2,二街道,street,D1\n"
        "M7,七社区,community,S2\n"
        "M8,八社区,community,NOPE\n"
        "G7,七网格,grid,S2\n"
        "M1,重复,community,S2\n"
    )
    response = client.submit(
        "/admin/areas/import", files={"file": ("a.csv", bad.encode())}, page="/admin/areas"
    )
    assert response.status_code == 422
    text = response.text
    for row in ("<td>4</td>", "<td>5</td>", "<td>6</td>"):
        assert row in text
    assert "<td>2</td>" not in text and "<td>3</td>" not in text
    assert "S2" not in areas_by_code(engine)
    good = "code,name,kind,parent_code\nS2,二街道,street,D1\nM7,七社区,community,S2\n"
    ok = client.submit(
        "/admin/areas/import", files={"file": ("a.csv", good.encode())}, page="/admin/areas"
    )
    assert ok.status_code == 303
    found = areas_by_code(engine)
    assert found["M7"].path.startswith(found["S2"].path)


def test_csv_import_rejects_binary_and_missing_columns(client: FormClient, world: World) -> None:
    client.sign_in("admin", PASSWORD)
    binary = client.submit(
        "/admin/areas/import", files={"file": ("a.csv", b"\xff\xfe\x00")}, page="/admin/areas"
    )
    assert binary.status_code == 422 and "UTF-8" in binary.text
    columns = client.submit(
        "/admin/areas/import", files={"file": ("a.csv", b"a,b\n1,2\n")}, page="/admin/areas"
    )
    assert columns.status_code == 422 and "parent_code" in columns.text
    missing = client.submit("/admin/areas/import", page="/admin/areas")
    assert missing.status_code == 422


def test_grant_and_revoke_roles(client: FormClient, world: World, engine: Engine) -> None:
    client.sign_in("admin", PASSWORD)
    nobody = world["people"]["nobody"]
    granted = client.submit(
        f"/admin/accounts/{nobody.id}/grant",
        {"role": "community_worker", "area_id": str(world["other"].id)},
        page="/admin/accounts",
    )
    assert granted.status_code == 303
    with Session(engine) as s:
        grant = s.scalar(select(RoleGrant).where(RoleGrant.account_id == nobody.id))
        assert grant is not None and grant.area_id == world["other"].id
    other = client.submit(
        f"/admin/accounts/{world['people']['resident'].id}/revoke",
        {"grant_id": str(grant.id)},
        page="/admin/accounts",
    )
    assert other.status_code == 404  # a grant of somebody else
    revoked = client.submit(
        f"/admin/accounts/{nobody.id}/revoke", {"grant_id": str(grant.id)}, page="/admin/accounts"
    )
    assert revoked.status_code == 303
    with Session(engine) as s:
        assert s.scalar(select(RoleGrant).where(RoleGrant.account_id == nobody.id)) is None
    assert audit_actions(engine)[-2:] == ["role.grant", "role.revoke"]


def test_disable_account_signs_it_out(
    client: FormClient, make_client: MakeClient, world: World
) -> None:
    victim = make_client()
    victim.sign_in("resident", PASSWORD)
    client.sign_in("admin", PASSWORD)
    rid = world["people"]["resident"].id
    client.submit(f"/admin/accounts/{rid}/active", {"active": "0"}, page="/admin/accounts")
    assert victim.get("/account", follow_redirects=False).status_code == 303
    assert (
        make_client().submit("/login", {"login": "resident", "password": PASSWORD}).status_code
        == 422
    )
    self_disable = client.submit(
        f"/admin/accounts/{world['people']['admin'].id}/active",
        {"active": "0"},
        page="/admin/accounts",
    )
    assert self_disable.status_code == 422


def test_account_search_and_htmx_fragment(client: FormClient, world: World) -> None:
    client.sign_in("admin", PASSWORD)
    page = client.get("/admin/accounts?q=communityworker")
    assert "测试community_worker" in page.text and "测试deputy" not in page.text
    fragment = client.get(
        "/admin/accounts?q=deputy", headers={"HX-Request": "true", "HX-Target": "account_results"}
    )
    assert fragment.text.lstrip().startswith('<div id="account_results">')
    assert "测试deputy" in fragment.text


def test_audit_log_filters(client: FormClient, world: World) -> None:
    client.sign_in("admin", PASSWORD)
    client.submit(
        "/admin/areas",
        {"parent_id": str(world["community"].id), "kind": "grid", "code": "G5", "name": "五网格"},
        page="/admin/areas",
    )
    log = client.get("/admin/audit?action=area.create")
    assert "area.create" in log.text and "五网格" in log.text
    assert "五网格" not in client.get("/admin/audit?action=role.grant").text


def test_api_area_tree(client: FormClient, world: World) -> None:
    data = client.get("/api/v1/areas").json()
    assert data["count"] == 6
    codes = {i["code"]: i for i in data["items"]}
    assert codes["G1"]["parent_id"] == codes["M1"]["id"]
    assert client.get("/api/v1/areas?kind=community").json()["count"] == 2
    one = client.get(f"/api/v1/areas/{codes['M1']['id']}").json()
    assert one["name"] == "一社区"
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.1") and "/api/v1/areas" in spec["paths"]


def test_each_back_office_action_writes_one_audit_row_with_its_address(
    client: FormClient, world: World, engine: Engine
) -> None:
    """The services write the audit rows now (the routes used to): one row per action,
    still with who, what and from where."""
    client.sign_in("admin", PASSWORD)
    nobody = world["people"]["nobody"].id
    before = len(audit_actions(engine))
    added = client.submit(
        "/admin/areas",
        {"parent_id": str(world["community"].id), "kind": "grid", "code": "G8", "name": "八网格"},
        page="/admin/areas",
    )
    grid = areas_by_code(engine)["G8"]
    renamed = client.submit(
        f"/admin/areas/{grid.id}/rename", {"name": "八号网格"}, page="/admin/areas"
    )
    granted = client.submit(
        f"/admin/accounts/{nobody}/grant",
        {"role": "volunteer", "area_id": ""},
        page="/admin/accounts",
    )
    with Session(engine) as s:
        grant = s.scalar(select(RoleGrant).where(RoleGrant.account_id == nobody))
        assert grant is not None
    revoked = client.submit(
        f"/admin/accounts/{nobody}/revoke", {"grant_id": str(grant.id)}, page="/admin/accounts"
    )
    disabled = client.submit(
        f"/admin/accounts/{nobody}/active", {"active": "0"}, page="/admin/accounts"
    )
    statuses = [r.status_code for r in (added, renamed, granted, revoked, disabled)]
    assert statuses == [303] * 5
    with Session(engine) as s:
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()[before:]
    assert [r.action for r in rows] == [
        "area.create",
        "area.rename",
        "role.grant",
        "role.revoke",
        "account.active",
    ]
    admin = world["people"]["admin"].id
    assert all(r.actor_id == admin and r.ip for r in rows)
    assert [r.target for r in rows] == [f"area:{grid.id}"] * 2 + [f"account:{nobody}"] * 3
