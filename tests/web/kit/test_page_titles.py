"""Every public landing page has a plain-text title (a template that leaks markup
into its title block shows tags in the browser's tab and to screen readers)."""

from __future__ import annotations

import re

import pytest

from tests.support.client import FormClient

LANDING_PAGES = [
    "/",
    "/ballots",
    "/areas",
    "/plan",
    "/budgets",
    "/livelihood",
    "/consultations",
    "/evaluations",
    "/volunteers",
]


@pytest.mark.parametrize("path", LANDING_PAGES)
def test_the_title_is_plain_text(client: FormClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    titles = re.findall(r"<title>(.*?)</title>", response.text, re.S)
    assert len(titles) == 1
    assert titles[0].strip() and "<" not in titles[0] and "\n" not in titles[0].strip()
