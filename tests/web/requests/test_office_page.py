"""A request's office page (issue 17): what the viewer may do is decided once per
request, the panels show for the roles they showed for before, a unit that does not
own the request is refused the page and every action, and the page runs as many
statements for a request with a long history as for one with a short one."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation import accounts
from participation.areas import create_area, get_area
from participation.requests import closing, handling, merging, supervision, units
from participation.requests.mediation import MediationCase
from participation.requests.membership import UnitMember
from participation.requests.models import RequestStep, ResidentRequest
from participation.requests.supervision import SupervisionNotice
from participation.rules.areas import AreaKind
from participation.rules.permissions import Role
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.mediation import open_dispute
from tests.support.queries import statements_of_page
from tests.support.requests import NOW, file, route_to_community, verify_resident
from tests.support.world import MakeClient, World
from web.requests import history
from web.requests import supervision as supervision_pages

#: The sections of the page that come and go with what the viewer may do.
SECTIONS = (
    "accept",
    "record",
    "propose",
    "transfer",
    "redirect",
    "visit",
    "supervision",
    "extension",
    "mediation-open",
    "mediation-link",
    "matter",
)


def _shown(html: str) -> set[str]:
    found = {s for s in SECTIONS if f'id="{s}"' in html}
    if 'name="kind" value="reply"' in html:
        found.add("reply")
    if 'action="/admin/requests/' in html and "/extension/decide" in html:
        found.add("decide")
    if re.search(r'action="/admin/requests/\d+/extension"', html):
        found.add("ask")
    return found


def _stranger(engine: Engine, world: World) -> None:
    """``stranger``: unit staff of a third community of the street, owning nothing here."""
    with Session(engine) as s, s.begin():
        street = get_area(s, world["street"].id)
        third = create_area(s, code="M3", name="三社区", kind=AreaKind.COMMUNITY, parent=street)
        account = accounts.sign_up(s, login="stranger", password=PASSWORD, display_name="三社区")
        accounts.grant_role(s, account, Role.UNIT_STAFF, third)


def _routed(engine: Engine, world: World) -> int:
    """A request routed to the community's office, with a mediation body nearby."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        verify_resident(s, world)
        units.add_mediation_body(s, s.merge(world["community"]), "一社区调委会", None)
        request, _ = file(s, world)
    return request.id


def _helping_staff(engine: Engine, world: World) -> None:
    """Routing to the community, a verified requester, and ``otherunit``: staff of the
    other community, whose office helps with the long request."""
    with Session(engine) as s, s.begin():
        route_to_community(s, world)
        verify_resident(s, world)
        other = accounts.sign_up(s, login="otherunit", password=PASSWORD, display_name="二社区")
        accounts.grant_role(s, other, Role.UNIT_STAFF, s.merge(world["other"]))


def _long(engine: Engine, world: World, n: int, bodies: int = 0) -> int:
    """An accepted request with ``n`` of everything its history holds: handling
    records, supervision notices, return visits; a helping unit (the other
    community's office) and ``bodies`` more (mediation bodies of the other
    community), a pending extension asked by the unit, and a request merged into it."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        request, _ = file(s, world)
        twin, _ = file(s, world, "门口垃圾又堆了")
        staff = world["people"]["unit_staff"].id
        assert request.unit_id is not None
        handling.accept(s, request, request.unit_id, NOW, staff)
        helper_area = s.merge(world["other"])
        helper = units.office_of(s, helper_area)
        handling.join(s, request, request.unit_id, helper, NOW, staff)
        for k in range(bodies):
            body = units.add_mediation_body(s, helper_area, f"二社区调委{request.id}-{k}", None)
            handling.join(s, request, request.unit_id, body, NOW, staff)
        for k in range(n):
            at = NOW + timedelta(minutes=k + 1)
            handling.record(s, request, request.unit_id, at, staff, note=f"处理{k}", minutes=5)
            s.add(
                SupervisionNotice(
                    request_id=request.id,
                    stage="resolve",
                    due_on=NOW.date(),
                    level=k,
                    kind="late",
                    unit_id=request.unit_id,
                    working_days_late=k + 1,
                    issued_at=at,
                )
            )
            s.add(RequestStep(request_id=request.id, at=at, kind="visit_basic", note=f"回访{k}"))
        supervision.ask_extension(s, request, request.unit_id, 2, "需协调物业", NOW, staff)
        merging.merge(s, twin, request, NOW, world["people"]["community_worker"].id)
    return request.id


def _closed(engine: Engine, world: World) -> int:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        verify_resident(s, world)
        request, _ = file(s, world)
        staff = world["people"]["unit_staff"].id
        assert request.unit_id is not None
        handling.accept(s, request, request.unit_id, NOW, staff)
        handling.propose_closure(s, request, request.unit_id, "已清理", NOW, staff)
        closing.confirm(s, request, NOW, world["people"]["resident"].id)
    return request.id


def _dispute(engine: Engine, world: World) -> int:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        request, _ = open_dispute(s, world)
    return request.id


def _seen(make_client: MakeClient, login: str, page: str) -> set[str] | int:
    viewer = make_client()
    viewer.sign_in(login)
    shown = viewer.get(page)
    return _shown(shown.text) if shown.status_code == 200 else shown.status_code


#: A dispute accepted by the community's mediation body: its lead unit's actions.
HANDLING_DISPUTE = {
    "record",
    "reply",
    "propose",
    "transfer",
    "redirect",
    "ask",
    "extension",
    "mediation-link",
}

# What each role saw on the code before the page decided once per request (recorded
# from it): the refactoring must not show or hide a panel for anyone.
BEFORE: dict[str, dict[str, set[str] | int]] = {
    "routed": {
        "unitstaff": {"accept", "transfer", "mediation-open"},
        "communityworker": {"accept", "transfer", "redirect", "mediation-open"},
        "staff": {"accept", "transfer", "redirect", "mediation-open"},
        "admin": {"accept", "transfer", "redirect", "mediation-open"},
        "gridworker": 403,
        "stranger": 403,
    },
    "long": {
        "unitstaff": {"record", "reply", "propose", "transfer", "supervision", "extension"},
        "otherunit": {"record", "supervision", "extension"},
        "communityworker": {
            "record",
            "reply",
            "propose",
            "transfer",
            "redirect",
            "supervision",
            "extension",
            "matter",
        },
        "staff": {
            "record",
            "reply",
            "propose",
            "transfer",
            "redirect",
            "supervision",
            "extension",
            "decide",
            "matter",
        },
        "admin": {
            "record",
            "reply",
            "propose",
            "transfer",
            "redirect",
            "supervision",
            "extension",
            "decide",
            "matter",
        },
        "stranger": 403,
    },
    "closed": {
        "unitstaff": {"visit"},
        "communityworker": {"visit"},
        "staff": {"visit"},
        "admin": {"visit"},
        "stranger": 403,
    },
    "dispute": {
        "unitstaff": HANDLING_DISPUTE - {"redirect"},
        "communityworker": HANDLING_DISPUTE,
        "staff": HANDLING_DISPUTE,
        "admin": HANDLING_DISPUTE,
        "stranger": 403,
    },
}


def _long3(engine: Engine, world: World) -> int:
    _helping_staff(engine, world)
    return _long(engine, world, 3)


MAKERS = {"routed": _routed, "long": _long3, "closed": _closed, "dispute": _dispute}


@pytest.mark.parametrize("state", sorted(BEFORE))
def test_each_panel_shows_for_the_roles_it_showed_for_before(
    app: Starlette, make_client: MakeClient, engine: Engine, world: World, state: str
) -> None:
    app.state.fixed_now = NOW + timedelta(days=1)
    _stranger(engine, world)
    page = f"/admin/requests/{MAKERS[state](engine, world)}"
    seen = {login: _seen(make_client, login, page) for login in BEFORE[state]}
    assert seen == BEFORE[state]


#: Every action of the page, with a form that would pass if the sender might act.
ACTIONS = {
    "accept": {},
    "return": {"reason": "不归我们管"},
    "transfer": {"unit": "d:1", "reason": "转"},
    "join": {"helper": "d:1"},
    "record": {"note": "已处理", "kind": "action"},
    "propose": {"result": "已处理"},
    "redirect": {"unit": "d:1", "reason": "改派"},
    "visit": {"rating": "satisfied"},
    "merge": {"into": "1"},
    "matter/plan": {},
    "matter/topic": {},
    "extension": {"days": "2", "reason": "需协调"},
    "extension/decide": {"decision": "grant"},
    "mediation/open": {"body": "1"},
    "mediation/mediator": {"mediator_id": "1"},
    "mediation/sessions": {"held_on": "2026-05-14", "place": "社区", "notes": "谈"},
    "mediation/agreement": {"agreement": "和解"},
    "mediation/confirm": {"side": "requester", "way": "signed"},
    "mediation/refer": {"referral": "court", "reason": "不成"},
}


def _history(engine: Engine) -> tuple[int, int, int]:
    """Steps, helpers and cases stored: an action that went through adds to one."""
    with Session(engine) as s:
        return (
            int(s.scalar(select(func.count()).select_from(RequestStep)) or 0),
            int(s.scalar(select(func.count()).select_from(supervision.Extension)) or 0),
            int(s.scalar(select(func.count()).select_from(MediationCase)) or 0),
        )


@pytest.mark.parametrize("state", ["long", "dispute"])
def test_a_unit_that_does_not_own_the_request_is_refused_the_page_and_every_action(
    app: Starlette, client: FormClient, engine: Engine, world: World, state: str
) -> None:
    app.state.fixed_now = NOW + timedelta(days=1)
    _stranger(engine, world)
    request_id = MAKERS[state](engine, world)
    base = f"/admin/requests/{request_id}"
    client.sign_in("stranger")
    assert client.get(base).status_code == 403
    assert client.get(f"{base}/mediation").status_code in (403, 404)
    before = _history(engine)
    with Session(engine) as s:
        status = s.get(ResidentRequest, request_id).status  # type: ignore[union-attr]
    token = client.csrf("/admin/requests")
    for action, form in ACTIONS.items():
        answer = client.post(
            f"{base}/{action}", data=form | {"csrf_token": token}, follow_redirects=False
        )
        assert answer.status_code in (403, 404), (action, answer.status_code)
    assert _history(engine) == before
    with Session(engine) as s:
        assert s.get(ResidentRequest, request_id).status == status  # type: ignore[union-attr]
    # No such request: 404 on the page and on an action.
    assert client.get("/admin/requests/999999").status_code == 404
    assert client.submit("/admin/requests/999999/accept", page="/admin/requests").status_code == 404


def test_a_colleague_who_is_no_member_of_a_staffed_unit_is_refused(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    """Once the unit has members, a handler of the same area who is not one sees the
    page only as routing staff do, and is refused the unit's actions."""
    app.state.fixed_now = NOW + timedelta(days=1)
    request_id = _routed(engine, world)
    with Session(engine) as s, s.begin():
        found = s.get(ResidentRequest, request_id)
        assert found is not None and found.unit_id is not None
        s.add(UnitMember(unit_id=found.unit_id, account_id=world["people"]["unit_staff"].id))
    base = f"/admin/requests/{request_id}"
    client.sign_in("communityworker")  # routes here, no member of the unit
    assert _shown(client.get(base).text) == {"redirect", "mediation-open"}
    assert client.submit(f"{base}/accept", page=base).status_code == 403
    client.sign_in("unitstaff")
    assert _shown(client.get(base).text) == {"accept", "transfer", "mediation-open"}


def _timeline(html: str) -> int:
    found = re.search(r'<ol class="timeline" id="timeline">(.*?)</ol>', html, re.S)
    assert found
    return found.group(1).count('<li class="card">')


def _notices(html: str) -> int:
    found = re.search(r'<section class="card" id="supervision">.*?<ul>(.*?)</ul>', html, re.S)
    assert found
    return found.group(1).count("<li>")


@pytest.mark.parametrize("login", ["communityworker", "unitstaff", "otherunit", "admin"])
def test_the_page_runs_as_many_statements_for_30_history_entries_as_for_3(
    app: Starlette, client: FormClient, engine: Engine, world: World, login: str
) -> None:
    """Fails on the old code: every step and notice of the history was a row of the
    page, and each helping unit was asked about on its own (routing staff who act
    for no unit: three statements a unit)."""
    app.state.fixed_now = NOW + timedelta(days=1)
    _helping_staff(engine, world)
    short, long = _long(engine, world, 3, bodies=3), _long(engine, world, 30, bodies=30)
    with Session(engine) as s, s.begin():  # only its member acts for the lead unit
        lead = s.get(ResidentRequest, long)
        assert lead is not None and lead.unit_id is not None
        s.add(UnitMember(unit_id=lead.unit_id, account_id=world["people"]["unit_staff"].id))
    client.sign_in(login)
    few = statements_of_page(client, f"/admin/requests/{short}")
    many = statements_of_page(client, f"/admin/requests/{long}")
    assert len(many) == len(few), "\n".join(many)
    # The long history is capped, visibly, with a way to see all of it.
    text = client.get(f"/admin/requests/{long}").text
    assert _timeline(text) == history.STEPS_SHOWN and "history-more" in text
    assert _notices(text) == supervision_pages.NOTICES_SHOWN and "notices-more" in text
    assert f"/admin/requests/{long}?history=all" in text
    short_text = client.get(f"/admin/requests/{short}").text
    assert "history-more" not in short_text and "notices-more" not in short_text
    every = client.get(f"/admin/requests/{long}?history=all").text
    with Session(engine) as s:
        steps = s.scalar(select(func.count()).where(RequestStep.request_id == long))
    assert _timeline(every) == steps and _notices(every) == 30
    assert "history-more" not in every and "notices-more" not in every
    assert len(statements_of_page(client, f"/admin/requests/{long}?history=all")) == len(few)


@pytest.mark.parametrize("query", ["history=abc", "history=", "history=all&history=x", "page=-1"])
def test_bad_history_input_gives_the_normal_page(
    app: Starlette, client: FormClient, engine: Engine, world: World, query: str
) -> None:
    app.state.fixed_now = NOW + timedelta(days=1)
    _helping_staff(engine, world)
    long = _long(engine, world, 31)
    client.sign_in("unitstaff")
    answer = client.get(f"/admin/requests/{long}?{query}")
    assert answer.status_code == 200
    every = "history=all" in query and not query.endswith("x")
    assert ("history-more" in answer.text) is not every
