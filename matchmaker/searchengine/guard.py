"""What the app does while the search engine is away: need search answers 503 at once
(the breaker spares each request a timeout), and matching falls back to the in-process
index, which holds every profile anyway, so match results keep coming."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from matchmaker.matching.retrieval import CandidateRetriever
from matchmaker.search.base import NeedDocument, NeedQuery, NeedResults, NeedSearch
from matchmaker.searchengine.breaker import Breaker
from matchmaker.searchengine.client import SearchEngineError, SearchUnavailable

T = TypeVar("T")


class GuardedNeedSearch:
    """A NeedSearch whose calls fail fast with SearchUnavailable while the breaker is open."""

    def __init__(self, backend: NeedSearch, breaker: Breaker) -> None:
        self.backend = backend
        self.breaker = breaker

    def _call(self, call: Callable[[], T]) -> T:
        if self.breaker.open:
            raise SearchUnavailable(f"search engine down: {self.breaker.last_error}")
        try:
            result = call()
        except SearchUnavailable as error:
            self.breaker.failed(error)
            raise
        self.breaker.succeeded()
        return result

    def index(self, documents: Iterable[NeedDocument]) -> None:
        self._call(lambda: self.backend.index(documents))

    def update(self, documents: Iterable[NeedDocument]) -> None:
        self._call(lambda: self.backend.update(documents))

    def remove(self, need_ids: Iterable[str]) -> None:
        self._call(lambda: self.backend.remove(need_ids))

    def __len__(self) -> int:
        return self._call(lambda: len(self.backend))

    def search(self, query: NeedQuery) -> NeedResults:
        return self._call(lambda: self.backend.search(query))


class FallbackRetriever:
    """The engine's candidates, or the in-process ones while the engine is away."""

    def __init__(
        self, primary: CandidateRetriever, fallback: CandidateRetriever, breaker: Breaker
    ) -> None:
        self.primary = primary
        self.fallback = fallback
        self.breaker = breaker

    def candidates(self, need_id: str, count: int) -> list[str]:
        if self.breaker.allow():
            try:
                found = self.primary.candidates(need_id, count)
            except SearchEngineError as error:
                self.breaker.failed(error)
            else:
                self.breaker.succeeded()
                return found
        return self.fallback.candidates(need_id, count)
