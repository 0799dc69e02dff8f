"""The deputies' liaison station (/requests/deputy) is reached from where deputies
look: the requests index, the office queue and a livelihood cycle's page; people on
no deputy roll are not shown a link that would refuse them."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.rolls import Congress, DeputyEntry
from tests.support.client import FormClient
from tests.support.projects import DEPUTIES, seed_cycle
from tests.support.world import World

LINK = 'href="/requests/deputy"'


def _on_roll(engine: Engine, world: World, login: str) -> None:
    with Session(engine) as s, s.begin():
        congress = Congress(area_id=world["street"].id, term=1, session_number=1, name="一街道人大")
        s.add(congress)
        s.flush()
        s.add(
            DeputyEntry(
                congress_id=congress.id,
                name="陈代表",
                id_hash="d" * 64,
                constituency="一社区",
                account_id=world["people"][login].id,
            )
        )


def test_a_deputy_on_a_roll_finds_the_station_from_the_requests_index(
    client: FormClient, engine: Engine, world: World
) -> None:
    client.sign_in("deputy")
    assert LINK not in client.get("/requests").text  # not on a roll: the page would refuse
    _on_roll(engine, world, "deputy")
    assert LINK in client.get("/requests").text
    assert client.get("/requests/deputy").status_code == 200


def test_the_office_queue_links_the_station_for_staff_on_a_deputy_roll(
    client: FormClient, engine: Engine, world: World
) -> None:
    client.sign_in("staff")
    queue = client.get("/admin/requests").text
    assert LINK not in queue and 'href="/requests/hotspots"' in queue
    _on_roll(engine, world, "staff")
    assert LINK in client.get("/admin/requests").text


def test_a_deputy_finds_the_station_from_the_livelihood_cycle(
    client: FormClient, engine: Engine, world: World
) -> None:
    cycle = seed_cycle(engine, world, to_session=False)
    client.sign_in(DEPUTIES[0].replace("_", ""))
    assert LINK in client.get(f"/livelihood/{cycle}").text
    client.sign_in("resident")
    assert LINK not in client.get(f"/livelihood/{cycle}").text
