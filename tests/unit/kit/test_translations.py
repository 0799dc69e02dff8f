"""The Chinese catalog is exactly what ``scripts/messages`` extracts from the sources,
every string translated, placeholders intact: so running the script, as the README
says, can neither drop a string the code still shows nor leave one untranslated."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@cache
def source_messages() -> frozenset[str]:
    """What ``pybabel extract`` finds, run as ``scripts/messages`` runs it: the method
    map and options of ``babel.cfg``, the default keywords plus the script's ``-k``."""
    with (ROOT / "babel.cfg").open() as fh:
        # pybabel's own reader of babel.cfg (babel leaves it unannotated)
        methods, options = parse_mapping_cfg(fh, "babel.cfg")  # type: ignore[no-untyped-call]
    script = (ROOT / "scripts/messages").read_text()
    keywords = DEFAULT_KEYWORDS | parse_keywords(re.findall(r"-k\s+(\S+)", script))
    return frozenset(
        _first(message)
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), methods, options, keywords
        )
    )


def catalog() -> dict[str, str]:
    with (ROOT / "web/translations/zh_CN.po").open("rb") as fh:
        po = read_po(fh, locale="zh_CN")
    return {_first(m.id): "" if m.fuzzy else _first(m.string) for m in po if m.id}


def _first(text: str | Sequence[str] | None) -> str:
    """A message's text, or its singular form's."""
    assert text is not None
    return text if isinstance(text, str) else text[0]


def test_the_extractor_finds_every_string_of_the_catalog() -> None:
    """A msgid the extractor cannot see (a gettext call inside an f-string, a constant
    handed on to be translated later unmarked) is dropped by ``scripts/messages``
    (``--ignore-obsolete``), and the page shows English again."""
    messages = source_messages()
    assert len(messages) > 100  # the extractor really read the sources
    unseen = sorted(set(catalog()) - messages)
    assert not unseen, (
        "scripts/messages would drop these: mark each where it is written (N_(), or a -k "
        "keyword in scripts/messages), take gettext out of f-strings, or delete the "
        "entry if no code uses it:\n" + "\n".join(unseen)
    )


def test_every_string_is_translated() -> None:
    translated = {k for k, v in catalog().items() if v}
    missing = sorted(source_messages() - translated)
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
