"""A receipt lets its holder check that their ballot was counted, and proves
nothing about what it said: the bulletin lists receipts apart from contents, and
the code never sits readable in the session cookie."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.ballots.rules.bulletin import receipt_hash
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.people import enrol
from tests.support.queries import statements
from tests.support.world import MakeClient, World
from tests.web.ballots.test_ballots import NOW, create_box


def session_payload(cookie: str) -> str:
    """What Starlette's signed (not encrypted) session cookie carries, decoded."""
    value = cookie.rsplit(".", 2)[0]
    return base64.b64decode(value + "=" * (-len(value) % 4)).decode()


def cast_two(
    app: Starlette, client: FormClient, make_client: MakeClient, world: World, engine: Engine
) -> tuple[int, dict[str, str], list[str]]:
    """Two residents vote; returns the box, their receipt codes, and what their
    session cookies carried between the cast and the receipt page."""
    with Session(engine) as s, s.begin():
        enrol(s, world, ["resident", "volunteer"])
    app.state.fixed_now = NOW
    client.sign_in("communityworker", PASSWORD)
    box_id = create_box(client, world)
    codes, carried = {}, []
    for login, items in (("resident", ["2"]), ("volunteer", ["1", "3"])):
        voter = make_client()
        voter.sign_in(login, PASSWORD)
        cast = voter.submit(f"/ballots/{box_id}/cast", {"item": items}, page=f"/ballots/{box_id}")
        assert cast.status_code == 303
        carried.append(session_payload(voter.cookies["gongzhi_session"]))
        page = voter.get(cast.headers["location"]).text
        codes[login] = re.search(r"<code>([0-9A-F-]{19})</code>", page).group(1)  # type: ignore[union-attr]
        assert "不显示选票内容" in page  # the page promises inclusion, not content
    return box_id, codes, carried


def test_the_session_cookie_never_carries_a_readable_receipt_code(
    app: Starlette, client: FormClient, make_client: MakeClient, world: World, engine: Engine
) -> None:
    _box_id, codes, carried = cast_two(app, client, make_client, world, engine)
    for code, payload in zip(codes.values(), carried, strict=True):
        assert "receipt:" in payload  # it rides there until the receipt page shows it ...
        assert code not in payload and code.replace("-", "") not in payload  # ... sealed


def test_a_receipt_shows_inclusion_but_cannot_be_matched_to_its_content(
    app: Starlette, client: FormClient, make_client: MakeClient, world: World, engine: Engine
) -> None:
    box_id, codes, _carried = cast_two(app, client, make_client, world, engine)
    app.state.fixed_now = NOW + timedelta(hours=2)
    assert (
        client.submit(f"/admin/ballots/{box_id}/publish", page="/admin/ballots").status_code == 303
    )
    bulletin = client.get(f"/ballots/{box_id}/bulletin.json").json()
    hashes = {receipt_hash(code) for code in codes.values()}
    assert set(bulletin["receipts"]) == hashes  # each voter finds their receipt ...
    for ballot in bulletin["ballots"]:  # ... but no ballot points at a receipt
        assert set(ballot) == {"content", "source", "link"}
        assert not any(h in json.dumps(ballot) for h in hashes)
    contents = sorted(json.dumps(b["content"]) for b in bulletin["ballots"])
    assert contents == sorted(json.dumps({"approved": a}) for a in (["2"], ["1", "3"]))
    page = client.get(f"/ballots/{box_id}?receipt={codes['resident']}").text
    assert "您的选票在公告中" in page


def test_checking_a_receipt_probes_the_receipts_and_never_reads_the_bulletin(
    app: Starlette, client: FormClient, make_client: MakeClient, world: World, engine: Engine
) -> None:
    """The bulletin holds every ballot (hundreds of kilobytes in a city's round);
    the receipt check answers from the receipts it was built from, found or not."""
    box_id, codes, _carried = cast_two(app, client, make_client, world, engine)
    app.state.fixed_now = NOW + timedelta(hours=2)
    assert (
        client.submit(f"/admin/ballots/{box_id}/publish", page="/admin/ballots").status_code == 303
    )
    for code, found in ((codes["volunteer"], True), ("0000-0000-0000-0000", False)):
        with statements() as seen:
            page = client.get(f"/ballots/{box_id}?receipt={code}")
        assert page.status_code == 200
        assert ("您的选票在公告中" in page.text) is found
        assert ("没有" in page.text) is not found
        assert not [sql for sql in seen if "bulletin_json" in sql]
