"""/admin/ballots and the public /ballots at a city's size (hundreds of boxes):
paged in SQL, in as many statements for 3N boxes as for N; the office's newest
first, the pager keeping the area step of the new-ballot form; the public list's
latest to close first."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.ballots.boxes import NewBox, NewItem, create_box
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from tests.support.client import FormClient
from tests.support.queries import page_selects
from tests.support.world import World

PER_PAGE = 50  # web.ballots.office.BOXES_PER_PAGE
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _boxes(engine: Engine, world: World, count: int, tag: str) -> None:
    with Session(engine) as s, s.begin():
        for k in range(count):
            create_box(
                s,
                NewBox(
                    title=f"表决{tag}{k:03d}",
                    area=world["community"],
                    roll=Roll.RESIDENTS,
                    opens_at=NOW - timedelta(hours=1),
                    closes_at=NOW + timedelta(hours=1),
                    form=BallotForm(FormKind.CHOOSE, 1, 1),
                    rule={"rule": "approval"},
                    items=[NewItem("甲"), NewItem("乙")],
                ),
                None,
            )


def _rows(html: str) -> int:
    return len(re.findall(r'<a href="/admin/ballots/\d+">', html))


def test_the_ballot_list_runs_as_many_statements_for_3n_boxes_as_for_n(
    client: FormClient, engine: Engine, world: World
) -> None:
    """Fails on the old code: every box of the city was loaded and rendered."""
    client.sign_in("admin")
    _boxes(engine, world, 30, "a")
    few, small = page_selects(engine, client, "/admin/ballots")
    _boxes(engine, world, 60, "b")
    many, big = page_selects(engine, client, "/admin/ballots")
    assert few == many
    assert _rows(small) < PER_PAGE and _rows(big) == PER_PAGE
    assert "表决b059" in big and "表决a000" not in big  # the newest first
    area = world["district"].id
    later = client.get(f"/admin/ballots?area={area}&page=2").text
    assert "表决a000" in later and "表决b059" not in later
    assert f'href="/admin/ballots?area={area}&amp;page=1"' in later
    assert _rows(client.get("/admin/ballots?page=99").text) > 0


def _public_rows(html: str) -> list[str]:
    return re.findall(r'<a href="/ballots/\d+">(表决\w+)</a>', html)


def test_the_public_ballot_list_is_paged_latest_to_close_first(
    client: FormClient, engine: Engine, world: World
) -> None:
    """Fails on the old code: /ballots read and rendered every box of the city."""
    _boxes(engine, world, 30, "a")
    few, small = page_selects(engine, client, "/ballots")
    _boxes(engine, world, 60, "b")
    many, big = page_selects(engine, client, "/ballots")
    assert few == many
    first = _public_rows(big)
    assert len(_public_rows(small)) == 30 and len(first) == PER_PAGE
    # All close at once: the newest box first, then by id.
    assert first[0] == "表决b059" and first[-1] == "表决b010"
    second = _public_rows(client.get("/ballots?page=2").text)
    assert second[0] == "表决b009" and second[-1] == "表决a000" and len(second) == 40
    assert 'href="/ballots?page=1" rel="prev"' in client.get("/ballots?page=2").text
    assert _public_rows(client.get("/ballots?page=99").text) == second  # the last page
    for bad in ("abc", "-1", "0", "99999999999999999999"):
        answer = client.get(f"/ballots?page={bad}")
        assert answer.status_code == 200 and _public_rows(answer.text)
