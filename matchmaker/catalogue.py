"""Find the portal's message ids in the code and check every one is translated.

Used by the test that keeps the Chinese catalogue complete and by `matchmaker messages`,
which prints the missing entries as PO text ready to translate.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from babel.messages.extract import extract_from_dir

from matchmaker import i18n
from matchmaker.resources import web_dir

_PACKAGE = Path(__file__).resolve().parent
_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


@dataclass(frozen=True)
class Msgid:
    text: str
    where: str


def _extract(directory: Path, method: str, pattern: str) -> list[Msgid]:
    found: list[Msgid] = []
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(directory), method_map=[(pattern, method)], keywords=_KEYWORDS
    ):
        texts = message if isinstance(message, tuple) else (message,)
        found.extend(Msgid(text, f"{filename}:{lineno}") for text in texts if text)
    return found


def msgids() -> list[Msgid]:
    python = _extract(_PACKAGE, "python", "**.py")
    templates = _extract(web_dir() / "templates", "jinja2", "**.html")
    return python + templates


def missing(locale: str = i18n.DEFAULT_LOCALE) -> list[Msgid]:
    catalogue = i18n.translations(locale)
    seen: set[str] = set()
    absent = []
    for msgid in msgids():
        if msgid.text in seen:
            continue
        seen.add(msgid.text)
        if catalogue.gettext(msgid.text) == msgid.text:
            absent.append(msgid)
    return absent


def as_po(entries: list[Msgid]) -> str:
    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    return "\n".join(f'#: {e.where}\nmsgid {quoted(e.text)}\nmsgstr ""\n' for e in entries)
