"""Password rules: long enough, not all letters or digits, not common, not about the user.

One function, `problem`, applied wherever a password is chosen: sign-up, password change,
reset and users created by an admin or the CLI. Each rule has its own catalogue message, so
the form says which rule the password broke.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from matchmaker.i18n import N_

MIN_LENGTH = 10
MAX_LENGTH = 256
TOO_SHORT = N_("password must have at least 10 characters")
TOO_LONG = N_("password must have at most 256 characters")
NOT_MIXED = N_("password must mix letters with digits or symbols")
TOO_COMMON = N_("password is one of the most common passwords; choose a less guessable one")
PERSONAL = N_("password must not contain your email address or name")
COMMON_FILE = Path(__file__).with_name("common_passwords.txt")
# Beyond the bundled list: the product's own name and patterns common in Chinese passwords
# (love declarations, lucky numbers, keyboard walks), checked after normalising.
EXTRA_COMMON = frozenset(
    {
        "matchmaker", "matchmaker1", "matchmaker123", "admin12345", "administrator",
        "woaini1314", "woaini520", "woaini5201314", "5201314", "1314520", "woaiwojia",
        "iloveyou1314", "aini1314", "qwerty", "1qaz2wsx", "1qaz2wsx3edc", "qazwsxedc",
        "zaq12wsx", "123456789", "1234567890", "0123456789", "abc123456", "a123456789",
        "qq123456", "qwe123456", "asd123456", "zxc123456", "1q2w3e4r5t", "1q2w3e4r5t6y",
        "88888888", "666666666", "147258369", "159357456", "741852963", "password123",
    }
)  # fmt: skip
# Stems that make a password common whatever digits or symbols surround them.
COMMON_STEMS = ("woaini", "iloveyou", "password", "qwerty", "asdfgh", "zxcvbn", "matchmaker")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_EDGE_DIGITS = re.compile(r"^[0-9]+|[0-9]+$")


@functools.cache
def common_passwords() -> frozenset[str]:
    """The bundled list plus the extras, read once per process."""
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    listed = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    return frozenset(listed) | EXTRA_COMMON


def _normal(text: str) -> str:
    return _NON_ALNUM.sub("", text.lower())


def is_common(password: str) -> bool:
    """Common as typed, without symbols, or a listed word or stem padded with digits."""
    common = common_passwords()
    lowered, bare = password.lower(), _normal(password)
    core = _EDGE_DIGITS.sub("", bare)
    if lowered in common or bare in common or (len(core) >= 4 and core in common):
        return True
    return core in COMMON_STEMS


def is_personal(password: str, *, email: str = "", name: str = "") -> bool:
    """The password contains the email's local part or the name (4+ letters or digits)."""
    bare = _normal(password)
    local = email.split("@", 1)[0]
    parts = [_normal(email), _normal(local), _normal(name)]
    return any(len(part) >= 4 and part in bare for part in parts)


def problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """The rule a password breaks (a catalogue message), or None."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    if password.isdigit() or password.isalpha():
        return NOT_MIXED
    if is_common(password):
        return TOO_COMMON
    if is_personal(password, email=email, name=name):
        return PERSONAL
    return None
