"""A round's page and a proposal's page run as many SQL statements for many
proposals, supporters and comments as for a few, and show the long lists a page
at a time with a pager that returns to the list."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from participation.accounts import Account
from participation.budgets import services as budgets
from participation.budgets.models import Proposal, ProposalComment, ProposalPhoto, ProposalSupport
from tests.support.client import FormClient
from tests.support.queries import statements_of_page
from tests.support.world import World


def _round(engine: Engine, world: World) -> int:
    with Session(engine) as s, s.begin():
        found = budgets.create_round(
            s,
            budgets.NewRound(world["community"].id, 2026, "微实事", 100_000, "greedy", "residents"),
            None,
        )
        return found.id


def _grow(engine: Engine, round_id: int, proposals: int, comments: int, tag: str) -> int:
    """``proposals`` more proposals, each with supporters and a photo, the first with
    ``comments`` comments; returns the first's id."""
    with Session(engine) as s, s.begin():
        people = list(s.scalars(select(Account.id).order_by(Account.id)))
        first = 0
        for n in range(proposals):
            p = Proposal(
                round_id=round_id,
                author_id=people[0],
                title=f"项目{tag}{n:03d}",
                description="",
                location="小区",
                cost_yuan=1000,
                beneficiaries="",
            )
            s.add(p)
            s.flush()
            first = first or p.id
            s.add_all(ProposalSupport(proposal_id=p.id, account_id=a) for a in people[:3])
            s.add(ProposalPhoto(proposal_id=p.id, content_type="image/png", data=b"png"))
        s.add_all(
            ProposalComment(
                proposal_id=first, author_id=people[n % len(people)], body=f"意见{n:03d}"
            )
            for n in range(comments)
        )
        return first


def test_the_round_and_proposal_pages_run_as_many_statements_for_many_rows(
    client: FormClient, engine: Engine, world: World
) -> None:
    round_id = _round(engine, world)
    small = _grow(engine, round_id, 2, 2, "甲")
    few = (
        len(statements_of_page(client, f"/budgets/{round_id}")),
        len(statements_of_page(client, f"/budgets/proposals/{small}")),
    )
    big = _grow(engine, round_id, 60, 70, "乙")
    many = (
        len(statements_of_page(client, f"/budgets/{round_id}")),
        len(statements_of_page(client, f"/budgets/proposals/{big}")),
    )
    assert many == few
    # The proposal page: the proposal, its round, its supporters and photo (one
    # statement), its plan item, a page of comments; it read the whole round's
    # proposals, supports and photos before.
    assert many[1] <= 6, many


def test_long_lists_are_paged_and_the_pager_returns_to_the_list(
    client: FormClient, engine: Engine, world: World
) -> None:
    round_id = _round(engine, world)
    first = _grow(engine, round_id, 62, 55, "丙")
    page = client.get(f"/budgets/{round_id}").text
    assert page.count('href="/budgets/proposals/') == 50
    assert "项目丙000" in page and "项目丙050" not in page and "3 人支持" in page
    assert f'href="/budgets/{round_id}?page=2#proposals" rel="next"' in page
    second = client.get(f"/budgets/{round_id}?page=2").text
    assert second.count('href="/budgets/proposals/') == 12 and "项目丙061" in second
    comments = client.get(f"/budgets/proposals/{first}").text
    assert "意见000" in comments and "意见049" in comments and "意见050" not in comments
    assert f'href="/budgets/proposals/{first}?page=2#comments" rel="next"' in comments
    later = client.get(f"/budgets/proposals/{first}?page=2").text
    assert "意见054" in later and "意见049" not in later
