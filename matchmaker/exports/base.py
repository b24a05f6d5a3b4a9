"""The exporter contract, a registry per kind of export, and helpers every format shares.

Modelled on pretalx's exporters: an exporter is a small object that names itself
(`identifier`, `extension`, `content_type`), says what the file is called for an event
(`filename`), and turns plain data into bytes (`render`). It never touches the database,
HTTP or the file system, so the same exporter serves the portal's downloads and the CLI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar
from urllib.parse import quote

from matchmaker.clock import PLATFORM_TZ

D = TypeVar("D")
D_contra = TypeVar("D_contra", contravariant=True)

# Spreadsheet programs read a cell starting with one of these as a formula (or DDE call).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_IN_FILENAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


@dataclass(frozen=True)
class EventHeader:
    """What an export says about its event: the title and when and where it takes place."""

    id: str
    title: str
    starts_at: datetime  # timezone-aware
    venue: str | None  # None: online only

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(PLATFORM_TZ)

    @property
    def place(self) -> str:
        return self.venue or "线上"


class Exporter(Protocol[D_contra]):
    """One downloadable file made from one kind of data.

    - `identifier`: unique within its registry and stable, e.g. ``"shortlists.xlsx"``; the
      part after the dot is the format a URL or the CLI asks for.
    - `extension`: with the dot, e.g. ``".xlsx"``; `filename` ends with it.
    - `content_type`: the media type sent with the file, with a charset for text formats.
    - `filename(event)`: a name for the saved file; it may hold Chinese (the HTTP layer
      encodes it per RFC 5987) but never a path separator.
    - `render(data)`: the complete file. Pure: the same data gives the same content, and
      no database, network or file access happens here.
    """

    identifier: str
    extension: str
    content_type: str

    def filename(self, event: EventHeader) -> str: ...

    def render(self, data: D_contra) -> bytes: ...


def format_of(exporter: Exporter[D]) -> str:
    """The format name a request asks for: the identifier's part after the last dot."""
    return exporter.identifier.rpartition(".")[2]


class Registry(Generic[D]):
    """The exporters of one kind of export (shortlists, run sheet), looked up by format."""

    def __init__(self, kind: str, exporters: Iterable[Exporter[D]]) -> None:
        self.kind = kind
        self._by_format: dict[str, Exporter[D]] = {}
        for exporter in exporters:
            name = format_of(exporter)
            if name in self._by_format:
                raise ValueError(f"two {kind} exporters for the format {name!r}")
            self._by_format[name] = exporter

    def get(self, fmt: str) -> Exporter[D] | None:
        return self._by_format.get(fmt)

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(self._by_format)

    def __iter__(self) -> Iterator[Exporter[D]]:
        return iter(self._by_format.values())


def safe_cell(value: object) -> object:
    """A text cell that cannot run as a formula: `=1+1` becomes `'=1+1` (OWASP CSV injection).

    Numbers, dates and None pass unchanged; only text starting with = + - @ (or a tab or a
    carriage return) gets the leading apostrophe.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_filename(event: EventHeader, what: str, extension: str) -> str:
    """`<event title>_<what>_<YYYYMMDD><extension>`, without characters a file system refuses."""
    title = _UNSAFE_IN_FILENAME.sub("_", event.title).strip(" ._") or event.id
    return f"{title}_{what}_{event.local_start:%Y%m%d}{extension}"


def content_disposition(filename: str, fallback: str) -> str:
    """An attachment header any browser saves correctly: an ASCII `filename` for old clients
    and the real name as `filename*` (RFC 5987/6266, UTF-8 percent-encoded)."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", fallback) or "export"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
