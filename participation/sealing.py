"""Sealing: what must not be readable from the database files is stored there only
as ciphertext, under a key that is not in them.

The key is derived (HKDF-SHA256) from the portal's secret (``GONGZHI_SECRET_KEY``),
which the web layer and the command line hand over once per process with
:func:`use_secret`; each purpose (one ballot box, one evaluation's responses, its
drafts) gets its own key, and the purpose is also bound to the ciphertext as
associated data, so a sealed value cannot be moved to another box. AES-256-GCM with
a random 96-bit nonce per value.

Every plaintext is padded to a size given by the caller (the largest content the
purpose allows, see :mod:`participation.ballots.rules.mixing`), so the length of a
ciphertext says nothing about what it holds.

Invariants: :func:`unseal` returns exactly what :func:`seal` was given, for the
same purpose and secret; any other purpose, secret or a changed byte raises
:class:`SealingError` (nothing is ever returned half-checked).
"""

from __future__ import annotations

import hashlib
import os
import threading

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from participation.ballots.rules.mixing import padded_size
from participation.errors import N_, DomainError

VERSION = b"\x01"
_LENGTH = 4  # bytes of the length prefix inside the plaintext
_NONCE = 12
_INFO = b"gongzhi sealing v1"


class SealingError(Exception):
    """A sealed value cannot be opened: another key, another purpose, or damaged."""


_state: dict[str, bytes | None] = {"master": None}
_keys: dict[str, tuple[AESGCM, bytes]] = {}
_lock = threading.Lock()


def _derive(material: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(material)


def use_secret(secret: str) -> None:
    """Seal and open with keys derived from ``secret`` from now on (this process)."""
    master = _derive(secret.encode(), _INFO)
    with _lock:
        if _state["master"] != master:
            _state["master"] = master
            _keys.clear()


def _key(purpose: str) -> tuple[AESGCM, bytes]:
    found = _keys.get(purpose)
    if found is None:
        master = _state["master"]
        if master is None:
            raise SealingError("no sealing key: call participation.sealing.use_secret first")
        key = _derive(master, _INFO + b":" + purpose.encode())
        found = (AESGCM(key), hashlib.sha256(key).digest()[:4])
        with _lock:
            if len(_keys) > 10_000:
                _keys.clear()
            _keys[purpose] = found
    return found


def seal(purpose: str, payload: bytes, size: int) -> bytes:
    """``payload`` padded to ``size`` (or, if longer, to the next power of two),
    encrypted and authenticated under ``purpose``'s key."""
    aead, key_id = _key(purpose)
    total = padded_size(len(payload) + _LENGTH, size)
    plain = len(payload).to_bytes(_LENGTH, "big") + payload + bytes(total - _LENGTH - len(payload))
    nonce = os.urandom(_NONCE)
    return VERSION + key_id + nonce + aead.encrypt(nonce, plain, purpose.encode())


OTHER_KEY = N_(
    "Sealed ballots or responses cannot be opened with the current secret key. Set "
    "GONGZHI_SECRET_KEY back to the key in use when they were cast; nothing has been lost."
)


def open_or_refuse(purpose: str, sealed: bytes) -> bytes:
    """:func:`unseal` for services: a value that cannot be opened refuses the
    whole operation (the caller's transaction rolls back, nothing is lost)."""
    try:
        return unseal(purpose, sealed)
    except SealingError:
        raise DomainError("sealing.other_key", OTHER_KEY, status=409) from None


def unseal(purpose: str, sealed: bytes) -> bytes:
    """The payload :func:`seal` was given; raises :class:`SealingError` otherwise."""
    aead, key_id = _key(purpose)
    sealed = bytes(sealed)
    if sealed[:1] != VERSION:
        raise SealingError("not a sealed value of a known version")
    if sealed[1:5] != key_id:
        raise SealingError(
            "sealed under another key (was GONGZHI_SECRET_KEY changed while it was pending?)"
        )
    nonce, body = sealed[5 : 5 + _NONCE], sealed[5 + _NONCE :]
    try:
        plain = aead.decrypt(nonce, body, purpose.encode())
    except InvalidTag:
        raise SealingError("sealed value damaged or sealed for another purpose") from None
    length = int.from_bytes(plain[:_LENGTH], "big")
    return plain[_LENGTH : _LENGTH + length]
