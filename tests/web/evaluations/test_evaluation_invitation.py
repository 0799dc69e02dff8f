"""Someone who already answered an evaluation is no longer invited to answer it
(issue 13, what a new user hit)."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from starlette.applications import Starlette

from tests.support.client import FormClient
from tests.support.evaluation_setup import NOW, build


def test_the_invitation_gives_way_to_thanks_once_answered(
    client: FormClient, app: Starlette, engine: Engine
) -> None:
    app.state.fixed_now = NOW
    ew = build(engine, residents=4)
    page_url, url = f"/evaluations/{ew.evaluation_id}", f"/evaluations/{ew.evaluation_id}/respond"
    client.sign_in("13900000000", "evaluation-pass")
    assert f'href="{url}"' in client.get(page_url).text
    done = client.submit(url, {"q1": "4", "q2": "5", "q3": "3", "action": "submit"}, page=url)
    assert done.status_code == 303
    page = client.get(page_url).text
    assert f'href="{url}"' not in page
    assert "您已参加本次评估" in page
