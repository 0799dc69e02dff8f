"""The old address of the budget notices, kept as a redirect to the inbox."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route


async def old_budget_notices(request: Request) -> Response:
    """Livelihood's old inbox address, kept working for bookmarks and old e-mails."""
    return RedirectResponse("/account/notices", status_code=301)


routes = [
    Route("/budgets/notices", old_budget_notices),
]
