"""Ranked results kept in the shared cache (Redis across app processes, else in process).

A ranking depends on every published profile and open need, so a cached result is keyed
by the newest change in the log: any write to a need, profile or enterprise moves the key
and the old entries are simply never read again (they expire). Reading the newest seq is
one indexed query, far cheaper than catching the engine up and ranking.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from sqlalchemy.orm import Session

from matchmaker.cache.base import Cache
from matchmaker.changes import service as changes
from matchmaker.matching.engine import Match
from matchmaker.matching.explain import Reason

TTL_SECONDS = 600


class ResultCache:
    def __init__(self, cache: Cache, ttl_seconds: int = TTL_SECONDS, namespace: str = "") -> None:
        """`namespace` keeps installations that share one Redis apart; the app derives it
        from its secret key, which every process of one installation shares."""
        self.cache = cache
        self.ttl_seconds = ttl_seconds
        self.namespace = namespace

    def get_or_compute(
        self, db: Session, key: str, compute: Callable[[], dict[str, Any]]
    ) -> dict[str, Any]:
        """The JSON value cached under `key` at the current state of the data, or compute
        and store it. A cache that is down only costs the computation."""
        if self.ttl_seconds == 0:
            return compute()
        versioned = f"results:{self.namespace}:{changes.latest(db)}:{key}"
        found = self.cache.get(versioned)
        if isinstance(found, dict):
            return found
        value = compute()
        self.cache.set(versioned, value, self.ttl_seconds)
        return value

    def ranked(self, db: Session, key: str, compute: Callable[[], list[Match]]) -> list[Match]:
        """Ranked matches themselves, for the pages that build their rows from them (the
        candidate list, recommendations): the ranking is the costly part of those pages."""
        found = self.get_or_compute(db, key, lambda: {"matches": [asdict(m) for m in compute()]})
        return [_match(item) for item in found["matches"]]


def _match(item: dict[str, Any]) -> Match:
    explained = [Reason(r["kind"], tuple(r["items"]), dict(r["params"])) for r in item["explained"]]
    return Match(**{**item, "explained": explained})
