"""A ballot from creation to a verified bulletin, through the web pages."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.ballots.models import BallotBox
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.people import enrol
from tests.support.voters import stored_ballots
from tests.support.world import MakeClient, World
from web.cli import main as cli_main
from web.kit.i18n import LOCAL_TZ

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """This module runs on SQLite and on PostgreSQL."""
    return any_db_url


@pytest.fixture
def voters(world: World, engine: Engine) -> World:
    """Verified residents of the community: 'resident' and 'householdrep' (one household)."""
    with Session(engine) as s, s.begin():
        enrol(s, world, ["resident", "household_rep", "volunteer"])
    return world


def local(dt: datetime) -> str:
    return dt.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


def create_box(client: FormClient, world: World, **extra: str) -> int:
    form = {
        "title": "社区议题表决",
        "area_id": str(world["community"].id),
        "roll": "residents",
        "secrecy": "secret",
        "opens_at": local(NOW - timedelta(hours=1)),
        "closes_at": local(NOW + timedelta(hours=1)),
        "kind": "choose",
        "rule": "threshold",
        "min_choices": "1",
        "max_choices": "2",
        "places": "1",
        "items": "加装电梯\n修缮凉亭\n增设路灯",
    } | extra
    response = client.submit("/admin/ballots", form, page="/admin/ballots")
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def test_full_ballot(
    app: Starlette,
    client: FormClient,
    make_client: MakeClient,
    voters: World,
    engine: Engine,
    tmp_path: Path,
) -> None:
    app.state.fixed_now = NOW
    client.sign_in("communityworker", PASSWORD)
    box_id = create_box(client, voters)

    resident = make_client()
    resident.sign_in("resident", PASSWORD)
    page = resident.get(f"/ballots/{box_id}").text
    assert 'name="item"' in page
    cast = resident.submit(
        f"/ballots/{box_id}/cast", {"item": ["1", "2"]}, page=f"/ballots/{box_id}"
    )
    assert cast.status_code == 303
    receipt_page = resident.get(cast.headers["location"]).text
    code = re.search(r"<code>([0-9A-F-]{19})</code>", receipt_page).group(1)  # type: ignore[union-attr]
    assert code not in resident.get(cast.headers["location"]).text  # shown once only
    again = resident.submit(f"/ballots/{box_id}/cast", {"item": ["3"]}, page=f"/ballots/{box_id}")
    assert again.status_code == 409

    other = make_client()
    other.sign_in("volunteer", PASSWORD)
    too_many = other.submit(
        f"/ballots/{box_id}/cast", {"item": ["1", "2", "3"]}, page=f"/ballots/{box_id}"
    )
    assert too_many.status_code == 422 and "最多选择 2" in too_many.text
    assert (
        other.submit(
            f"/ballots/{box_id}/cast", {"item": ["1"]}, page=f"/ballots/{box_id}"
        ).status_code
        == 303
    )

    outsider = make_client()
    outsider.sign_in("nobody", PASSWORD)
    refused = outsider.submit(f"/ballots/{box_id}/cast", {"item": ["1"]}, page=f"/ballots/{box_id}")
    assert refused.status_code == 403
    with Session(engine) as s:
        assert stored_ballots(s) == 2

    # Results stay hidden while the box is open, from the administrator too.
    assert (
        client.submit(f"/admin/ballots/{box_id}/publish", page="/admin/ballots").status_code == 422
    )
    assert client.get(f"/ballots/{box_id}/bulletin.json").status_code == 404

    app.state.fixed_now = NOW + timedelta(hours=2)
    # Paper ballots: two tellers must agree.
    first = client.submit(
        f"/admin/ballots/{box_id}/paper",
        {"label": "第1箱", "ballots": "1\n1 3\n1 2 3\n"},
        page="/admin/ballots",
    )
    assert first.status_code == 303
    same = client.submit(
        f"/admin/ballots/{box_id}/paper",
        {"label": "第1箱", "ballots": "1\n1 3\n1 2 3\n"},
        page="/admin/ballots",
    )
    assert same.status_code == 422  # the same teller cannot confirm their own entry
    admin = make_client()
    admin.sign_in("admin", PASSWORD)
    differs = admin.submit(
        f"/admin/ballots/{box_id}/paper",
        {"label": "第2箱", "ballots": "2\n"},
        page="/admin/ballots",
    )
    assert differs.status_code == 303
    client.submit(
        f"/admin/ballots/{box_id}/paper",
        {"label": "第2箱", "ballots": "3\n"},
        page="/admin/ballots",
    )
    blocked = client.submit(f"/admin/ballots/{box_id}/publish", page="/admin/ballots")
    assert blocked.status_code == 422 and "第2箱" in blocked.text
    # The discrepancy is resolved by a recount: both tellers enter the batch again.
    assert (
        client.submit(
            f"/admin/ballots/{box_id}/recount", {"label": "第2箱"}, page="/admin/ballots"
        ).status_code
        == 303
    )
    for teller in (client, admin):
        assert (
            teller.submit(
                f"/admin/ballots/{box_id}/paper",
                {"label": "第2箱", "ballots": ""},
                page="/admin/ballots",
            ).status_code
            == 303
        )
    assert (
        admin.submit(
            f"/admin/ballots/{box_id}/paper",
            {"label": "第1箱", "ballots": "1\n1 3\n1 2 3\n"},
            page="/admin/ballots",
        ).status_code
        == 303
    )
    published = client.submit(f"/admin/ballots/{box_id}/publish", page="/admin/ballots")
    assert published.status_code == 303

    results = resident.get(f"/ballots/{box_id}").text
    assert "加装电梯" in results and "<meter" in results
    # Online: {1,2}, {1}; paper: {1}, {1,3}, void {1,2,3}. Item 1: 4 of 5 ballots.
    bulletin = resident.get(f"/ballots/{box_id}/bulletin.json").json()
    assert bulletin["tally"]["ballots"] == 5 and bulletin["tally"]["void"] == 1
    # Item 1: 4 votes > half of the 3 residents on the roll; one place: item 1 alone.
    assert bulletin["tally"]["selected"] == ["1"]
    assert [r["value"] for r in bulletin["tally"]["rows"]] == [4, 1, 1]
    found = resident.get(f"/ballots/{box_id}?receipt={code}").text
    assert "您的选票在公告中" in found
    assert "没有" in resident.get(f"/ballots/{box_id}?receipt=0000-0000-0000-0000").text

    path = tmp_path / "bulletin.json"
    path.write_text(json.dumps(bulletin, ensure_ascii=False), encoding="utf-8")
    assert cli_main(["verify", str(path)]) == 0
    tampered = json.loads(path.read_text(encoding="utf-8"))
    tampered["ballots"][0]["content"] = {"approved": ["3"]}
    path.write_text(json.dumps(tampered, ensure_ascii=False), encoding="utf-8")
    assert cli_main(["verify", str(path)]) == 1
    api = client.get("/api/v1/ballots").json()
    assert api["count"] == 1 and api["items"][0]["root"] == bulletin["root"]
    with Session(engine) as s:
        box = s.get(BallotBox, box_id)
        assert box is not None and box.bulletin_root == bulletin["root"]


def test_paper_batches_entered_as_counts(
    app: Starlette, client: FormClient, make_client: MakeClient, voters: World
) -> None:
    app.state.fixed_now = NOW
    client.sign_in("communityworker", PASSWORD)
    box_id = create_box(
        client,
        voters,
        kind="yes_no",
        rule="threshold",
        min_choices="",
        max_choices="",
        places="",
        items="甲\n乙",
    )
    app.state.fixed_now = NOW + timedelta(hours=2)
    admin = make_client()
    admin.sign_in("admin", PASSWORD)
    counts = {"label": "会场", "valid": "10", "void": "2", "counts": "1: 7 2 1\n2: 3 6 1"}
    wrong = client.submit(
        f"/admin/ballots/{box_id}/paper-counts",
        counts | {"counts": "1: 7 2 2\n2: 3 6 1"},
        page="/admin/ballots",
    )
    assert wrong.status_code == 422 and "相加" in wrong.text
    for teller in (client, admin):
        entered = teller.submit(
            f"/admin/ballots/{box_id}/paper-counts", counts, page="/admin/ballots"
        )
        assert entered.status_code == 303
    assert (
        client.submit(f"/admin/ballots/{box_id}/publish", page="/admin/ballots").status_code == 303
    )
    tally = client.get(f"/ballots/{box_id}/bulletin.json").json()["tally"]
    assert tally["ballots"] == 12 and tally["void"] == 2
    rows = {r["key"]: r for r in tally["rows"]}
    assert rows["1"]["value"] == 7 and rows["2"]["value"] == 3
    assert rows["1"]["detail"] == [["Yes", 7], ["No", 2], ["Abstain", 1]]
