"""Tracking numbers and their secrets (pure, given a source of randomness).

The number is printed on slips and read over the phone: the day filed and six
digits. The secret is eight characters from an alphabet without look-alikes
(no 0/O, 1/I/L); only its hash is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import unicodedata
from datetime import date

SECRET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SECRET_LENGTH = 8


def new_number(day: date, rng: random.Random) -> str:
    return f"{day:%Y%m%d}{rng.randrange(10**6):06d}"


def new_secret(rng: random.Random) -> str:
    return "".join(rng.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))


def clean(text: str) -> str:
    """What people type: full-width characters, spaces, dashes and lower case tolerated."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in text.upper() if ch.isalnum())[:40]


def secret_hash(number: str, secret: str) -> str:
    return hashlib.sha256(f"{number}:{clean(secret)}".encode()).hexdigest()


def secret_matches(number: str, secret: str, stored: str) -> bool:
    return hmac.compare_digest(secret_hash(number, secret), stored)
