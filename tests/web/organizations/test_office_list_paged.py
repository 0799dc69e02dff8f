"""/admin/organizations at a city's size: a page of 50 organizations read in SQL,
in as many statements for 3N organizations as for N."""

from __future__ import annotations

import re

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.organizations.models import Organization
from tests.support.client import FormClient
from tests.support.queries import page_selects
from tests.support.world import World

PER_PAGE = 50  # web.organizations.office.ORGS_PER_PAGE


def _organizations(engine: Engine, world: World, count: int, tag: str) -> None:
    with Session(engine) as s, s.begin():
        for k in range(count):
            s.add(
                Organization(
                    name=f"评估机构{tag}{k:03d}",
                    credit_code=f"{tag}{k:017d}"[:18],
                    area_id=world["district"].id,
                    registered_by=world["people"]["admin"].id,
                )
            )


def test_the_organization_list_runs_as_many_statements_for_3n_as_for_n(
    client: FormClient, engine: Engine, world: World
) -> None:
    """Fails on the old code: every organization was loaded and rendered."""
    client.sign_in("admin")
    _organizations(engine, world, 30, "a")
    few, small = page_selects(engine, client, "/admin/organizations")
    _organizations(engine, world, 60, "b")
    many, big = page_selects(engine, client, "/admin/organizations")
    rows = re.compile(r'action="/admin/organizations/\d+/decide"')
    assert few == many
    assert len(rows.findall(small)) < PER_PAGE and len(rows.findall(big)) == PER_PAGE
    later = client.get("/admin/organizations?page=2").text
    assert "评估机构b059" in later and "评估机构a000" not in later
    assert 'href="/admin/organizations?page=1"' in later
