"""The delivering department of a consultation's resolution is chosen among those
serving its community (its own, its street's, its district's, the city's, and those
not placed yet), not among every department of the city: the page offers the same
options and runs as many statements with 3N departments elsewhere as with N, and a
department elsewhere is refused with a message, changing nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from consultations.models import Consultation
from participation.ballots.models import BallotBox
from tests.support.client import FormClient
from tests.support.consultations import NOW
from tests.support.department_scope import elsewhere, offered, placed
from tests.support.queries import statements_of_page
from tests.web.consultations.test_consultations import PASSWORD, place  # noqa: F401 (fixture)

VOTE = {
    "resolution": "同意加装电梯",
    "roll": "representatives",
    "base": "eligible",
    "share": "1/2",
    "opens_at": "2027-03-05T11:00",
    "closes_at": "2027-03-05T12:00",
    "commits": "1",
    "budget_yuan": "200000",
    "due_on": "2027-12-31",
}


def _minutes_signed(engine: Engine, consultation_id: int) -> None:
    """What the meeting leaves before a vote: signed minutes."""
    with Session(engine) as s, s.begin():
        c = s.get(Consultation, consultation_id)
        assert c is not None
        c.minutes, c.summary = "纪要", "摘要"
        c.recorder_signed_at = c.host_signed_at = NOW + timedelta(days=4)


def test_the_vote_form_offers_the_departments_serving_the_community(
    client: FormClient,
    engine: Engine,
    place: dict[str, Any],  # noqa: F811
) -> None:
    """Fails on the old code: every department of the city was an option."""
    c = place["c"]
    city_id, _district, street_id = (int(p) for p in c.area.path.strip("/").split("/")[:3])
    cid = place["consultation"].id
    _minutes_signed(engine, cid)
    placed(engine, street_id, "望江街道办事处")
    client.sign_in("cworker", PASSWORD)
    url = f"/admin/consultations/{cid}"
    elsewhere(engine, city_id, 20, "a")
    few = statements_of_page(client, url)
    first = offered(client.get(url).text, "f-owner_department")
    elsewhere(engine, city_id, 40, "b")  # 3N
    assert len(statements_of_page(client, url)) == len(few)
    options = offered(client.get(url).text, "f-owner_department")
    assert options == first
    assert "望江街道办事处" in options and "区住建局" in options  # placed above, or not placed
    assert not any(o.startswith("外区单位") for o in options)

    refused = client.submit(f"{url}/vote", VOTE | {"owner_department": "外区单位a000"}, page=url)
    assert refused.status_code == 422
    assert "该部门不服务于这一地区" in refused.text
    assert 'aria-describedby="f-owner_department-error"' in refused.text
    with Session(engine) as s:
        assert s.get(Consultation, cid).box_id is None  # type: ignore[union-attr]
        assert s.scalar(select(func.count()).select_from(BallotBox)) == 0
    done = client.submit(f"{url}/vote", VOTE | {"owner_department": "望江街道办事处"}, page=url)
    assert done.status_code == 303
    with Session(engine) as s:
        assert s.get(Consultation, cid).owner_department == "望江街道办事处"  # type: ignore[union-attr]
