"""Run the real OpenID provider in tests/oidc_provider (panva/oidc-provider on Node)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx

from tests.support.pg import free_port

PROVIDER_DIR = Path(__file__).resolve().parents[1] / "oidc_provider"
CLIENT_ID, CLIENT_SECRET = "gongzhi-test", "gongzhi-test-secret"


@dataclass(frozen=True)
class Provider:
    issuer: str

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


@contextmanager
def running_provider(redirect_uri: str) -> Iterator[Provider]:
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install the test OpenID provider"
        subprocess.run(
            [npm, "ci", "--silent", "--no-audit", "--no-fund"], cwd=PROVIDER_DIR, check=True
        )
    port = free_port()
    process = subprocess.Popen(
        ["node", "server.js", str(port), CLIENT_ID, CLIENT_SECRET, redirect_uri],
        cwd=PROVIDER_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.strip() == "ready", f"provider did not start: {line!r}"
        yield Provider(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=10)


FORM = re.compile(r'<form[^>]*action="([^"]+)"', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
ABORT = re.compile(r'href="([^"]*/abort)"')


def walk_provider(authorize_url: str, login: str | None, *, abort: bool = False) -> str:
    """Act as the person at the provider: sign in as ``login`` and consent (or abort).

    Returns the redirect back to the portal (the callback URL with code and state).
    """
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        url = authorize_url
        for _ in range(20):
            response = browser.get(url)
            if response.status_code in (302, 303):
                url = urljoin(url, response.headers["location"])
                if not url.startswith("http://127.0.0.1"):
                    return url  # back at the portal
                continue
            page = response.text
            if abort:
                found = ABORT.search(page)
                assert found, page
                url = urljoin(url, html.unescape(found.group(1)))
                continue
            action = FORM.search(page)
            assert action, page
            data = dict(HIDDEN.findall(page))
            if data.get("prompt") == "login":
                data |= {"login": login or "someone", "password": "any"}
            posted = browser.post(urljoin(url, html.unescape(action.group(1))), data=data)
            assert posted.status_code in (302, 303), posted.text
            url = urljoin(url, posted.headers["location"])
            if not url.startswith("http://127.0.0.1"):
                return url
        raise AssertionError("the provider never sent the person back")
