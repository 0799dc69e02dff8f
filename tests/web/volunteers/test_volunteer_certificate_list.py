"""The certificates an officer manages, found in SQL whatever the rest of the city
issued: the office overview shows the newest 20 of them, and a paged list all.

A certificate is an officer's when every team whose hours it counts lies in their
reach (``volunteers.certificates.manageable``); other areas' certificates, however
many and however new, neither push theirs out of the overview nor show."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.queries import page_selects
from tests.support.volunteering import backfilled_hours
from tests.support.world import World
from volunteers.models import Certificate, Team

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
LIST = "/admin/volunteers/certificates"


@pytest.fixture
def holders(app: Starlette, world: World, engine: Engine) -> dict[str, int]:
    """'resident' served in the community worker's community (here), 'volunteer'
    only in the other community of the street (there)."""
    app.state.fixed_now = NOW
    people = world["people"]
    with Session(engine) as s, s.begin():
        for key, area, person in (
            ("here", world["community"], "resident"),
            ("there", world["other"], "volunteer"),
        ):
            team = Team(area_id=area.id, name=f"{key}队", kind="featured", join_mode="open")
            s.add(team)
            s.flush()
            backfilled_hours(s, team, people[person].id, 600, NOW)
    return {"here": people["resident"].id, "there": people["volunteer"].id}


def _certificates(engine: Engine, account_id: int, count: int, tag: str) -> list[str]:
    """``count`` certificates for the person, issued after their hours, newest last."""
    numbers = [f"ZY2026{tag}{n:05d}" for n in range(count)]
    with Session(engine) as s, s.begin():
        for n, number in enumerate(numbers):
            s.add(
                Certificate(
                    number=number,
                    account_id=account_id,
                    holder_name=f"持证人{tag}",
                    masked_id="",
                    volunteer_number="",
                    minutes=600,
                    service_content="环境整治",
                    issuer="测试",
                    issued_at=NOW - timedelta(days=1) + timedelta(seconds=n),
                )
            )
    return numbers


def _listed(html: str) -> list[str]:
    return re.findall(r'href="/volunteers/verify/(ZY2026[A-Z]+\d+)"', html)


def test_an_officers_certificate_shows_behind_a_hundred_newer_ones_elsewhere(
    client: FormClient, engine: Engine, holders: dict[str, int]
) -> None:
    """Fails on the old code: the overview took the city's 100 newest certificates
    and kept those the officer manages, so theirs, older, never showed."""
    (mine,) = _certificates(engine, holders["here"], 1, "HERE")
    theirs = _certificates(engine, holders["there"], 100, "THERE")
    client.sign_in("communityworker", PASSWORD)
    page = client.get("/admin/volunteers").text
    assert _listed(page) == [mine]
    assert not set(theirs) & set(_listed(client.get(LIST).text))


def test_the_overview_shows_the_newest_twenty_and_links_to_all(
    client: FormClient, engine: Engine, holders: dict[str, int]
) -> None:
    """Fails on the old code: there was no list of all certificates to link to."""
    mine = _certificates(engine, holders["here"], 25, "HERE")
    _certificates(engine, holders["there"], 30, "THERE")
    client.sign_in("communityworker", PASSWORD)
    page = client.get("/admin/volunteers").text
    assert _listed(page) == mine[::-1][:20]
    assert f'href="{LIST}"' in page
    first = client.get(LIST)
    assert first.status_code == 200
    assert _listed(first.text) == mine[::-1][:20]
    assert f'href="{LIST}?page=2"' in first.text
    assert _listed(client.get(f"{LIST}?page=2").text) == mine[::-1][20:]


def test_no_link_to_the_list_when_the_overview_shows_every_certificate(
    client: FormClient, engine: Engine, holders: dict[str, int]
) -> None:
    _certificates(engine, holders["here"], 20, "HERE")
    client.sign_in("communityworker", PASSWORD)
    assert f'href="{LIST}"' not in client.get("/admin/volunteers").text


def test_a_city_wide_officer_lists_every_certificate(
    client: FormClient, engine: Engine, holders: dict[str, int]
) -> None:
    here = _certificates(engine, holders["here"], 3, "HERE")
    there = _certificates(engine, holders["there"], 2, "THERE")
    client.sign_in("admin", PASSWORD)
    assert sorted(_listed(client.get(LIST).text)) == sorted(here + there)


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999999999999", "1e3"])
def test_a_bad_page_number_gives_a_normal_page(
    client: FormClient, engine: Engine, holders: dict[str, int], page: str
) -> None:
    mine = _certificates(engine, holders["here"], 3, "HERE")
    client.sign_in("communityworker", PASSWORD)
    r = client.get(f"{LIST}?page={page}")
    assert r.status_code == 200
    assert sorted(_listed(r.text)) == sorted(mine)


def test_the_list_is_only_for_volunteer_officers(
    client: FormClient, holders: dict[str, int]
) -> None:
    assert client.get(LIST, follow_redirects=False).status_code in (302, 303)  # to sign in
    client.sign_in("resident", PASSWORD)
    assert client.get(LIST).status_code == 403


def test_the_overview_and_the_list_run_as_many_statements_for_3n_certificates(
    app: Starlette, client: FormClient, engine: Engine, holders: dict[str, int]
) -> None:
    client.sign_in("communityworker", PASSWORD)
    _certificates(engine, holders["here"], 10, "HEREA")  # N of theirs
    _certificates(engine, holders["there"], 10, "THEREA")
    few = [page_selects(engine, client, url)[0] for url in ("/admin/volunteers", LIST)]
    _certificates(engine, holders["here"], 20, "HEREB")  # 3N
    _certificates(engine, holders["there"], 20, "THEREB")
    many = [page_selects(engine, client, url) for url in ("/admin/volunteers", LIST)]
    assert [n for n, _ in many] == few
    assert [len(_listed(html)) for _, html in many] == [20, 20]


def test_a_revoke_from_the_list_comes_back_to_its_page(
    client: FormClient, engine: Engine, holders: dict[str, int]
) -> None:
    mine = _certificates(engine, holders["here"], 25, "HERE")
    oldest = mine[0]  # on page 2 of the list, not on the overview
    client.sign_in("communityworker", PASSWORD)
    revoke = f"{LIST}/{oldest}/revoke"
    r = client.submit(revoke, {"reason": "  ", "page": "2"}, page=f"{LIST}?page=2")
    assert r.status_code == 422
    row = r.text.split(f'href="/volunteers/verify/{oldest}"', 1)[1].split("</tr>", 1)[0]
    assert "请说明撤销证明的理由。" in row
    r = client.submit(revoke, {"reason": "信息有误", "page": "2"}, page=f"{LIST}?page=2")
    assert r.status_code == 303
    assert r.headers["location"] == f"{LIST}?page=2"
    with Session(engine) as s:
        revoked = s.scalar(select(Certificate.revoked_at).where(Certificate.number == oldest))
        assert revoked is not None
