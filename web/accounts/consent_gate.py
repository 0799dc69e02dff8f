"""Ask a signed-in person who agreed to an older privacy notice (or none) before
anything else: every page sends them to the notice, which sends them back.

No query: sign-in stores the version the person last agreed to in the session
(web.kit.auth.sign_in), and agreeing updates it. A session without that entry
(made before this check existed) is asked at its next sign-in.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.datastructures import URL
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

NOTICE = "/account/privacy"
#: Reading the notice, agreeing, leaving, and the rights that need no consent
#: (downloading one's data, closing the account), and what pages are made of.
EXEMPT = (
    "/display",
    NOTICE,
    "/account/data",
    "/account/close",
    "/logout",
    "/lang",
    "/static/",
    "/favicon.ico",
    "/_error/",
)


#: Each exempt path, and what its sub-paths start with (found once, not per request).
_EXACT = frozenset(EXEMPT)
_UNDER = tuple(p.rstrip("/") + "/" for p in EXEMPT)


def exempt(path: str) -> bool:
    return path in _EXACT or path.startswith(_UNDER)


class ConsentGateMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not exempt(scope["path"]):
            session = scope.get("session") or {}
            seen = session.get("notice")
            version = scope["app"].state.privacy_notice_version
            if "uid" in session and isinstance(seen, str) and seen != version:
                await self._ask(scope)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _ask(scope: Scope) -> Response:
        url = URL(scope=scope)
        back = (
            url.path + (f"?{url.query}" if url.query else "")
            if scope["method"] == "GET"
            else "/account"
        )
        target = f"{NOTICE}?next={quote(back)}"
        headers = dict(scope["headers"])
        if headers.get(b"hx-request") == b"true":
            return Response(status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
