"""Stable string ids for records created in the app (imported records keep their own)."""

from __future__ import annotations

import secrets
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def new_id(prefix: str) -> str:
    """A sortable id: prefix, 8 chars of time, 10 random chars (no collisions in practice)."""
    millis = int(time.time() * 1000)
    stamp = ""
    for _ in range(8):
        millis, digit = divmod(millis, 32)
        stamp = _ALPHABET[digit] + stamp
    tail = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{prefix}-{stamp}{tail}"
