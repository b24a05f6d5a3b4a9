"""Keeps the engine's profile index (candidate retrieval) in step with the database.

Profiles reach the search engine as the matching engine in this process sees them (their
chain segments come from its assigner), so delivery first catches that engine up, then
sends the profiles changed since the shared cursor, up to the change the engine has
applied. Delivery runs in every app process and in `matchmaker worker`; the cursor in the
database makes each change go out about once, and a failed delivery leaves the cursor
where it was, so the same changes go out again when the engine is back.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.changes import service as changes
from matchmaker.matching.engine import Engine
from matchmaker.matching.retrieval import InMemoryRetriever
from matchmaker.profiles.models import CapabilityProfile
from matchmaker.searchengine.breaker import Breaker
from matchmaker.searchengine.client import SearchClient, SearchEngineError
from matchmaker.searchengine.guard import FallbackRetriever
from matchmaker.searchengine.profiles import EngineRetriever

log = logging.getLogger(__name__)


class ProfileMirror:
    def __init__(self, client: SearchClient, alias: str, replicas: int = 0) -> None:
        self.client = client
        self.alias = alias
        self.replicas = replicas
        self.breaker = Breaker(f"search engine ({alias})")
        self.feed = changes.ChangeFeed()
        self.retriever: EngineRetriever | None = None

    def attach(self, engine: Engine) -> None:
        """Make the engine retrieve candidates through the search engine."""
        self.retriever = EngineRetriever(engine, self.client, self.alias, self.replicas)
        fallback = InMemoryRetriever(engine)
        engine.retriever = FallbackRetriever(self.retriever, fallback, self.breaker)

    def rebuild(self, db: Session, seq: int) -> int:
        """Index every profile of the attached engine anew (behind the alias) and record
        that the index holds the log up to `seq`; commits `db`."""
        count = self._retriever().rebuild()
        changes.advance(db, self.alias, seq)
        self.breaker.succeeded()
        return count

    def deliver(self, db: Session, seq: int) -> int:
        """Send what changed up to `seq` (the attached engine's own); returns how many
        profiles were sent. Failures open the breaker and leave the cursor; commits `db`."""
        if self.breaker.open:
            return 0
        try:
            cursor = changes.cursor(db, self.alias)
            if cursor is None:
                return self.rebuild(db, seq)
            newest, changed = self.feed.read(db, cursor, upto=seq)
            ids = set(changed["profiles"])
            if changed["enterprises"]:
                owners = list(changed["enterprises"])
                ids |= set(
                    db.scalars(
                        select(CapabilityProfile.id).where(
                            CapabilityProfile.enterprise_id.in_(owners)
                        )
                    )
                )
            if ids:
                self._retriever().deliver(ids)
            if newest > cursor:
                changes.advance(db, self.alias, newest)
        except SearchEngineError as error:
            db.rollback()
            self.breaker.failed(error)
            return 0
        self.breaker.succeeded()
        return len(ids)

    def _retriever(self) -> EngineRetriever:
        if self.retriever is None:
            raise RuntimeError("attach an engine first")
        return self.retriever
