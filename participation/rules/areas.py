"""The administrative tree: 市 → 区 → 街道(镇) → 社区(村) → 网格."""

from __future__ import annotations

from enum import StrEnum


class AreaKind(StrEnum):
    CITY = "city"
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"


LEVELS: tuple[AreaKind, ...] = tuple(AreaKind)


def child_kind(parent: AreaKind | None) -> AreaKind | None:
    """The only kind a child of ``parent`` may have (None at the bottom).

    Invariant: the tree has exactly the five levels in order; a grid has no
    children and only a city may be a root (``parent is None``).
    """
    if parent is None:
        return AreaKind.CITY
    index = LEVELS.index(parent)
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


def path_of(parent_path: str | None, area_id: int) -> str:
    """Materialized path "/1/5/12/": an ancestor's path is a prefix of each descendant's."""
    return f"{parent_path or '/'}{area_id}/"


def is_within(path: str, ancestor_path: str) -> bool:
    """True when the area at ``path`` is ``ancestor_path`` or lies below it."""
    return path.startswith(ancestor_path)
