"""The two thin adapters: the same JSON through the Elasticsearch 8 or the OpenSearch client.

They differ only in how each client names its arguments and its errors. Neither client
retries on its own (`max_retries=0`): the outbox worker owns retrying, with backoff, and a
page answers at once when the engine is away instead of hanging on a retry loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, cast

from matchmaker.searchengine.client import (
    Body,
    BulkFailure,
    EngineAddress,
    Flavour,
    SearchClient,
    SearchEngineError,
    SearchUnavailable,
    bulk_failures,
)

TIMEOUT_SECONDS = 10.0


class _Adapter:
    """Both official clients take the same `body=` JSON; subclasses only make the client and
    name its errors."""

    flavour: Flavour
    _client: Any
    _unavailable: tuple[type[BaseException], ...]
    _refused: tuple[type[BaseException], ...]
    _not_found: type[BaseException]

    @contextmanager
    def _errors(self) -> Iterator[None]:
        name = self.flavour.capitalize()
        try:
            yield
        except self._unavailable as error:
            raise SearchUnavailable(f"{name} unreachable: {error}") from error
        except self._refused as error:
            if _status(error) in (429, 502, 503, 504):
                raise SearchUnavailable(f"{name} busy: {error}") from error
            raise SearchEngineError(f"{name} refused the request: {error}") from error

    def version(self) -> str:
        with self._errors():
            return str(_body(self._client.info())["version"]["number"])

    def create_index(self, name: str, body: Mapping[str, Any]) -> None:
        with self._errors():
            self._client.indices.create(index=name, body=dict(body))

    def delete_index(self, name: str) -> None:
        with self._errors():
            self._client.indices.delete(index=name, ignore_unavailable=True)

    def alias_targets(self, alias: str) -> list[str]:
        with self._errors():
            try:
                return sorted(_body(self._client.indices.get_alias(name=alias)))
            except self._not_found:
                return []

    def swap_alias(self, alias: str, add: str, remove: Sequence[str]) -> None:
        with self._errors():
            body = {"actions": _alias_actions(alias, add, remove)}
            self._client.indices.update_aliases(body=body)

    def bulk(self, operations: Sequence[Mapping[str, Any]], refresh: bool) -> list[BulkFailure]:
        with self._errors():
            return bulk_failures(_body(self._client.bulk(body=list(operations), refresh=refresh)))

    def search(self, index: str, body: Mapping[str, Any]) -> Body:
        with self._errors():
            return _body(self._client.search(index=index, body=dict(body)))

    def count(self, index: str) -> int:
        with self._errors():
            return int(_body(self._client.count(index=index))["count"])

    def refresh(self, index: str) -> None:
        with self._errors():
            self._client.indices.refresh(index=index)


class ElasticsearchAdapter(_Adapter):
    """Elasticsearch 8 through the official `elasticsearch` client (8.x: 9.x refuses 8.x)."""

    flavour: Flavour = "elasticsearch"

    def __init__(self, address: EngineAddress, timeout: float = TIMEOUT_SECONDS) -> None:
        import elastic_transport
        import elasticsearch

        auth = (address.username, address.password or "") if address.username else None
        tls: dict[str, Any] = {"ca_certs": str(address.ca_file)} if address.ca_file else {}
        self._client = elasticsearch.Elasticsearch(
            address.url,
            basic_auth=auth,
            **tls,
            request_timeout=timeout,
            max_retries=0,
            retry_on_timeout=False,
        )
        self._unavailable = (elastic_transport.TransportError, elasticsearch.ConnectionError)
        self._refused = (elasticsearch.ApiError,)
        self._not_found = elasticsearch.NotFoundError


class OpenSearchAdapter(_Adapter):
    """OpenSearch 2 or 3 through `opensearch-py`."""

    flavour: Flavour = "opensearch"

    def __init__(self, address: EngineAddress, timeout: float = TIMEOUT_SECONDS) -> None:
        import opensearchpy

        auth = (address.username, address.password or "") if address.username else None
        self._client = opensearchpy.OpenSearch(
            hosts=[address.url],
            http_auth=auth,
            use_ssl=address.url.startswith("https"),
            verify_certs=True,
            ca_certs=str(address.ca_file) if address.ca_file else None,
            timeout=timeout,
            max_retries=0,
            retry_on_timeout=False,
        )
        self._unavailable = (opensearchpy.ConnectionError, opensearchpy.ConnectionTimeout)
        self._refused = (opensearchpy.TransportError,)
        self._not_found = opensearchpy.NotFoundError


def _body(response: Any) -> Body:
    """The JSON of a response: the Elasticsearch client wraps it, opensearch-py does not."""
    return cast(Body, getattr(response, "body", response))


def _status(error: BaseException) -> int:
    status = getattr(error, "status_code", None) or getattr(error, "status", None) or 0
    return status if isinstance(status, int) else 0


def _alias_actions(alias: str, add: str, remove: Sequence[str]) -> list[dict[str, Any]]:
    actions: list[dict[str, Any]] = [{"add": {"index": add, "alias": alias}}]
    actions += [{"remove": {"index": old, "alias": alias}} for old in remove if old != add]
    return actions


ADAPTERS: dict[Flavour, Callable[[EngineAddress], SearchClient]] = {
    "elasticsearch": ElasticsearchAdapter,
    "opensearch": OpenSearchAdapter,
}


def connect(url: str, ca_file: Any = None) -> SearchClient:
    """A client for MATCHMAKER_SEARCH_URL; connects lazily, on the first request."""
    address = EngineAddress.parse(url, ca_file)
    return ADAPTERS[address.flavour](address)
