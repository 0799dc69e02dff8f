"""The age-friendly display (大字版 / 适老化): larger type, stronger contrast, a
simpler header and big tap targets, applied by a class on <html> and its own
stylesheet (static/css/age-friendly.css).

Anonymous visitors keep the choice in a cookie; a signed-in person keeps it on
their account as well, so it follows them to every device. The mode is on when
either says so: signing in never takes away what the visitor just switched on,
and switching (signed in) writes both, so switching off turns it off everywhere
this person is signed in.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web.kit.auth import CurrentUser
from web.kit.forms import safe_next

COOKIE = "display"
AGE_FRIENDLY = "age-friendly"
STANDARD = "standard"
MODES = (AGE_FRIENDLY, STANDARD)
#: A year, like the language cookie.
MAX_AGE = 365 * 86400


def age_friendly(request: Request, user: CurrentUser | None) -> bool:
    """Whether this page is shown in the age-friendly mode."""
    if request.cookies.get(COOKIE) == AGE_FRIENDLY:
        return True
    return user is not None and user.account.age_friendly


def return_path(request: Request) -> str:
    """Where the switch comes back to: this page with its query, when that is a
    plain same-site path; else the path alone, or the home page. Nothing a link
    put in the query that could lead off the site is echoed into the page."""
    path = safe_next(request.url.path)
    if not request.url.query:
        return path
    return safe_next(f"{request.url.path}?{request.url.query}", default=path)


def remember(response: Response, mode: str) -> None:
    """Keep ``mode`` (one of MODES) in this browser."""
    if mode == AGE_FRIENDLY:
        response.set_cookie(COOKIE, mode, max_age=MAX_AGE, samesite="lax", httponly=True)
    else:
        response.delete_cookie(COOKIE, samesite="lax", httponly=True)
