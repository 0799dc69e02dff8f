"""``safe_next``: only paths that stay on this site after a browser's own URL parsing.

The model below follows the WHATWG URL standard's steps that matter for a
relative reference against an http(s) base: strip leading/trailing C0 controls
and spaces, remove every tab, CR and LF, treat a backslash as a slash; then a
reference starting with two slashes names another host, and one starting with
a scheme names another origin.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from web.kit.forms import safe_next

DEFAULT = "/account"
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def browser_leaves_site(reference: str) -> bool:
    """Whether a browser resolving ``reference`` against our page lands elsewhere."""
    cleaned = reference.strip("".join(map(chr, range(0x21))))
    cleaned = re.sub(r"[\t\n\r]", "", cleaned).replace("\\", "/")
    return bool(SCHEME.match(cleaned)) or cleaned.startswith("//")


@pytest.mark.parametrize(
    "value",
    [
        "//evil.example/",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r/evil.example",
        "\t//evil.example",
        " //evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "\\\\evil.example",
        "/%09/evil.example",
        "/%2F/evil.example",
        "/%5Cevil.example",
        "/%252F%252Fevil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/\x00/evil.example",
        "/a\r\nSet-Cookie: x=1",
        "/\x7f/evil.example",
        "evil.example",
        "",
        None,
    ],
)
def test_unsafe_targets_fall_back_to_the_default(value: str | None) -> None:
    assert safe_next(value, DEFAULT) == DEFAULT


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/areas", "/areas"),
        ("/ballots/3/cast?x=1#top", "/ballots/3/cast?x=1#top"),
        ("/consultations?q=%E5%85%AC", "/consultations?q=%E5%85%AC"),
        ("/consultations?q=公共", "/consultations?q=%E5%85%AC%E5%85%B1"),
        ("/a b", "/a%20b"),
        ("/", "/"),
    ],
)
def test_same_site_paths_are_kept(value: str, expected: str) -> None:
    assert safe_next(value, DEFAULT) == expected


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_any_accepted_target_stays_on_the_site(value: str) -> None:
    result = safe_next(value, DEFAULT)
    # Usable as a header value (no CR/LF to split the response, Latin-1 only) ...
    result.encode("ascii")
    assert not any(ord(c) < 0x21 or ord(c) == 0x7F for c in result)
    # ... and on the site however many times it is decoded on the way.
    for _ in range(3):
        assert result.startswith("/") and not browser_leaves_site(result)
        result = unquote(result)


@given(
    st.lists(
        st.sampled_from(["/", "\\", "\t", "\n", "\r", " ", "%2F", "%5C", "%09", "e.x"]), max_size=6
    )
)
def test_slash_and_control_mixtures_never_leave(parts: list[str]) -> None:
    result = safe_next("".join(parts), DEFAULT)
    assert result == DEFAULT or not browser_leaves_site(unquote(result))
