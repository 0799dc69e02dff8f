"""Consultation pages over HTTP: forms without JavaScript, refusals that store nothing,
the opinion map as a page and as an htmx fragment, open data without personal data."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import timedelta
from typing import Any, cast

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from consultations import meetings, topics
from consultations.models import Cosignature, Objection, OpinionStatement, Post, Topic
from tests.support.client import FormClient
from tests.support.consultations import NOW, community, elevator_in_two_camps, refresh_maps
from tests.support.queries import page_selects
from tests.support.world import MakeClient

PASSWORD = "correct horse"


@pytest.fixture
def place(engine: Engine, app: Starlette) -> dict[str, Any]:
    """A community, an accepted topic and an announced consultation with two opinion camps."""
    app.state.fixed_now = NOW
    with Session(engine, expire_on_commit=False) as s, s.begin():
        c = community(s, residents=12)
        topic, consultation, ids = elevator_in_two_camps(s, c, NOW)
    refresh_maps(engine)  # the worker's job: pages only read stored maps
    return {"c": c, "consultation": consultation, "topic": topic, "statements": ids}


def pdf_text(content: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True, timeout=60
    )
    return done.stdout.decode()


def count(engine: Engine, model: type) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_proposing_and_cosigning_a_topic(
    client: FormClient, make_client: MakeClient, place: dict[str, Any], engine: Engine
) -> None:
    client.sign_in("res1", PASSWORD)
    area_id = place["c"].area.id
    refused = client.submit(
        "/consultations/topics/new",
        {"area_id": area_id, "title": "", "source": "resident"},
        page="/consultations/topics/new",
    )
    assert refused.status_code == 422 and "请填写内容" in refused.text
    made = client.submit(
        "/consultations/topics/new",
        {"area_id": area_id, "title": "小区停车难", "body": "车位太少", "source": "resident"},
        page="/consultations/topics/new",
    )
    assert made.status_code == 303
    url = made.headers["location"]
    other = make_client()
    other.sign_in("res2", PASSWORD)
    assert other.submit(f"{url}/cosign", page=url).status_code == 303
    again = other.submit(f"{url}/cosign", page=url)
    assert again.status_code == 409 and "您已联名" in again.text
    page = client.get(url)
    assert '<strong data-testid="cosigners">2</strong>' in page.text
    with Session(engine) as s:
        topic_id = int(url.rsplit("/", 1)[1])
        assert s.scalar(select(func.count()).where(Cosignature.topic_id == topic_id)) == 2


def test_opinion_map_shows_groups_and_consensus_as_page_and_fragment(
    client: FormClient, place: dict[str, Any]
) -> None:
    url = f"/consultations/{place['consultation'].id}"
    page = client.get(url)
    assert page.status_code == 200
    assert page.text.count('data-testid="group"') == 2
    consensus = page.text.split('data-testid="consensus"')[1].split("</ul>")[0]
    assert "政府应补贴" in consensus and "施工应避开夜间" in consensus
    fragment = client.get(url, headers={"HX-Request": "true", "HX-Target": "opinion"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section id="opinion"')
    assert "<html" not in fragment.text


def test_statements_empty_oversized_or_outside_the_window_are_refused(
    client: FormClient, app: Starlette, place: dict[str, Any], engine: Engine
) -> None:
    url = f"/consultations/{place['consultation'].id}"
    client.sign_in("res3", PASSWORD)
    before = count(engine, OpinionStatement)
    for text in ("", "长" * 141):
        response = client.submit(f"{url}/statements", {"text": text}, page=url)
        assert response.status_code == 422
    assert "最多 140 个字" in response.text
    sid = place["statements"][0]
    app.state.fixed_now = NOW + timedelta(days=11)
    late = client.submit(f"{url}/statements/{sid}/vote", {"choice": "agree"}, page=url)
    assert late.status_code == 409 and "网上协商已结束" in late.text
    assert count(engine, OpinionStatement) == before


def test_moderation_needs_a_reason_and_tells_the_author(
    client: FormClient, make_client: MakeClient, place: dict[str, Any], engine: Engine
) -> None:
    url = f"/consultations/{place['consultation'].id}"
    author = make_client()
    author.sign_in("res4", PASSWORD)
    assert (
        author.submit(f"{url}/posts", {"kind": "for", "body": "支持加装"}, page=url).status_code
        == 303
    )
    with Session(engine) as s:
        post_id = s.scalars(select(Post.id)).one()
    client.sign_in("cworker", PASSWORD)
    admin_url = f"/admin/consultations/{place['consultation'].id}"
    refused = client.submit(f"{admin_url}/posts/{post_id}/hide", {"reason": " "}, page=admin_url)
    assert refused.status_code == 422
    with Session(engine) as s:
        assert s.get(Post, post_id).hidden_at is None  # type: ignore[union-attr]
    done = client.submit(
        f"{admin_url}/posts/{post_id}/hide", {"reason": "含有广告"}, page=admin_url
    )
    assert done.status_code == 303
    page = author.get(url)
    assert "含有广告" in page.text and "支持加装" not in page.text


def test_objections_after_the_notice_are_refused(
    client: FormClient, app: Starlette, place: dict[str, Any], engine: Engine
) -> None:
    with Session(engine) as s, s.begin():
        row = meetings.get_consultation(s, place["consultation"].id)
        row.notice_starts_at, row.notice_ends_at = NOW, NOW + timedelta(days=7)
    url = f"/consultations/{place['consultation'].id}"
    client.sign_in("res5", PASSWORD)
    assert client.submit(f"{url}/objections", {"body": "补偿不足"}, page=url).status_code == 303
    app.state.fixed_now = NOW + timedelta(days=7)
    late = client.submit(f"{url}/objections", {"body": "再提一条"}, page=url)
    assert late.status_code == 409 and "公示期已结束" in late.text
    assert count(engine, Objection) == 1


def test_open_data_has_no_personal_data(client: FormClient, place: dict[str, Any]) -> None:
    listing = client.get("/api/v1/consultations").json()
    assert listing["count"] == 1 and listing["items"][0]["stage"] == "deliberating"
    one = client.get(f"/api/v1/consultations/{place['consultation'].id}").json()
    assert len(one["opinion_map"]["groups"]) == 2
    text = client.get(f"/api/v1/consultations/{place['consultation'].id}").text
    for person in place["c"].residents:
        assert person.display_name not in text
    rows = list(
        csv.DictReader(io.StringIO(client.get("/api/v1/consultations.csv").text.lstrip("\ufeff")))
    )
    assert rows[0]["title"] == "加装电梯协商会" and rows[0]["cosigners"] == "1"
    assert "/api/v1/consultations" in client.get("/api/openapi.json").json()["paths"]


def test_a_declined_topic_shows_its_public_reason(
    client: FormClient, place: dict[str, Any], engine: Engine
) -> None:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        c = place["c"]
        topic = topics.propose_topic(
            s,
            area=c.area,
            title="广场舞噪音",
            body="",
            source="grid_worker",
            proposer_id=c.residents[0].id,
        )
    client.sign_in("cworker", PASSWORD)
    response = client.submit(
        f"/admin/consultations/topics/{topic.id}/triage",
        {"action": "decline", "reason": "已由城管部门处理"},
        page="/admin/consultations",
    )
    assert response.status_code == 303
    page = client.get(f"/consultations/topics/{topic.id}")
    assert "已由城管部门处理" in page.text
    with Session(engine) as s:
        assert s.get(Topic, topic.id).status == "declined"  # type: ignore[union-attr]


def test_back_office_journey_from_meeting_to_plan_item(
    client: FormClient,
    make_client: MakeClient,
    app: Starlette,
    place: dict[str, Any],
    engine: Engine,
) -> None:
    cid = place["consultation"].id
    admin_url = f"/admin/consultations/{cid}"
    client.sign_in("cworker", PASSWORD)
    assert client.get("/admin/consultations").status_code == 200
    meeting = NOW + timedelta(days=4, hours=1)
    app.state.fixed_now = meeting
    reps = place["c"].representatives
    for rep in reps[:2]:
        response = client.submit(f"{admin_url}/attendance", {"account_id": rep.id}, page=admin_url)
        assert response.status_code == 303
    again = client.submit(f"{admin_url}/attendance", {"account_id": reps[0].id}, page=admin_url)
    assert again.status_code == 409
    record = {
        "speakers": "代表0 | 支持加装\n住建局 | 可申请补贴",
        "summary": "多数代表支持",
        "minutes": "会议纪要全文",
        "recorder": "rep0",
        "host": "cworker",
    }
    assert client.submit(f"{admin_url}/record", record, page=admin_url).status_code == 303
    recorder = make_client()
    recorder.sign_in("rep0", PASSWORD)
    page_url = f"/consultations/{cid}"
    assert recorder.submit(f"{page_url}/minutes/sign", page=page_url).status_code == 303
    assert client.get(f"{page_url}/minutes.pdf").status_code == 404  # one signature is not enough
    assert client.submit(f"{page_url}/minutes/sign", page=page_url).status_code == 303
    pdf = client.get(f"{page_url}/minutes.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "加装电梯协商会" in text and "会议纪要全文" in text and "支持加装" in text
    vote = {
        "resolution": "同意加装电梯",
        "roll": "representatives",
        "base": "eligible",
        "share": "1/2",
        "opens_at": "2027-03-05T11:00",
        "closes_at": "2027-03-05T12:00",
        "commits": "1",
        "owner_department": "区住建局",
        "budget_yuan": "200000",
        "due_on": "2027-12-31",
    }
    assert client.submit(f"{admin_url}/vote", vote, page=admin_url).status_code == 303
    box_id = meetings.get_consultation(Session(engine), cid).box_id
    app.state.fixed_now = NOW + timedelta(days=4, hours=1, minutes=30)  # 11:30 Beijing time
    for n, _rep in enumerate(reps):
        voter = make_client()
        voter.sign_in(f"rep{n}", PASSWORD)
        cast = voter.submit(
            f"/ballots/{box_id}/cast", {"choice-resolution": "yes"}, page=f"/ballots/{box_id}"
        )
        assert cast.status_code == 303, cast.text
    app.state.fixed_now = NOW + timedelta(days=5)
    assert (
        client.submit(
            f"/admin/ballots/{box_id}/publish", page=f"/admin/ballots/{box_id}"
        ).status_code
        == 303
    )
    assert client.submit(f"{admin_url}/result", page=admin_url).status_code == 303
    resident = make_client()
    resident.sign_in("res6", PASSWORD)
    assert (
        resident.submit(f"{page_url}/objections", {"body": "一楼补偿？"}, page=page_url).status_code
        == 303
    )
    app.state.fixed_now = NOW + timedelta(days=13)
    refused = client.submit(f"{admin_url}/finalize", page=admin_url)
    assert refused.status_code == 409
    with Session(engine) as s:
        objection_id = s.scalars(select(Objection.id)).one()
    answered = client.submit(
        f"{admin_url}/objections/{objection_id}/answer", {"answer": "按楼层补偿"}, page=admin_url
    )
    assert answered.status_code == 303
    assert client.submit(f"{admin_url}/finalize", page=admin_url).status_code == 303
    page = client.get(page_url)
    assert 'data-testid="plan-status">计划中' in page.text
    assert "按楼层补偿" in page.text and "/plan/items/" in page.text


def test_a_term_opens_takes_candidates_and_refuses_a_stranger(
    client: FormClient, make_client: MakeClient, place: dict[str, Any]
) -> None:
    client.sign_in("cworker", PASSWORD)
    form = {
        "area_id": place["c"].area.id,
        "title": "第二届议事代表",
        "seats": "2",
        "starts_on": "2027-04-01",
        "ends_on": "2030-03-31",
    }
    made = client.submit("/admin/consultations/terms", form, page="/admin/consultations")
    assert made.status_code == 303
    term_url = made.headers["location"]
    resident = make_client()
    resident.sign_in("res7", PASSWORD)
    stood = resident.submit(f"{term_url}/stand", {"statement": "愿为邻里服务"}, page=term_url)
    assert stood.status_code == 303
    assert "愿为邻里服务" in resident.get(term_url).text
    stranger = make_client()
    stranger.sign_in("cworker", PASSWORD)  # not on the resident roll
    refused = stranger.submit(f"{term_url}/stand", {"statement": "我也报名"}, page=term_url)
    assert refused.status_code == 403 and "只有本社区已认证的居民才能报名参选" in refused.text
    early = client.submit(
        f"/admin/consultations/terms/{term_url.rsplit('/', 1)[1]}",
        {"action": "publish", "notice_until": "2027-03-05T10:00"},
        page="/admin/consultations",
    )
    assert early.status_code == 422 and "候选人少于席位数" in early.text


def test_community_settings_apply_to_new_topics_and_bad_values_are_refused(
    client: FormClient, place: dict[str, Any], engine: Engine
) -> None:
    client.sign_in("cworker", PASSWORD)
    settings = {
        "area_id": place["c"].area.id,
        "cosign_threshold": "3",
        "quorum_numerator": "3",
        "quorum_denominator": "2",
        "notice_days": "5",
        "announce_days": "2",
    }
    refused = client.submit("/admin/consultations/rules", settings, page="/admin/consultations")
    assert refused.status_code == 422 and "法定人数须为 0 到 1 之间的分数" in refused.text
    settings |= {"quorum_numerator": "1", "quorum_denominator": "2"}
    saved = client.submit("/admin/consultations/rules", settings, page="/admin/consultations")
    assert saved.status_code == 303
    with Session(engine) as s:
        topic = topics.propose_topic(
            s,
            area=place["c"].area,
            title="新议题",
            body="",
            source="resident",
            proposer_id=place["c"].residents[0].id,
        )
        assert topic.threshold == 3
        assert topics.community_rules(s, place["c"].area.id).announce_days == 2
    other = client.submit(
        "/admin/consultations/rules",
        settings | {"area_id": place["c"].other.id},
        page="/admin/consultations",
    )
    assert other.status_code == 403  # the worker's grant covers only their own community


def test_voting_with_htmx_swaps_the_opinion_section_in_place(
    client: FormClient, place: dict[str, Any], engine: Engine
) -> None:
    url = f"/consultations/{place['consultation'].id}"
    client.sign_in("res0", PASSWORD)  # wrote the statements, has not voted
    headers = {"HX-Request": "true", "HX-Target": "opinion"}
    assert "共 11 人参与" in client.get(url, headers=headers).text
    for sid in place["statements"]:
        data = {"choice": "agree", "csrf_token": client.csrf(url)}
        response = client.post(f"{url}/statements/{sid}/vote", data=data, headers=headers)
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<section id="opinion"')
    assert "您已对所有观点表态" in response.text and "您的表态已记录" in response.text
    # The vote shows the stored map, saying a newer one is on its way ...
    assert "共 11 人参与" in response.text and 'data-testid="map-update-waiting"' in response.text
    # ... which the worker computes.
    assert refresh_maps(engine, NOW + timedelta(minutes=1)) == 1
    refreshed = client.get(url, headers=headers).text
    assert "共 12 人参与" in refreshed and 'data-testid="map-update-waiting"' not in refreshed
    again = client.post(
        f"{url}/statements/{place['statements'][0]}/vote",
        data={"choice": "pass", "csrf_token": client.csrf(url)},
        headers=headers,
    )
    assert again.status_code == 409 and "您已对这条观点表过态" in again.text
    assert "<html" not in again.text


def test_a_hidden_statement_leaves_the_map_and_its_author_is_told(
    client: FormClient, make_client: MakeClient, place: dict[str, Any]
) -> None:
    cid = place["consultation"].id
    admin_url = f"/admin/consultations/{cid}"
    client.sign_in("cworker", PASSWORD)
    sid = place["statements"][0]
    refused = client.submit(f"{admin_url}/statements/{sid}/hide", {"reason": ""}, page=admin_url)
    assert refused.status_code == 422
    done = client.submit(
        f"{admin_url}/statements/{sid}/hide", {"reason": "涉及个人隐私"}, page=admin_url
    )
    assert done.status_code == 303
    author = make_client()
    author.sign_in("res0", PASSWORD)
    page = author.get(f"/consultations/{cid}")
    # The author is told in their notices inbox, with a link back here.
    told = author.get("/account/notices").text
    assert "涉及个人隐私" in told and f'href="/consultations/{cid}"' in told
    assert "一楼住户应获补偿" not in page.text.split('id="opinion"')[1]


def test_the_list_filters_by_community_and_stage_as_page_and_fragment(
    client: FormClient, place: dict[str, Any]
) -> None:
    mine, other = place["c"].area.id, place["c"].other.id
    assert "加装电梯协商会" in client.get(f"/consultations?area={mine}&stage=deliberating").text
    assert "加装电梯协商会" not in client.get(f"/consultations?area={other}").text
    assert "加装电梯协商会" not in client.get("/consultations?stage=final").text
    fragment = client.get(
        f"/consultations?area={mine}",
        headers={"HX-Request": "true", "HX-Target": "consultation_list"},
    )
    assert fragment.text.lstrip().startswith('<section id="consultation_list"')
    assert "加装电梯协商会" in fragment.text and "<html" not in fragment.text


def test_opinion_map_shows_you_are_here_the_method_and_keeps_its_state(
    client: FormClient, place: dict[str, Any], engine: Engine
) -> None:
    from consultations.models import OpinionMapState

    url = f"/consultations/{place['consultation'].id}"
    client.sign_in("res0", PASSWORD)
    for sid in place["statements"]:
        data = {"choice": "agree", "csrf_token": client.csrf(url)}
        headers = {"HX-Request": "true", "HX-Target": "opinion"}  # re-renders the map
        assert client.post(f"{url}/statements/{sid}/vote", data=data, headers=headers).is_success
    refresh_maps(engine, NOW + timedelta(minutes=1))
    page = client.get(url).text
    assert 'data-testid="you-are-here"' in page
    note = page.split('data-testid="you-are-here-note"')[1].split("</p>")[0]
    assert "您在这里" in note and "组" in note
    method = page.split('data-testid="opinion-method"')[1].split("</details>")[0]
    assert "已分组 12 人" in method and "与 Pol.is 的不同之处" in method
    assert 'data-testid="consensus-disagree"' in page
    # The worker stored the map's state for the next computation (labels follow members).
    with Session(engine) as s:
        row = s.get(OpinionMapState, place["consultation"].id)
        assert row is not None and row.version.startswith("48:")
    assert client.get(url).text.count('data-testid="group"') == 2


def test_vote_times_and_term_dates_are_read_as_typed_or_refused_beside_the_field(
    client: FormClient, app: Starlette, place: dict[str, Any], engine: Engine
) -> None:
    """Times typed with full-width digits are read; a time no clock shows, or a date no
    calendar has, gets a message beside its own field and stores nothing (never "now",
    never a 500)."""
    cid = place["consultation"].id
    admin_url = f"/admin/consultations/{cid}"
    with Session(engine) as s, s.begin():  # the meeting was held and its minutes signed
        held = meetings.get_consultation(s, cid)
        held.minutes = "会议纪要"
        held.recorder_signed_at = held.host_signed_at = NOW + timedelta(days=4, hours=1)
    client.sign_in("cworker", PASSWORD)
    app.state.fixed_now = NOW + timedelta(days=4, hours=2)
    vote = {
        "resolution": "同意加装电梯",
        "roll": "representatives",
        "base": "eligible",
        "share": "1/2",
        "opens_at": "2027-03-05T11:00",
        "closes_at": "2027-03-05T12:00",
        "due_on": "2027-12-31",
    }
    for field, typed in [
        ("opens_at", "0001-01-01T00:00"),
        ("closes_at", "2027-03-05T25:00"),
        ("due_on", "2027-02-30"),
    ]:
        refused = client.submit(f"{admin_url}/vote", vote | {field: typed}, page=admin_url)
        assert refused.status_code == 422, (field, refused.status_code)
        assert f'id="f-{field}-error"' in refused.text, field
    with Session(engine) as s:
        assert meetings.get_consultation(s, cid).box_id is None
    wide = vote | {"opens_at": "２０２７-０３-０５Ｔ１１:００", "closes_at": "2027-03-05 12:00"}
    assert client.submit(f"{admin_url}/vote", wide, page=admin_url).status_code == 303
    with Session(engine) as s:
        assert meetings.get_consultation(s, cid).box_id is not None
    term = {
        "area_id": place["c"].area.id,
        "title": "第二届议事代表",
        "seats": "2",
        "starts_on": "2027-04-01",
        "ends_on": "2030-02-30",
    }
    bad_end = client.submit("/admin/consultations/terms", term, page="/admin/consultations")
    assert bad_end.status_code == 422 and 'id="f-ends_on-error"' in bad_end.text


def _selects(client: FormClient, url: str) -> int:
    return page_selects(cast(Starlette, client.app).state.engine, client, url)[0]


def test_open_data_list_reads_a_fixed_number_of_queries(
    client: FormClient, place: dict[str, Any], engine: Engine
) -> None:
    """The list's topic, co-signatures, objections and plan item are read for all
    consultations at once, not again for each one (it was four queries per row)."""
    one = _selects(client, "/api/v1/consultations")
    with Session(engine) as s, s.begin():
        first = meetings.get_consultation(s, place["consultation"].id)
        for n in range(3):
            topic = topics.propose_topic(
                s,
                area=place["c"].area,
                title=f"议题{n}",
                body="",
                source="resident",
                proposer_id=place["c"].residents[n].id,
            )
            topic.status = "accepted"
            meetings.announce(
                s,
                topic,
                meetings.Announcement(
                    title=f"协商会{n}",
                    agenda="议程",
                    materials="",
                    place="议事厅",
                    online_link="",
                    meets_at=first.meets_at,
                    deliberation_opens_at=first.deliberation_opens_at,
                    deliberation_closes_at=first.deliberation_closes_at,
                ),
                place["c"].worker.id,
                NOW,
            )
    assert client.get("/api/v1/consultations").json()["count"] == 4
    assert _selects(client, "/api/v1/consultations") == one


def test_a_refused_announcement_keeps_what_was_typed_and_marks_the_field(
    client: FormClient, place: dict[str, Any], engine: Engine
) -> None:
    with Session(engine) as s, s.begin():
        topic = topics.propose_topic(
            s,
            area=place["c"].area,
            title="小区停车",
            body="",
            source="resident",
            proposer_id=place["c"].residents[0].id,
        )
        topic.status = "accepted"
        tid = topic.id
    client.sign_in("cworker", PASSWORD)
    form = {
        "title": "停车协商会",
        "agenda": "划线方案",
        "place": "议事厅",
        "meets_at": "2027-02-30T10:00",
        "deliberation_opens_at": "2027-03-10T10:00",
        "deliberation_closes_at": "2027-03-12T10:00",
    }
    url = f"/admin/consultations/topics/{tid}/announce"
    refused = client.submit(url, form, page="/admin/consultations")
    assert refused.status_code == 422
    assert f'id="meets-{tid}-error"' in refused.text
    assert 'value="停车协商会"' in refused.text and "划线方案" in refused.text
    with Session(engine) as s:
        assert meetings.consultations_of_topic(s, tid) == []
