"""The portal's icon: linked from every page, and /favicon.ico answered (no 404s)."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from tests.support.client import FormClient


def test_every_page_links_the_icon_and_it_is_served(client: FormClient) -> None:
    home = client.get("/").text
    link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', home)
    assert link is not None
    icon = client.get(link.group(1))
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    svg = ElementTree.fromstring(icon.content)
    assert svg.tag == "{http://www.w3.org/2000/svg}svg" and svg.get("viewBox") == "0 0 32 32"


def test_favicon_ico_leads_to_the_icon(client: FormClient) -> None:
    answer = client.get("/favicon.ico", follow_redirects=False)
    assert answer.status_code == 301
    assert answer.headers["location"] == "/static/img/favicon.svg"
    assert client.get("/favicon.ico").status_code == 200
