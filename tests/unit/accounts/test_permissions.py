from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participation.rules.permissions import (
    ROLE_PERMISSIONS,
    Decision,
    Grant,
    Permission,
    Role,
    allows,
)

COMMUNITY = "/1/2/3/4/"
OTHER_COMMUNITY = "/1/2/3/9/"
DISTRICT = "/1/2/"


@pytest.mark.parametrize(
    ("signed_in", "grants", "permission", "area", "expected"),
    [
        (False, [], Permission.VIEW_PUBLIC, None, Decision.ALLOW),
        (False, [], Permission.USE_ACCOUNT, None, Decision.SIGN_IN),
        (False, [Grant(Role.ADMIN, None)], Permission.BACKOFFICE, None, Decision.SIGN_IN),
        (True, [], Permission.USE_ACCOUNT, None, Decision.ALLOW),
        (True, [], Permission.VERIFY_SELF, None, Decision.ALLOW),
        (True, [], Permission.BACKOFFICE, None, Decision.FORBID),
        (True, [Grant(Role.RESIDENT, COMMUNITY)], Permission.BACKOFFICE, None, Decision.FORBID),
        (True, [Grant(Role.ADMIN, None)], Permission.READ_AUDIT, COMMUNITY, Decision.ALLOW),
        (
            True,
            [Grant(Role.COMMUNITY_WORKER, COMMUNITY)],
            Permission.MANAGE_ROLLS,
            COMMUNITY,
            Decision.ALLOW,
        ),
        (
            True,
            [Grant(Role.COMMUNITY_WORKER, COMMUNITY)],
            Permission.MANAGE_ROLLS,
            COMMUNITY + "7/",
            Decision.ALLOW,
        ),
        (
            True,
            [Grant(Role.COMMUNITY_WORKER, COMMUNITY)],
            Permission.MANAGE_ROLLS,
            OTHER_COMMUNITY,
            Decision.FORBID,
        ),
        (
            True,
            [Grant(Role.COMMUNITY_WORKER, COMMUNITY)],
            Permission.MANAGE_ROLLS,
            DISTRICT,
            Decision.FORBID,
        ),
        (
            True,
            [Grant(Role.COMMUNITY_WORKER, COMMUNITY)],
            Permission.MANAGE_ACCOUNTS,
            COMMUNITY,
            Decision.FORBID,
        ),
        (True, [Grant(Role.STAFF, DISTRICT)], Permission.BACKOFFICE, COMMUNITY, Decision.ALLOW),
        (True, [Grant(Role.STAFF, DISTRICT)], Permission.MANAGE_AREAS, COMMUNITY, Decision.FORBID),
        # "/1/2/3/4/" must not be mistaken for an ancestor of "/1/2/3/41/".
        (
            True,
            [Grant(Role.COMMUNITY_WORKER, COMMUNITY)],
            Permission.MANAGE_ROLLS,
            "/1/2/3/41/",
            Decision.FORBID,
        ),
    ],
)
def test_allows_table(
    signed_in: bool,
    grants: list[Grant],
    permission: Permission,
    area: str | None,
    expected: Decision,
) -> None:
    assert allows(signed_in, grants, permission, area) is expected


paths = st.lists(st.integers(1, 30), min_size=1, max_size=5).map(
    lambda ids: "/" + "/".join(map(str, ids)) + "/"
)
grants = st.lists(st.builds(Grant, st.sampled_from(Role), st.one_of(st.none(), paths)), max_size=6)


@given(grants, grants, st.sampled_from(Permission), st.one_of(st.none(), paths))
def test_more_grants_never_take_a_permission_away(
    a: list[Grant], b: list[Grant], permission: Permission, area: str | None
) -> None:
    if allows(True, a, permission, area) is Decision.ALLOW:
        assert allows(True, a + b, permission, area) is Decision.ALLOW


@given(grants, st.sampled_from(Permission), st.one_of(st.none(), paths))
def test_anonymous_only_views(
    grants_: list[Grant], permission: Permission, area: str | None
) -> None:
    decision = allows(False, grants_, permission, area)
    assert (decision is Decision.ALLOW) == (permission is Permission.VIEW_PUBLIC)


@given(paths, paths, st.sampled_from(Role), st.sampled_from(Permission))
def test_a_grant_never_reaches_outside_its_subtree(
    grant_path: str, area: str, role: Role, permission: Permission
) -> None:
    decision = allows(True, [Grant(role, grant_path)], permission, area)
    granted = permission in ROLE_PERMISSIONS[role] and area.startswith(grant_path)
    signed_in_default = permission in {
        Permission.VIEW_PUBLIC,
        Permission.USE_ACCOUNT,
        Permission.VERIFY_SELF,
    }
    assert (decision is Decision.ALLOW) == (granted or signed_in_default)


def test_the_role_table_names_each_role_once() -> None:
    """A dict literal keeps the last of two equal keys silently; merges have done that."""
    import ast
    import inspect

    from participation.rules import permissions

    tree = ast.parse(inspect.getsource(permissions))
    table = next(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id == "ROLE_PERMISSIONS"
    )
    assert isinstance(table, ast.Dict)
    keys = [ast.unparse(key) for key in table.keys if key is not None]
    assert len(keys) == len(set(keys)) == len(Role)
