"""Amounts of money in whole yuan, as people type them."""

from __future__ import annotations

import unicodedata

#: No community budget or project costs a trillion yuan; the bound keeps amounts
#: well inside the database's 64-bit integers.
MAX_YUAN = 10**12


def parse_yuan(raw: str) -> int | None:
    """A positive whole number of yuan, at most MAX_YUAN, from a form field; else None.

    Full-width digits and commas (１８，０００, as Chinese input methods type them)
    are read as ASCII ones (NFKC); commas and a trailing 元 are allowed.
    """
    text = unicodedata.normalize("NFKC", raw).strip().replace(",", "").removesuffix("元")
    if not text or len(text) > 13 or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 0 < value <= MAX_YUAN else None
