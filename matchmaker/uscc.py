"""The 统一社会信用代码 (Unified Social Credit Code) check of GB 32100-2015.

A mistyped code would silently attach a record to the wrong legal entity, so the check
character is verified rather than only the length.
"""

from __future__ import annotations

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUES = {char: index for index, char in enumerate(CHARSET)}


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (all from CHARSET)."""
    total = sum(_VALUES[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Return the code in upper case, or raise ValueError saying exactly what is wrong."""
    code = value.strip().upper()
    if len(code) != 18:
        raise ValueError(f"a 统一社会信用代码 has 18 characters, this one has {len(code)}")
    for position, char in enumerate(code, start=1):
        if char not in _VALUES:
            raise ValueError(
                f"character {position} ({char!r}) is not allowed in a 统一社会信用代码 "
                "(digits and capital letters except I, O, S, V, Z)"
            )
    if not code[2:8].isdigit():
        raise ValueError("characters 3-8 of a 统一社会信用代码 are the 6-digit administrative code")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise ValueError(
            f"check character is wrong: the 18th character should be {expected!r}, not "
            f"{code[17]!r} (GB 32100-2015); the code is probably mistyped"
        )
    return code
