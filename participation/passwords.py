"""Password hashing with argon2id (argon2-cffi)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Production cost is argon2-cffi's RFC 9106 low-memory profile; tests may
# choose a cheap profile through settings so that sign-ups stay fast.
_hasher = PasswordHasher()


def use_cheap_hashing() -> None:
    """For tests only: a fast (insecure) profile."""
    global _hasher
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A valid hash of nothing in particular: verifying against it when the account
# does not exist keeps the response time the same as for a wrong password.
_DUMMY_HASH: str | None = None


def burn_time(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash("not a real password")
    verify_password(_DUMMY_HASH, password)
