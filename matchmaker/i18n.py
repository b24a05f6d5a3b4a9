"""Languages of the portal: Simplified Chinese first, English second.

Message ids are the English text; `web/locale/<locale>/LC_MESSAGES/*.po` hold the
translations, one file per area of the portal. Catalogues are read from the .po files at
start-up (no compile step, so a fresh clone runs as is). The locale travels explicitly,
as a template variable and a function argument, rather than in a context variable, so that
code running in worker threads cannot pick up another request's language.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from fastapi import Request
from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from matchmaker.resources import web_dir

DEFAULT_LOCALE = "zh_Hans"
LOCALES = ("zh_Hans", "en")
LOCALE_COOKIE = "mm_lang"
HTML_LANG = {"zh_Hans": "zh-CN", "en": "en"}
LANGUAGE_NAMES = {"zh_Hans": "中文", "en": "English"}
TIMEZONE = "Asia/Shanghai"


def N_(message: str) -> str:
    """Mark a string for extraction where it is defined; it is translated where shown."""
    return message


def catalogue_files(locale: str) -> list[Path]:
    """One .po file per area of the portal (core, accounts, needs, ...), merged at load."""
    return sorted((web_dir() / "locale" / locale / "LC_MESSAGES").glob("*.po"))


@functools.cache
def translations(locale: str) -> NullTranslations:
    """The catalogue of one locale, read once per process; English is the source text."""
    if locale not in LOCALES:
        return NullTranslations()
    merged = Catalog(locale=locale)
    for path in catalogue_files(locale):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=locale):
                if message.id and message.string:
                    merged[message.id] = message
    buffer = io.BytesIO()
    write_mo(buffer, merged)
    buffer.seek(0)
    return Translations(fp=buffer)


def gettext(locale: str, message: str, **variables: Any) -> str:
    text = translations(locale).gettext(message)
    return text % variables if variables else text


def negotiate(request: Request) -> str:
    """The cookie chosen with the language switch wins, then the browser's preference."""
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in LOCALES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh_Hans"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LOCALE


def _babel_locale(locale: str) -> Locale:
    return Locale.parse("zh_Hans_CN" if locale == "zh_Hans" else "en_GB")


def format_day(value: date | None, locale: str) -> str:
    return "" if value is None else format_date(value, "medium", locale=_babel_locale(locale))


def format_moment(value: datetime | None, locale: str) -> str:
    if value is None:
        return ""
    return format_datetime(value, "short", tzinfo=ZoneInfo(TIMEZONE), locale=_babel_locale(locale))


def format_clock(value: datetime | None, locale: str) -> str:
    """Only the time of day, for the end of a slot whose date was just shown."""
    if value is None:
        return ""
    return format_time(value, "short", tzinfo=ZoneInfo(TIMEZONE), locale=_babel_locale(locale))


def format_number(value: float | None, locale: str) -> str:
    return "" if value is None else format_decimal(value, locale=_babel_locale(locale))


def _with_locale(
    function: Callable[[Any, str], str],
) -> Callable[[Context, Any], str]:
    @pass_context
    def bound(context: Context, value: Any) -> str:
        return function(value, context.get("locale", DEFAULT_LOCALE))

    return bound


def translate_in(context: Context, message: str) -> str:
    return translations(context.get("locale", DEFAULT_LOCALE)).gettext(message)


def install(env: Environment) -> None:
    """Give templates `_`/`ngettext` and locale-aware date and number filters."""

    @pass_context
    def _gettext(context: Context, message: str) -> str:
        return translations(context.get("locale", DEFAULT_LOCALE)).gettext(message)

    @pass_context
    def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
        return translations(context.get("locale", DEFAULT_LOCALE)).ngettext(singular, plural, n)

    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["day"] = _with_locale(format_day)
    env.filters["moment"] = _with_locale(format_moment)
    env.filters["clock"] = _with_locale(format_clock)
    env.filters["number"] = _with_locale(format_number)
    env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    env.globals["HTML_LANG"] = HTML_LANG
