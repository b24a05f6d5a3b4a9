"""Lists inside one CSV/XLSX cell: `;`-separated, with `\\;` and `\\\\` for literal ones.

The escape makes export then import lossless even for items that contain a semicolon.
"""

from __future__ import annotations

SEPARATOR = ";"
ESCAPE = "\\"


def join_cell(items: list[str]) -> str:
    return SEPARATOR.join(
        item.replace(ESCAPE, ESCAPE * 2).replace(SEPARATOR, ESCAPE + SEPARATOR) for item in items
    )


def split_cell(cell: str) -> list[str]:
    """Split on unescaped separators; blank items (a trailing `;`) carry nothing and are dropped."""
    items: list[str] = []
    current: list[str] = []
    chars = iter(cell)
    for char in chars:
        if char == ESCAPE:
            following = next(chars, "")
            current.append(following if following in (ESCAPE, SEPARATOR) else char + following)
        elif char == SEPARATOR:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]
