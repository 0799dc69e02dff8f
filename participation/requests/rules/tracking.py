"""Tracking numbers and their secrets (pure, given a source of randomness and a key).

The number is printed on slips and read over the phone: the day filed and six
digits. The secret is ten characters from an alphabet without look-alikes (no 0/O,
1/I/L), about 49 bits; only a keyed hash of it is stored.

The stored value is HMAC-SHA256, under a key that is not in the database (derived
from ``GONGZHI_ID_HASH_KEY``), of the SHA-256 of "number:secret". Whoever copies
the database files cannot test guesses without that key. Rows written before keys
(scheme ``PLAIN``) hold the bare SHA-256: wrapping it with the key needs no
secret, so they are moved to ``KEYED`` by the worker, and on the next lookup that
opens them.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import unicodedata
from datetime import date

SECRET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SECRET_LENGTH = 10

#: How a stored secret hash was made (``ResidentRequest.secret_scheme``).
PLAIN = 1  # SHA-256 of "number:secret": before keys (revision 0031 found them so)
KEYED = 2  # HMAC-SHA256(key, that SHA-256)

_KEY_LABEL = b"gongzhi request tracking secrets v2"


def new_number(day: date, rng: random.Random) -> str:
    return f"{day:%Y%m%d}{rng.randrange(10**6):06d}"


def new_secret(rng: random.Random) -> str:
    return "".join(rng.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))


def clean(text: str) -> str:
    """What people type: full-width characters, spaces, dashes and lower case tolerated."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in text.upper() if ch.isalnum())[:40]


def tracking_key(material: str) -> bytes:
    """The key of tracking secrets, derived from the server's key material (its own
    purpose: the same material keys other hashes differently)."""
    return hmac.new(material.encode(), _KEY_LABEL, hashlib.sha256).digest()


def plain_digest(number: str, secret: str) -> str:
    """The unkeyed SHA-256 (what ``PLAIN`` rows store; the inside of ``KEYED``)."""
    return hashlib.sha256(f"{number}:{clean(secret)}".encode()).hexdigest()


def wrap(key: bytes, digest: str) -> str:
    """A plain digest under the key: what a ``KEYED`` row stores."""
    return hmac.new(key, digest.encode(), hashlib.sha256).hexdigest()


def secret_hash(key: bytes, number: str, secret: str) -> str:
    """What is stored for a new request (scheme ``KEYED``)."""
    return wrap(key, plain_digest(number, secret))


def secret_matches(key: bytes, number: str, secret: str, stored: str, scheme: int = KEYED) -> bool:
    """Whether ``secret`` opens ``number``. Both schemes do the same work (the digest
    and its keyed hash), so which scheme a row has takes no longer to tell."""
    digest = plain_digest(number, secret)
    keyed = wrap(key, digest)
    candidate = digest if scheme == PLAIN else keyed
    return hmac.compare_digest(candidate, stored)
