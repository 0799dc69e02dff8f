"""A published box's page shows its tally without reading the bulletin: the
bulletin holds every ballot (300,000 in a city-wide vote), the tally a line per item."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from starlette.applications import Starlette

from tests.support.client import FormClient
from tests.support.queries import statements
from tests.support.world import MakeClient, World
from tests.web.ballots.test_ballots import NOW
from tests.web.ballots.test_receipts import cast_two


def test_the_box_page_reads_the_tally_not_the_bulletin(
    app: Starlette, client: FormClient, make_client: MakeClient, world: World, engine: Engine
) -> None:
    """Fails on the old code: the page loaded and parsed the whole bulletin."""
    box_id, _codes, _carried = cast_two(app, client, make_client, world, engine)
    app.state.fixed_now = NOW + timedelta(hours=2)
    published = client.submit(f"/admin/ballots/{box_id}/publish", page="/admin/ballots")
    assert published.status_code == 303
    with statements() as seen:
        page = client.get(f"/ballots/{box_id}")
    assert page.status_code == 200 and "<meter" in page.text
    assert not [sql for sql in seen if "bulletin_json" in sql]
    bulletin = client.get(f"/ballots/{box_id}/bulletin.json").json()
    assert bulletin["tally"]["ballots"] == 2
