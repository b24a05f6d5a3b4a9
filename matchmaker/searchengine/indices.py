"""An index behind an alias: readers use the alias, a rebuild fills a fresh index and then
points the alias at it in one atomic step, so searches never see a half-built index."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Mapping
from typing import Any

from matchmaker.searchengine.client import SearchClient, SearchEngineError
from matchmaker.searchengine.mappings import index_body

BATCH = 1000


class AliasedIndex:
    def __init__(
        self, client: SearchClient, alias: str, properties: dict[str, Any], replicas: int = 0
    ) -> None:
        self.client = client
        self.alias = alias
        self.properties = properties
        self.replicas = replicas

    def ensure(self) -> None:
        """Create an empty index behind the alias unless the alias already exists."""
        if not self.client.alias_targets(self.alias):
            self.rebuild(())

    def rebuild(self, sources: Iterable[Mapping[str, Any]]) -> int:
        """Load these documents into a new index, swap the alias to it, drop the old ones."""
        name = f"{self.alias}-{time.time_ns()}"
        self.client.create_index(name, index_body(self.properties, self.replicas))
        count = 0
        try:
            iterator = iter(sources)
            while batch := list(itertools.islice(iterator, BATCH)):
                self._bulk(name, [(source, False) for source in batch], refresh=False)
                count += len(batch)
            self.client.refresh(name)
            old = self.client.alias_targets(self.alias)
            self.client.swap_alias(self.alias, name, old)
        except BaseException:
            self.client.delete_index(name)
            raise
        for index in old:
            if index != name:
                self.client.delete_index(index)
        return count

    def write(
        self, sources: Iterable[Mapping[str, Any]], deleted: Iterable[str], refresh: bool = True
    ) -> None:
        """Upsert these documents and delete these ids through the alias."""
        operations = [(source, False) for source in sources]
        operations += [({"id": doc_id}, True) for doc_id in deleted]
        for start in range(0, len(operations), BATCH):
            self._bulk(self.alias, operations[start : start + BATCH], refresh)
        if not operations and refresh:
            self.client.refresh(self.alias)

    def _bulk(
        self, index: str, operations: list[tuple[Mapping[str, Any], bool]], refresh: bool
    ) -> None:
        lines: list[Mapping[str, Any]] = []
        for source, delete in operations:
            header = {"_index": index, "_id": source["id"]}
            if delete:
                lines.append({"delete": header})
            else:
                lines += [{"index": header}, source]
        failures = self.client.bulk(lines, refresh)
        if failures:
            first = failures[0]
            raise SearchEngineError(
                f"{len(failures)} of {len(operations)} documents refused by {index}; "
                f"first: {first.doc_id} (HTTP {first.status}): {first.reason}"
            )
