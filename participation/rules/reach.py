"""Where a person's grants reach, and the areas above a community: plain paths.

The personal home (我的社区) asks two questions of the area tree: which areas a
community belongs to (a process of the street or district is open to the
community's residents too), and where a person may act with a permission (their
to-do list counts only what their grants cover).
"""

from __future__ import annotations

from collections.abc import Iterable

from participation.rules.permissions import ROLE_PERMISSIONS, Grant, Permission


def lineage(path: str) -> list[str]:
    """The paths of an area and every area above it, top down:
    ``lineage("/1/5/12/") == ["/1/", "/1/5/", "/1/5/12/"]``."""
    parts = [p for p in path.strip("/").split("/") if p]
    return [("/" + "/".join(parts[: n + 1]) + "/") for n in range(len(parts))]


def reach(grants: Iterable[Grant], permission: Permission) -> list[str] | None:
    """The area paths where ``grants`` give ``permission``: None when one grant
    gives it everywhere, [] when none gives it. Paths below another listed path
    are dropped (the upper one covers them)."""
    paths: set[str] = set()
    for grant in grants:
        if permission not in ROLE_PERMISSIONS[grant.role]:
            continue
        if grant.area_path is None:
            return None
        paths.add(grant.area_path)
    return sorted(p for p in paths if not any(p != q and p.startswith(q) for q in paths))
