"""A test client that behaves like a browser with forms: it sends the CSRF token."""

from __future__ import annotations

import re
from typing import Any

from httpx2 import Response
from starlette.testclient import TestClient

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class FormClient(TestClient):
    """TestClient whose ``submit`` fetches a page, then posts its CSRF token."""

    def csrf(self, page: str = "/login") -> str:
        match = CSRF.search(self.get(page).text)
        assert match, f"no CSRF token on {page}"
        return match.group(1)

    def submit(
        self,
        url: str,
        data: dict[str, Any] | None = None,
        *,
        page: str = "/login",
        files: Any = None,
        **kwargs: Any,
    ) -> Response:
        form = dict(data or {})
        form["csrf_token"] = self.csrf(page)
        return self.post(url, data=form, files=files, follow_redirects=False, **kwargs)

    def sign_in(self, login: str, password: str = "correct horse") -> None:
        response = self.submit("/login", {"login": login, "password": password})
        assert response.status_code == 303, response.text
