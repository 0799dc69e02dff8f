"""Pages a resident or worker must find and read: representative elections and the
certificate check are linked from public pages; the back office offers choices in
Chinese instead of asking for English codes."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from consultations import representatives, topics
from consultations.models import Consultation, Participant
from tests.support.client import FormClient
from tests.support.consultations import community

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def test_representative_elections_are_linked_from_the_consultations_page(
    client: FormClient, engine: Engine
) -> None:
    """Fails on the old code: only the back office linked to a term's public page."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        c = community(s)
        term = representatives.open_term(
            s,
            area=c.area,
            title="第二届议事代表选举",
            seats=5,
            starts_on=date(2027, 1, 1),
            ends_on=date(2029, 12, 31),
        )
    page = client.get("/consultations").text
    assert f'href="/consultations/terms/{term.id}"' in page and "第二届议事代表选举" in page
    assert (
        f'href="/consultations/terms/{term.id}"'
        in client.get(f"/consultations?area={c.area.id}").text
    )


def test_the_certificate_check_is_linked_from_the_volunteering_page(client: FormClient) -> None:
    """Fails on the old code: /volunteers/verify was linked from the back office only."""
    assert 'href="/volunteers/verify"' in client.get("/volunteers").text


def test_announcing_asks_for_participants_kinds_in_chinese(
    app: Starlette, client: FormClient, engine: Engine
) -> None:
    """Fails on the old code: a textarea asked for "kind | name" with English kinds."""
    app.state.fixed_now = NOW
    with Session(engine, expire_on_commit=False) as s, s.begin():
        c = community(s)
        topic = topics.propose_topic(
            s,
            area=c.area,
            title="加装电梯",
            body="",
            source="resident",
            proposer_id=c.residents[0].id,
        )
        topic.status = "accepted"
    client.sign_in("cworker")
    page = client.get("/admin/consultations").text
    assert "kinds: resident" not in page and "resident, department" not in page
    assert f'<select id="pkind-{topic.id}-0" name="part_kind_0">' in page
    assert '<option value="department">职能部门</option>' in page
    made = client.submit(
        f"/admin/consultations/topics/{topic.id}/announce",
        {
            "title": "加装电梯协商会",
            "agenda": "讨论方案",
            "place": "社区议事厅",
            "meets_at": "2026-11-10T19:00",
            "deliberation_opens_at": "2026-11-02T12:00",
            "deliberation_closes_at": "2026-11-12T12:00",
            "part_kind_0": "department",
            "part_name_0": "区住建局",
            "part_kind_1": "organization",
            "part_name_1": "业主委员会",
        },
        page="/admin/consultations",
    )
    assert made.status_code == 303, made.text
    with Session(engine) as s:
        consultation = s.scalars(select(Consultation)).one()
        others = s.execute(
            select(Participant.kind, Participant.name).where(
                Participant.consultation_id == consultation.id,
                Participant.kind != "representative",
            )
        ).all()
    assert sorted(tuple(o) for o in others) == [
        ("department", "区住建局"),
        ("organization", "业主委员会"),
    ]
