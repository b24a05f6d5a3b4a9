"""The outbox worker: every few seconds, deliver the change log to the search engine.

Need search also catches up before each search, so a user sees their own write at once;
this loop is what keeps the profile index (candidate retrieval) current and what delivers
the writes made while the engine was away as soon as it is back. It runs in
`matchmaker worker`, and in the app process when the app runs its own jobs (no Redis).
"""

from __future__ import annotations

import logging
import threading

from matchmaker.db import Database
from matchmaker.matching.service import MatchingService
from matchmaker.search.service import SearchService
from matchmaker.searchengine.client import SearchEngineError

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 2.0


class DeliveryLoop:
    def __init__(
        self,
        database: Database,
        search: SearchService,
        matching: MatchingService,
        interval: float = INTERVAL_SECONDS,
    ) -> None:
        self.database = database
        self.search = search
        self.matching = matching
        self.interval = interval
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """One round; returns how many profiles were sent. Never raises for an engine
        that is away: the changes stay in the log for the next round."""
        with self.database.session() as db:
            try:
                self.search.deliver(db)
            except SearchEngineError as error:
                log.debug("need delivery postponed: %s", error)
        with self.database.session() as db:
            return self.matching.deliver(db)

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.run_once()
            except Exception:  # a database hiccup must not end the loop
                log.exception("search engine delivery failed; retrying")
            self.stopping.wait(self.interval)

    def start(self) -> DeliveryLoop:
        self._thread = threading.Thread(target=self.run, name="search-delivery", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self.stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
