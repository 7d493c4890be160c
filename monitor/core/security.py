"""Password hashing and bearer tokens (only hashes are stored)."""

from __future__ import annotations

import hashlib
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

TOKEN_PREFIX = "cw_"


def hash_password(password: str) -> str:
    """Argon2id hash of a user's password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches the stored hash."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def verify_dummy(password: str) -> None:
    """Spend the time of one password check on nothing (unknown users answer as slowly)."""
    verify_password(_dummy_hash(), password)


def new_token() -> str:
    """A new random bearer token, shown once to its owner."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """SHA-256 of a token: tokens are high-entropy, so a fast hash is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()
