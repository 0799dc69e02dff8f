"""Chinese resident ID numbers (居民身份证号码) and their keyed hashes.

ID numbers are never stored in clear: the roll keeps ``HMAC-SHA256(server
secret, normalized number)``. Without the secret the hash cannot be reversed by
enumerating the (small) space of valid ID numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def normalize_id_number(raw: str) -> str:
    """Upper-case, strip spaces; full-width digits become ASCII."""
    table = {ord("０") + i: str(i) for i in range(10)} | {ord("ｘ"): "X", ord("Ｘ"): "X"}
    return raw.translate(table).replace(" ", "").strip().upper()


def check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def id_number_problem(number: str, birth_date: date | None = None) -> str | None:
    """Why ``number`` is not a valid 18-digit ID number, or None if it is.

    Returns a reason code: "shape", "checksum", "birth_date" (the embedded date
    is impossible) or "birth_mismatch" (it differs from ``birth_date``).
    """
    if not _SHAPE.match(number):
        return "shape"
    if check_digit(number[:17]) != number[17]:
        return "checksum"
    try:
        embedded = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "birth_date"
    if birth_date is not None and embedded != birth_date:
        return "birth_mismatch"
    return None


def id_hash(secret: bytes, number: str) -> str:
    """Keyed hash of a normalized ID number (hex); equal numbers hash equally."""
    return hmac.new(secret, normalize_id_number(number).encode(), hashlib.sha256).hexdigest()
