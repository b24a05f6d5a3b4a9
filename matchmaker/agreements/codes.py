"""Verification codes: short, unambiguous when read aloud or retyped from paper, unique."""

from __future__ import annotations

import secrets

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L or U/V pairs to confuse


def new_code() -> str:
    """Eight symbols from a 30-letter alphabet, shown as XXXX-XXXX (about 6.6e11 codes)."""
    symbols = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{symbols[:4]}-{symbols[4:]}"


def normalise_code(text: str) -> str:
    """What a person typed (any case, spaces, with or without the dash) as stored."""
    symbols = "".join(ch for ch in text.upper() if ch.isalnum())
    return f"{symbols[:4]}-{symbols[4:]}" if len(symbols) == 8 else symbols
