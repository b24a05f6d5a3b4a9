"""The few calls matchmaker makes of a search engine, whichever engine it is.

Query and mapping code (`mappings.py`, `needs.py`, `profiles.py`) builds plain JSON bodies
once; an adapter (`adapters.py`) sends them through the official client of Elasticsearch 8
or of OpenSearch. Adapters turn every client failure into one of the two errors below, so
callers tell "the engine is away, try later" from "the engine refused this" without
importing either client.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import unquote, urlsplit

Flavour = Literal["elasticsearch", "opensearch"]
Body = dict[str, Any]


class SearchEngineError(RuntimeError):
    """The engine answered but refused the request (a bad query, a missing index)."""


class SearchUnavailable(SearchEngineError):
    """The engine could not be reached or timed out; the same request may work later."""


@dataclass(frozen=True)
class EngineAddress:
    """Where the engine is, parsed from MATCHMAKER_SEARCH_URL."""

    flavour: Flavour
    url: str  # http(s)://host:port without credentials
    username: str | None = None
    password: str | None = None
    ca_file: Path | None = None

    @classmethod
    def parse(cls, url: str, ca_file: Path | None = None) -> EngineAddress:
        """`opensearch+http://host:9200` or `elasticsearch+https://user:pass@host:9200`."""
        scheme, _, rest = url.partition("+")
        if scheme not in ("elasticsearch", "opensearch") or not rest:
            raise ValueError(
                f"MATCHMAKER_SEARCH_URL must start with elasticsearch+http(s):// or "
                f"opensearch+http(s)://, not {url!r}"
            )
        parts = urlsplit(rest)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"MATCHMAKER_SEARCH_URL needs http(s)://host[:port], not {url!r}")
        netloc = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        return cls(
            flavour="elasticsearch" if scheme == "elasticsearch" else "opensearch",
            url=f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}",
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            ca_file=ca_file,
        )


@dataclass(frozen=True)
class BulkFailure:
    doc_id: str
    status: int
    reason: str


class SearchClient(Protocol):
    """One engine connection. Every method raises SearchUnavailable or SearchEngineError."""

    flavour: Flavour

    def version(self) -> str:
        """The engine's version number (also a cheap liveness check)."""
        ...

    def create_index(self, name: str, body: Mapping[str, Any]) -> None: ...

    def delete_index(self, name: str) -> None:
        """Delete it; a missing index is not an error."""
        ...

    def alias_targets(self, alias: str) -> list[str]:
        """The indices the alias points at; [] when there is no such alias."""
        ...

    def swap_alias(self, alias: str, add: str, remove: Sequence[str]) -> None:
        """Point the alias at `add` instead of `remove`, in one atomic step."""
        ...

    def bulk(self, operations: Sequence[Mapping[str, Any]], refresh: bool) -> list[BulkFailure]:
        """Send action/source lines; returns the items the engine refused."""
        ...

    def search(self, index: str, body: Mapping[str, Any]) -> Body: ...

    def count(self, index: str) -> int: ...

    def refresh(self, index: str) -> None: ...


def bulk_failures(response: Mapping[str, Any]) -> list[BulkFailure]:
    """The refused items of a bulk response (deleting a missing document is no failure)."""
    if not response.get("errors"):
        return []
    failures = []
    for item in response.get("items", []):
        (action, result), *_ = item.items()
        status = int(result.get("status", 0))
        if status >= 300 and not (action == "delete" and status == 404):
            error = result.get("error") or {}
            reason = error.get("reason", str(error)) if isinstance(error, dict) else str(error)
            failures.append(BulkFailure(str(result.get("_id", "")), status, reason))
    return failures
