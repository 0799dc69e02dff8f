"""Deliberation is for those a consultation concerns: others read the page,
see why they cannot write, and are refused with 403 with nothing stored."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from consultations import meetings
from consultations.models import Objection, OpinionStatement, OpinionVote, Participant, Post
from participation import accounts
from participation.organizations.models import Organization, OrgMember
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.consultations import NOW, verified
from tests.support.world import MakeClient
from tests.web.consultations.test_consultations import count
from tests.web.consultations.test_consultations import place as consultation_place

place = consultation_place  # the same fixture, by the name the tests ask for
WRITES = {Post, OpinionStatement, OpinionVote, Objection}


def totals(engine: Engine) -> dict[type, int]:
    return {model: count(engine, model) for model in WRITES}


def test_outsiders_read_but_cannot_deliberate(
    client: FormClient, make_client: MakeClient, place: dict[str, Any], engine: Engine
) -> None:
    cid, sid = place["consultation"].id, place["statements"][0]
    with Session(engine) as s, s.begin():
        accounts.sign_up(s, login="stranger", password=PASSWORD, display_name="路人")
        verified(s, s.merge(place["c"].other), "far0", "外社区居民", 900)
        row = meetings.get_consultation(s, cid)
        row.notice_starts_at, row.notice_ends_at = NOW, NOW + timedelta(days=7)
    url = f"/consultations/{cid}"
    before = totals(engine)

    client.sign_in("stranger", PASSWORD)
    page = client.get(url)
    assert page.status_code == 200 and "一楼住户应获补偿" in page.text  # reads everything
    assert 'name="choice"' not in page.text and f'action="{url}/posts"' not in page.text
    assert 'data-testid="read-only"' in page.text and 'href="/verify"' in page.text
    attempts = [
        (f"{url}/posts", {"kind": "for", "body": "我也想说"}),
        (f"{url}/statements", {"text": "外人的观点"}),
        (f"{url}/statements/{sid}/vote", {"choice": "agree"}),
        (f"{url}/objections", {"body": "我反对"}),
    ]
    for path, form in attempts:
        refused = client.submit(path, form, page=url)
        assert refused.status_code == 403, path
        assert "核验" in refused.text  # the explanation, in Chinese
    assert totals(engine) == before
    # With htmx, the refusal comes back as the opinion section, explained in place.
    token = client.csrf(url)
    swapped = client.post(
        f"{url}/statements/{sid}/vote",
        data={"csrf_token": token, "choice": "agree"},
        headers={"HX-Request": "true", "HX-Target": "opinion"},
    )
    assert swapped.status_code == 403
    assert swapped.text.lstrip().startswith('<section id="opinion"')
    assert 'data-testid="read-only"' in swapped.text
    assert totals(engine) == before

    far = make_client()
    far.sign_in("far0", PASSWORD)
    refused = far.submit(f"{url}/statements/{sid}/vote", {"choice": "agree"}, page=url)
    assert refused.status_code == 403 and "其他社区" in refused.text
    assert 'href="/verify"' not in refused.text.split('id="opinion"')[1].split("</section>")[0]
    assert totals(engine) == before

    # The community's own resident may.
    resident = make_client()
    resident.sign_in("res3", PASSWORD)
    assert 'data-testid="read-only"' not in resident.get(url).text
    done = resident.submit(f"{url}/posts", {"kind": "for", "body": "支持"}, page=url)
    assert done.status_code == 303 and count(engine, Post) == before[Post] + 1


def test_a_listed_organizations_member_may_deliberate(
    client: FormClient, place: dict[str, Any], engine: Engine
) -> None:
    cid, sid = place["consultation"].id, place["statements"][1]
    with Session(engine) as s, s.begin():
        member = accounts.sign_up(s, login="orgmember", password=PASSWORD, display_name="社工机构")
        org = Organization(
            name="阳光社工服务中心",
            credit_code="52440000MJL000001X",
            area_id=place["c"].area.id,
            status="verified",
            registered_by=member.id,
        )
        s.add(org)
        s.flush()
        s.add(OrgMember(org_id=org.id, account_id=member.id))
    url = f"/consultations/{cid}"
    client.sign_in("orgmember", PASSWORD)
    vote = {"choice": "agree"}
    assert client.submit(f"{url}/statements/{sid}/vote", vote, page=url).status_code == 403
    with Session(engine) as s, s.begin():
        s.add(Participant(consultation_id=cid, kind="organization", name="阳光社工服务中心"))
    assert client.submit(f"{url}/statements/{sid}/vote", vote, page=url).status_code == 303
