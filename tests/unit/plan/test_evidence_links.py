"""Evidence links on plan updates stay on this site or go over http(s) to a named host."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participation.plan.rules import is_evidence_link


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("https://example.org/photo.jpg", True),
        ("http://example.org", True),
        ("HTTPS://example.org/a?b=c#d", True),
        ("/budgets/proposals/3/photo", True),
        ("//evil.example/x", False),  # scheme-relative: another host
        ("/\\evil.example/x", False),  # browsers read \ as /
        ("/\\/evil.example", False),
        ("https:/\\evil.example", False),
        ("/\t/evil.example", False),  # browsers drop tabs and newlines in URLs
        ("javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("https://", False),
        ("https://user@evil.example", False),
        ("ftp://example.org/file", False),
        ("photo.jpg", False),
        ("", False),
    ],
)
def test_evidence_links(text: str, accepted: bool) -> None:
    assert is_evidence_link(text) is accepted


@given(st.text(alphabet=st.sampled_from("/\\:.@?#ahtps \t\x00evil"), max_size=16))
def test_an_accepted_path_never_leaves_the_site(text: str) -> None:
    """What a browser makes of an accepted link that starts with / keeps our host."""
    if is_evidence_link(text) and text.startswith("/"):
        assert urljoin("https://gongzhi.example/plan", text.replace("\\", "/")).startswith(
            "https://gongzhi.example/"
        )
