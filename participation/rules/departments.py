"""Department names: how typed names are compared, and what a department is shown as."""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")  # includes the full-width space U+3000
# A space next to a CJK character or full-width form carries no meaning in a name.
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef]) | (?=[\u3000-\u9fff\uff00-\uffef])")


def normalise_name(text: str) -> str:
    """The name with outer whitespace removed, inner runs of whitespace (ASCII or
    full-width) made one ASCII space, and spaces next to Chinese characters dropped.

    Invariant: idempotent; names that differ only in whitespace between Chinese
    characters (or in the amount of whitespace elsewhere) normalise to the same
    text, and nothing else is changed (no guessing that 住建局 and 区住建局 are
    one department: that is a person's decision, a merge)."""
    return _CJK_SPACE.sub("", _SPACE.sub(" ", text).strip())


def label(name: str, short_name: str) -> str:
    """What boards and selects show: the short name when there is one."""
    return short_name or name
