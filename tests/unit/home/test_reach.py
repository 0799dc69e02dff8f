"""Where grants reach, and the areas above a community (participation.rules.reach)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from participation.rules.areas import is_within
from participation.rules.permissions import Decision, Grant, Permission, Role, allows
from participation.rules.reach import lineage, reach


def test_lineage_lists_the_areas_above_top_down() -> None:
    assert lineage("/1/5/12/") == ["/1/", "/1/5/", "/1/5/12/"]
    assert lineage("/") == []


def test_reach_keeps_the_upper_path_and_ignores_other_permissions() -> None:
    grants = [
        Grant(Role.COMMUNITY_WORKER, "/1/5/12/"),
        Grant(Role.STAFF, "/1/5/"),
        Grant(Role.TEAM_LEADER, "/1/7/"),
    ]
    assert reach(grants, Permission.MANAGE_BUDGETS) == ["/1/5/"]
    assert reach(grants, Permission.MANAGE_ROLLS) == ["/1/5/12/"]
    assert reach(grants, Permission.VERIFY_ORGANIZATIONS) == ["/1/5/"]
    assert reach(grants, Permission.READ_AUDIT) == []
    assert reach([*grants, Grant(Role.ADMIN, None)], Permission.READ_AUDIT) is None


paths = st.lists(st.integers(1, 6), min_size=1, max_size=4).map(
    lambda ids: "/" + "".join(f"{i}/" for i in ids)
)


@given(
    st.lists(st.tuples(st.sampled_from(list(Role)), paths), max_size=5),
    st.sampled_from(list(Permission)),
    paths,
)
def test_reach_covers_exactly_where_allows_allows(
    granted: list[tuple[Role, str]], permission: Permission, area: str
) -> None:
    """The to-do list counts where the one permission check would let the person act."""
    grants = [Grant(role, path) for role, path in granted]
    where = reach(grants, permission)
    covered = where is None or any(is_within(area, p) for p in where)
    if permission in (Permission.VIEW_PUBLIC, Permission.USE_ACCOUNT, Permission.VERIFY_SELF):
        return  # granted to everyone signed in, not by grants
    assert covered == (allows(True, grants, permission, area) is Decision.ALLOW)
