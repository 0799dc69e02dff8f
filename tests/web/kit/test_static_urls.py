"""Static files' URLs carry their content's hash (``/static/css/site.css?v=<hash>``):
a browser keeps a versioned file a year, and an upgrade that changes a file changes
its URL, so nobody keeps last release's CSS or JavaScript with this release's pages.
A URL whose version is missing or not the file's gets the short cache only."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.event_loop import run_apart
from tests.support.people import enrol
from tests.support.world import MakeClient, World
from tests.web.ballots.test_ballots import NOW
from tests.web.ballots.test_ballots import create_box as create_ballots_box
from web.kit import vendor
from web.kit.templating import TEMPLATES_DIR

ROOT = Path(__file__).resolve().parents[3]
YEAR = "public, max-age=31536000, immutable"
#: Every mention of the static folder in a page, quoted or not.
MENTION = re.compile(r"/static/[^\"'\s)>]*")
VERSIONED = re.compile(r"^/static/(?P<name>[A-Za-z0-9_./-]+)\?v=(?P<v>[0-9a-f]{10})$")
PAGES = [
    "/",
    "/login",
    "/ballots",
    "/areas",
    "/plan",
    "/budgets",
    "/livelihood",
    "/consultations",
    "/evaluations",
    "/volunteers",
    "/requests",
    "/no-such-page",
]


def file_of(name: str) -> Path:
    """The file a static name stands for (htmx comes from its installed package)."""
    if name == "vendor/htmx.min.js":
        return vendor.asset_path("htmx.min.js")
    return ROOT / "static" / name


def content_hash(name: str) -> str:
    return hashlib.sha256(file_of(name).read_bytes()).hexdigest()[:10]


def static_urls(html: str) -> list[str]:
    return [url.replace("&amp;", "&") for url in MENTION.findall(html)]


def assert_all_versioned(html: str, where: str) -> set[str]:
    """Every /static/ mention is ``?v=`` the file's hash; returns the names."""
    names = set()
    for url in static_urls(html):
        found = VERSIONED.match(url)
        assert found, f"{where}: {url} carries no version"
        assert found["v"] == content_hash(found["name"]), f"{where}: {url} is not the file's hash"
        names.add(found["name"])
    return names


@pytest.mark.parametrize("path", PAGES)
def test_every_static_file_a_page_names_carries_its_content_hash(
    client: FormClient, world: World, path: str
) -> None:
    response = client.get(path)
    assert response.status_code in (200, 404)
    names = assert_all_versioned(response.text, path)
    assert {
        "css/site.css",
        "img/favicon.svg",
        "vendor/htmx.min.js",
        "js/swap-form-errors.js",
    } <= names


def test_signed_in_age_friendly_and_ballot_pages_too(
    app: Starlette, client: FormClient, make_client: MakeClient, world: World, engine: Any
) -> None:
    with Session(engine) as s, s.begin():
        enrol(s, world, ["resident"])
    app.state.fixed_now = NOW
    client.sign_in("communityworker", PASSWORD)
    budget = {
        "kind": "budget",
        "rule": "greedy",
        "budget": "100000",
        "items": "加装电梯 | 60000\n修缮凉亭 | 30000",
    }
    box_id = create_ballots_box(client, world, **budget)
    assert_all_versioned(client.get("/admin/ballots").text, "/admin/ballots")
    voter = make_client()
    voter.sign_in("resident", PASSWORD)
    ballot = voter.get(f"/ballots/{box_id}").text
    assert "js/budget-total.js" in assert_all_versioned(ballot, "a budget ballot")
    assert voter.submit("/display", {"mode": "age-friendly", "next": "/"}).status_code == 303
    assert "css/age-friendly.css" in assert_all_versioned(voter.get("/").text, "age-friendly")


def test_no_template_spells_a_static_url_itself() -> None:
    spelled = [
        f"{path.relative_to(TEMPLATES_DIR)}:{n}"
        for path in sorted(TEMPLATES_DIR.rglob("*.html"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"[\"'(]/static/", line)
    ]
    assert spelled == []


def test_a_files_url_follows_its_content(tmp_path: Path) -> None:
    from web.kit.static_urls import StaticAssets

    sheet = tmp_path / "css" / "a.css"
    sheet.parent.mkdir()
    sheet.write_text("p { color: red }")
    once = StaticAssets(tmp_path, vendor={}, watch=False)
    watching = StaticAssets(tmp_path, vendor={}, watch=True)
    red = once.url("css/a.css")
    assert red == f"/static/css/a.css?v={hashlib.sha256(b'p { color: red }').hexdigest()[:10]}"
    assert watching.url("css/a.css") == red

    sheet.write_text("p { color: blue }")
    os.utime(sheet, ns=(sheet.stat().st_atime_ns, sheet.stat().st_mtime_ns + 10**9))
    blue = f"/static/css/a.css?v={hashlib.sha256(b'p { color: blue }').hexdigest()[:10]}"
    assert watching.url("css/a.css") == blue  # developing: seen at the next page
    assert once.url("css/a.css") == red  # a release: hashed once per process
    assert StaticAssets(tmp_path, vendor={}, watch=False).url("css/a.css") == blue


def test_a_name_outside_the_folder_or_missing_is_refused(tmp_path: Path) -> None:
    from web.kit.static_urls import StaticAssets

    (tmp_path / "static").mkdir()
    (tmp_path / "secret.txt").write_text("no")
    assets = StaticAssets(tmp_path / "static", vendor={}, watch=False)
    for name in ("../secret.txt", "/etc/passwd", "css/none.css"):
        with pytest.raises(LookupError):
            assets.url(name)


def home_static_urls(client: FormClient) -> list[str]:
    urls = static_urls(client.get("/").text)
    assert len(urls) >= 4
    return urls


def test_a_versioned_file_is_kept_a_year(client: FormClient) -> None:
    for url in home_static_urls(client):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == YEAR, url
        found = VERSIONED.match(url)
        assert found and hashlib.sha256(response.content).hexdigest()[:10] == found["v"]


def test_a_versioned_file_revalidated_keeps_its_year(client: FormClient) -> None:
    url = next(u for u in home_static_urls(client) if "site.css" in u)
    etag = client.get(url).headers["etag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["cache-control"] == YEAR


ODD_VERSIONS = [
    "",  # no version at all
    "?v=",
    "?v=0000000000",
    "?v=" + "a" * 10_000,
    "?v=%E5%85%B1",  # 共
    "?v=%FF%FE",  # not UTF-8
    "?v=%00",
    "?x=1&v",
]


@pytest.mark.parametrize("query", ODD_VERSIONS)
@pytest.mark.parametrize("name", ["css/site.css", "vendor/htmx.min.js"])
def test_a_missing_or_wrong_version_gets_the_short_cache(
    client: FormClient, name: str, query: str
) -> None:
    response = client.get(f"/static/{name}{query}")
    assert response.status_code == 200
    assert response.content == file_of(name).read_bytes()
    cache = response.headers["cache-control"]
    assert "immutable" not in cache and "31536000" not in cache
    assert re.fullmatch(r"no-cache|public, max-age=604800", cache)


def test_the_right_version_beside_a_wrong_one_is_not_trusted(client: FormClient) -> None:
    right = content_hash("css/site.css")
    for query in (f"v={right}&v=0000000000", f"v=0000000000&v={right}", f"v={right}x"):
        response = client.get(f"/static/css/site.css?{query}")
        assert response.status_code == 200 and "immutable" not in response.headers["cache-control"]


def test_raw_bytes_in_the_query_are_no_error(app: Starlette) -> None:
    """Bytes a client sent unencoded (no browser does) reach the app as they are."""

    async def get(path: str, query: bytes) -> list[dict[str, Any]]:
        sent: list[dict[str, Any]] = []
        asked, answered = False, asyncio.Event()

        async def receive() -> dict[str, Any]:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await answered.wait()  # the client stays until the whole answer is sent
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                answered.set()

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": query,
            "headers": [(b"host", b"testserver")],
            "client": ("127.0.0.1", 1234),
            "server": ("testserver", 80),
            "state": {},
        }
        await app(scope, receive, send)  # type: ignore[arg-type]
        return sent

    for path in ("/static/css/site.css", "/static/vendor/htmx.min.js"):
        for query in (b"v=\xe5\x85\xb1", b"v=\xff\xfe", b"v=" + b"\xff" * 5000):
            start = run_apart(functools.partial(get, path, query))[0]
            assert start["status"] == 200, (path, query)
            headers = dict(start["headers"])
            assert b"immutable" not in headers[b"cache-control"]
