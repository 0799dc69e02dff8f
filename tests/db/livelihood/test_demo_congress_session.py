"""The demo has a congress session in progress: the ``deputy`` demo account signs in
at the session and casts a ballot in the open box, through the web pages, as the
README's demo paragraph tells a newcomer to do."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.orm import Session

from demo.city import DEMO_PASSWORD
from participation.ballots.boxes import get_box
from participation.db import make_engine, utcnow
from participation.livelihood import services as livelihood
from tests.support.client import FormClient
from web.app import create_app
from web.settings import Settings

ROOT = Path(__file__).resolve().parents[3]


def test_the_demo_deputy_signs_in_at_the_session_and_votes(demo_url: str) -> None:
    url = demo_url
    engine = make_engine(url)
    with Session(engine) as s:
        in_session = [c for c in livelihood.cycles(s) if c.phase == "session"]
        assert len(in_session) == 1, "the demo has one congress session in progress"
        cycle = in_session[0]
        assert cycle.box_id is not None and get_box(s, cycle.box_id).is_open(utcnow())
        cycle_id, box_id = cycle.id, cycle.box_id
    engine.dispose()

    settings = Settings(
        environment="test", database_url=url, base_url="http://testserver", cheap_hashing=True
    )
    app = create_app(settings)
    with FormClient(app, base_url="http://testserver") as deputy:
        deputy.sign_in("deputy", DEMO_PASSWORD)
        page = f"/livelihood/{cycle_id}"
        assert f'action="{page}/attend"' in deputy.get(page).text  # not signed in yet
        assert deputy.submit(f"{page}/attend", page=page).status_code == 303
        ballot = deputy.get(f"/ballots/{box_id}").text
        keys = re.findall(r'name="item" value="([^"]+)"', ballot)
        assert len(keys) > 1
        cast = deputy.submit(f"/ballots/{box_id}/cast", {"item": keys[:2]}, page=page)
        assert cast.status_code == 303, cast.text
        assert cast.headers["location"] == f"/ballots/{box_id}/receipt"
    app.state.engine.dispose()

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "sign in as `deputy`" in readme and "临江街道" in readme
