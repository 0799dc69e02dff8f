"""Pages of the livelihood area run a fixed number of queries, whatever the number
of projects or cycles they show (they ran one query per row before)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Literal

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.ballots.casting import cast_ballot
from participation.livelihood import services as livelihood
from participation.livelihood.models import LivelihoodCandidate
from participation.rolls import Congress
from tests.support.client import FormClient
from tests.support.projects import DEPUTIES, seed_cycle
from tests.support.queries import reading, statements, statements_of_page
from tests.support.world import World

NOW = datetime(2026, 1, 10, 2, 0, tzinfo=UTC)


def test_the_result_sheet_reads_plan_items_once(
    app: Starlette, client: FormClient, world: World, engine: Engine
) -> None:
    cycle_id = seed_cycle(engine, world, to_session=True)
    people = world["people"]
    assert isinstance(people, dict)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        cycle = livelihood.get_cycle(s, cycle_id)
        staff = people["staff"].id
        box = livelihood.open_ballot(s, cycle, staff, NOW, NOW + timedelta(hours=1))
        keys = [c.ballot_key for c in livelihood.candidates_of(s, cycle)][:2]
        for login in DEPUTIES[:2]:
            cast_ballot(s, box, people[login].id, {"approved": keys}, NOW)
        livelihood.advance(s, cycle, staff, NOW + timedelta(hours=2))  # -> results, adopted
        assert len(livelihood.adopted_of(s, cycle)) == 2
    with statements() as seen:
        sheet = client.get(f"/livelihood/{cycle_id}/result")
    assert sheet.status_code == 200
    assert sheet.text.count('href="/plan/items/') >= 2  # both adopted projects link theirs
    assert reading("plan_items", seen) == 1


def test_the_list_of_cycles_reads_congresses_once(
    client: FormClient, world: World, engine: Engine
) -> None:
    """As many queries for one cycle as for three, each of its own congress (it ran
    one query per cycle's congress)."""

    def add_cycle(area_key: Literal["city", "district", "street"]) -> None:
        area = world[area_key]
        with Session(engine) as s, s.begin():
            congress = Congress(area_id=area.id, term=1, session_number=1, name=f"{area_key}会议")
            s.add(congress)
            s.flush()
            livelihood.create_cycle(s, livelihood.NewCycle(congress.id, 2026, "民生实事", 2), None)

    def listing() -> list[str]:
        return statements_of_page(client, "/livelihood")

    add_cycle("city")
    one = listing()
    add_cycle("district")
    add_cycle("street")
    three = listing()
    assert reading("congresses", three) == reading("congresses", one) <= 1
    assert len(three) == len(one)


def _more_projects(engine: Engine, cycle_id: int, n: int) -> None:
    """``n`` more screened-in projects (written directly: solicitation is over)."""
    with Session(engine) as s, s.begin():
        for k in range(n):
            s.add(
                LivelihoodCandidate(
                    cycle_id=cycle_id,
                    submitter_kind="public",
                    name=f"项目{k}",
                    background="b",
                    content="c",
                    department="局",
                    funds_yuan=100,
                    funds_source="财政",
                    complete_by=date(2026, 12, 31),
                    status="candidate",
                )
            )


def test_the_cycle_page_reads_a_fixed_few_statements(
    client: FormClient, world: World, engine: Engine
) -> None:
    """The cycle page in session (quorum, the secret ballot's link): the cycle with
    its congress, its projects, the attendance figures and its ballot boxes, one
    statement each, however many projects; a deputy's own entry and sign-in in one
    more. (It ran ten, eleven for a deputy, and read every department.)"""
    cycle_id = seed_cycle(engine, world, to_session=True)
    people = world["people"]
    assert isinstance(people, dict)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        cycle = livelihood.get_cycle(s, cycle_id)
        livelihood.open_ballot(s, cycle, people["staff"].id, NOW, NOW + timedelta(days=3650))
    path = f"/livelihood/{cycle_id}"
    few = statements_of_page(client, path)
    _more_projects(engine, cycle_id, 12)
    many = statements_of_page(client, path)
    assert len(many) == len(few) <= 5, many
    assert reading("departments", many) == 0
    client.sign_in(DEPUTIES[0])
    page = client.get(path)
    assert "您已完成会议签到。" in page.text  # "You are signed in at the session."
    assert 'href="/ballots/' in page.text
    signed = statements_of_page(client, path)
    assert len(signed) <= len(many) + 2, signed  # the account, and the deputy's entry
