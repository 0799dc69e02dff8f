"""Pages that stated wrong facts (issue 13, item 6): a consultation said "quorum
not reached" days before its meeting."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.applications import Starlette

from tests.support.client import FormClient
from tests.support.consultations import NOW
from tests.web.consultations.test_consultations import place  # noqa: F401  (the fixture)


def _quorum_line(text: str) -> str:
    return text.split('data-testid="quorum"')[1].split("</p>")[0]


def test_quorum_is_not_called_missed_before_the_meeting(
    client: FormClient,
    app: Starlette,
    place: dict[str, Any],  # noqa: F811
) -> None:
    url = f"/consultations/{place['consultation'].id}"
    before = _quorum_line(client.get(url).text)  # the meeting is four days away
    assert "未达到法定人数" not in before
    assert "会议当天签到" in before
    app.state.fixed_now = NOW + timedelta(days=5)  # the meeting took place, nobody signed in
    after = _quorum_line(client.get(url).text)
    assert "未达到法定人数" in after
