"""Members of handling units: routing staff add and remove them (audited); once a
unit has members only they act for it and see its queue, and the staff of one unit
cannot act on another unit's request, even in the same area."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation import accounts
from participation.audit import AuditEntry
from participation.requests import units
from participation.requests.membership import UnitMember
from participation.requests.models import ResidentRequest
from participation.rules.permissions import Role
from tests.support.client import FormClient
from tests.support.requests import NOW, file, route_to_community
from tests.support.world import MakeClient, World

PAGE = "/admin/requests/members"


def _setup(engine: Engine, world: World) -> tuple[ResidentRequest, int, int]:
    """A request routed to the community's office; a mediation body of the same
    community; two more handling staff of the community, not members of anything."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        request, _ = file(s, world)
        body = units.add_mediation_body(s, world["community"], "一社区人民调解委员会", None)
        for login in ("bodystaff", "colleague"):
            account = accounts.sign_up(s, login=login, password="correct horse", display_name=login)
            accounts.grant_role(s, account, Role.UNIT_STAFF, world["community"])
    assert request.unit_id is not None
    return request, request.unit_id, body.id


def _status(engine: Engine, request_id: int) -> str:
    with Session(engine) as s:
        found = s.get(ResidentRequest, request_id)
        assert found is not None
        return found.status


def _add(router: FormClient, unit: str, login: str) -> int:
    return router.submit(PAGE, {"unit": unit, "login": login}, page=PAGE).status_code


def test_once_a_unit_has_members_only_they_act_and_see_its_queue(
    app: Starlette, client: FormClient, make_client: MakeClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    request, office_id, body_id = _setup(engine, world)
    router = make_client()
    router.sign_in("staff")  # routing staff of the district
    assert _add(router, f"a:{world['community'].id}", "unitstaff") == 303
    assert _add(router, f"u:{body_id}", "bodystaff") == 303
    page = router.get(f"{PAGE}?unit=a:{world['community'].id}")
    assert page.status_code == 200 and "测试unit_staff" in page.text
    with Session(engine) as s:
        actions = s.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "request.unit_member_added")
        ).all()
        assert len(actions) == 2
        assert s.scalar(select(func.count()).select_from(UnitMember)) == 2

    base = f"/admin/requests/{request.id}"
    # The mediation body's member, and a colleague of the same area who is a member of
    # nothing, handle requests in this community but not for this unit.
    for login in ("bodystaff", "colleague"):
        other = make_client()
        other.sign_in(login)
        assert request.number not in other.get("/admin/requests").text
        assert other.submit(f"{base}/accept", page="/admin/requests").status_code == 403
        assert _status(engine, request.id) == "routed"
    # Routing staff route; they no longer act for a unit they are not a member of.
    assert router.submit(f"{base}/accept", page=base).status_code == 403
    assert _status(engine, request.id) == "routed"

    client.sign_in("unitstaff")
    assert request.number in client.get("/admin/requests").text
    assert client.submit(f"{base}/accept", page=base).status_code == 303
    assert _status(engine, request.id) == "accepted"

    # Removed, the member acts no more; the removal is audited.
    with Session(engine) as s:
        unitstaff = world["people"]["unit_staff"].id
    removed = router.submit(
        f"{PAGE}/remove",
        {"unit": f"a:{world['community'].id}", "account": str(unitstaff)},
        page=PAGE,
    )
    assert removed.status_code == 303
    with Session(engine) as s:
        assert (
            s.scalar(select(func.count()).where(AuditEntry.action == "request.unit_member_removed"))
            == 1
        )
        assert (
            s.scalar(select(UnitMember.unit_id).where(UnitMember.account_id == unitstaff)) is None
        )
    assert office_id


def test_only_routing_staff_of_the_unit_s_area_manage_members_and_bad_input_stores_nothing(
    app: Starlette, client: FormClient, make_client: MakeClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    request, _, body_id = _setup(engine, world)
    with Session(engine) as s, s.begin():
        elsewhere = accounts.sign_up(
            s, login="elsewhere", password="correct horse", display_name="别处"
        )
        accounts.grant_role(s, elsewhere, Role.COMMUNITY_WORKER, world["other"])
    unit_staff = make_client()
    unit_staff.sign_in("unitstaff")  # handles, does not route
    assert unit_staff.get(PAGE).status_code == 403
    assert _add(unit_staff, f"u:{body_id}", "unitstaff") == 403
    other = make_client()
    other.sign_in("elsewhere")  # routes in another community
    assert _add(other, f"u:{body_id}", "elsewhere") == 422
    router = make_client()
    router.sign_in("staff")
    no_one = router.submit(PAGE, {"unit": f"u:{body_id}", "login": "nosuchlogin"}, page=PAGE)
    assert no_one.status_code == 422 and "没有" in no_one.text
    resident = router.submit(PAGE, {"unit": f"u:{body_id}", "login": "resident"}, page=PAGE)
    assert resident.status_code == 422  # no role that handles requests
    assert _add(router, "u:999999", "unitstaff") == 422
    assert _add(router, f"u:{body_id}", "bodystaff") == 303
    assert _add(router, f"u:{body_id}", "bodystaff") == 422  # twice
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(UnitMember)) == 1
    assert request.id
