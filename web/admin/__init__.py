"""The back office's front page, accounts and roles, departments and the audit log."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.admin import departments, office

#: Every path of this area starts with one of these (see web.routes).
PREFIXES = ("/admin", "/admin/accounts", "/admin/audit", "/admin/departments")


def routes() -> list[BaseRoute]:
    return [*office.routes, *departments.routes]
