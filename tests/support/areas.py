"""Area trees for tests: the smallest one (a city, district, street and community),
and more streets grown under a district."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.areas import Area, create_area, get_area
from participation.rules.areas import AreaKind


def one_community(s: Session, name: str = "社区") -> Area:
    """City C > district D > street S > community M (named ``name``); returns M."""
    city = create_area(s, code="C", name="市", kind=AreaKind.CITY, parent=None)
    district = create_area(s, code="D", name="区", kind=AreaKind.DISTRICT, parent=city)
    street = create_area(s, code="S", name="街", kind=AreaKind.STREET, parent=district)
    return create_area(s, code="M", name=name, kind=AreaKind.COMMUNITY, parent=street)


def more_streets(
    engine: Engine, district_id: int, n: int, tag: str, *, communities: int = 1, grid: bool = False
) -> None:
    """``n`` more streets under the district, each with ``communities`` communities
    (codes M{tag}{k}, or M{tag}{k}-{j} when more than one) and, with ``grid``, a grid
    in each: a tree grown for tests that count statements for N and 3N areas."""
    with Session(engine) as s, s.begin():
        district = get_area(s, district_id)
        for k in range(n):
            street = create_area(
                s, code=f"S{tag}{k}", name=f"街{tag}{k}", kind=AreaKind.STREET, parent=district
            )
            for j in range(communities):
                suffix = f"{k}-{j}" if communities > 1 else f"{k}"
                community = create_area(
                    s,
                    code=f"M{tag}{suffix}",
                    name=f"社{tag}{suffix}",
                    kind=AreaKind.COMMUNITY,
                    parent=street,
                )
                if grid:
                    create_area(
                        s,
                        code=f"G{tag}{suffix}",
                        name=f"格{tag}{suffix}",
                        kind=AreaKind.GRID,
                        parent=community,
                    )
