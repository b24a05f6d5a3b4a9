"""Password hashing (argon2id) and random tokens stored only as digests."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from matchmaker.accounts import passwords

_HASHER = PasswordHasher()
# A fixed hash to verify against when the user does not exist, so timing does not reveal it.
_DUMMY_HASH = _HASHER.hash("matchmaker-dummy-password")

MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH
API_TOKEN_PREFIX = "mm_"  # noqa: S105 - a visible marker, not a secret


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


def check_password_rules(password: str, *, email: str = "", name: str = "") -> str | None:
    """The reason a password is refused (a catalogue message), or None; see passwords.py."""
    return passwords.problem(password, email=email, name=name)


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
