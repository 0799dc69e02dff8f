"""The public area tree at a seeded size: shown one level at a time and paged in
SQL, in as many statements for 3N areas as for N (a city has ~5,500 areas)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.areas import create_area, get_area
from participation.rolls import RollEntry
from participation.rules.areas import AreaKind
from tests.support.client import FormClient
from tests.support.queries import statements_of_page


def _streets(engine: Engine, world: dict[str, Any], n: int, tag: str) -> None:
    """``n`` more streets under the district, each with one community."""
    with Session(engine) as s, s.begin():
        district = get_area(s, world["district"].id)
        for k in range(n):
            street = create_area(
                s, code=f"S{tag}{k}", name=f"街{tag}{k}", kind=AreaKind.STREET, parent=district
            )
            create_area(
                s, code=f"M{tag}{k}", name=f"社{tag}{k}", kind=AreaKind.COMMUNITY, parent=street
            )


def _links(html: str) -> int:
    return len(re.findall(r'href="/areas/\d+"', html))


def test_area_pages_run_as_many_statements_for_3n_areas_as_for_n(
    client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    district = world["district"].id
    _streets(engine, world, 20, "a")
    first = {p: len(statements_of_page(client, p)) for p in ("/areas", f"/areas/{district}")}
    _streets(engine, world, 40, "b")
    again = {p: len(statements_of_page(client, p)) for p in ("/areas", f"/areas/{district}")}
    assert again == first


def test_the_tree_is_shown_one_level_at_a_time_and_paged(
    client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: /areas listed every area of the tree (200 a page,
    5,500 in a city) and an area's page every area under it at once."""
    _streets(engine, world, 60, "c")
    top = client.get("/areas").text
    assert "测试市" in top and "一区" not in top and "一网格" not in top
    district = world["district"].id
    first = client.get(f"/areas/{district}").text
    assert _links(first) == 1 + 50  # the trail's city link and one page of streets
    assert "社c0" not in first  # the communities are a level further down
    assert f'href="/areas/{district}?page=2"' in first
    second = client.get(f"/areas/{district}?page=2").text
    assert "街c59" in second and "一街道" not in second


def test_the_residents_count_searches_the_roll_by_community(
    client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: counting the residents under an area joined the areas
    to the roll and scanned every entry of the roll (a million in a city), even for
    a grid's page. The count is unchanged."""
    with Session(engine) as s, s.begin():
        for n, place in enumerate((world["community"], world["other"], world["community"])):
            s.add(
                RollEntry(
                    community_id=place.id,
                    name=f"居民{n}",
                    id_hash=f"{n:064x}",
                    birth_date=date(1980, 1, 1),
                    household_code=f"H{n}",
                )
            )
    counts = {}
    seen: list[tuple[str, Any]] = []

    def note(_c: Any, _cur: Any, sql: str, params: Any, *_rest: Any) -> None:
        if "count(" in sql and "roll_entries" in sql:
            seen.append((sql, params))

    for key in ("district", "community", "other", "grid"):
        seen.clear()
        event.listen(client.app.state.engine, "before_cursor_execute", note)  # type: ignore[attr-defined]
        try:
            html = client.get(f"/areas/{world[key].id}").text
        finally:
            event.remove(client.app.state.engine, "before_cursor_execute", note)  # type: ignore[attr-defined]
        counts[key] = int(re.search(r"人数</dt><dd>(\d+)</dd>", html).group(1))  # type: ignore[union-attr]
        [(sql, params)] = seen
        with engine.connect() as c:
            plan = " ".join(
                str(row[-1]) for row in c.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)
            )
        assert "SCAN roll_entries" not in plan and "SCAN r" not in plan, plan
    assert counts == {"district": 3, "community": 2, "other": 1, "grid": 0}
