"""Every user-facing string is translated into Simplified Chinese, placeholders intact."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "DomainError": (2,),
    "flash": (2,),
}
METHODS = [
    ("participation/**.py", "python"),
    ("consultations/**.py", "python"),
    ("volunteers/**.py", "python"),
    ("search/**.py", "python"),
    ("web/**.py", "python"),
    ("web/templates/**.html", "jinja2"),
]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def source_messages() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        METHODS,
        options_map={"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords=KEYWORDS,
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def catalog() -> dict[str, str]:
    with (ROOT / "web/translations/zh_CN.po").open("rb") as fh:
        po = read_po(fh, locale="zh_CN")
    return {_first(m.id): _first(m.string) for m in po if m.id and not m.fuzzy}


def _first(text: str | Sequence[str] | None) -> str:
    """A message's text, or its singular form's."""
    assert text is not None
    return text if isinstance(text, str) else text[0]


def test_every_string_is_translated() -> None:
    messages = source_messages()
    assert len(messages) > 100  # the extractor really read the sources
    translated = {k for k, v in catalog().items() if v}
    missing = sorted(messages - translated)
    assert not missing, "untranslated (run scripts/messages, then translate):\n" + "\n".join(
        missing
    )


def test_placeholders_survive_translation() -> None:
    wrong = {
        msgid: text
        for msgid, text in catalog().items()
        if text and set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(text))
    }
    assert not wrong
