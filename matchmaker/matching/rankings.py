"""Rankings for the match API and the portal's pages, answered from the result cache.

The match API, the candidate list, the recommendations page and the dashboards all start
from a ranking,
which is the costly part of each (tens of milliseconds at 100,000 profiles); the rows built
around it (decisions, introductions, names) are read fresh on every view. A ranking is
cached until any record changes (`ResultCache`), in Redis across processes when configured.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from matchmaker.matching.cached import ResultCache
from matchmaker.matching.engine import Match
from matchmaker.matching.service import MatchingService


class Rankings:
    def __init__(self, service: MatchingService, results: ResultCache) -> None:
        self.service = service
        self.results = results

    def match(self, db: Session, need_id: str, top: int) -> list[Match]:
        """Profiles for a need, best first (MatchingService.match, cached)."""
        key = f"ranked-profiles:{need_id}:{top}"
        return self.results.ranked(db, key, lambda: self.service.match(db, need_id, top))

    def recommend(self, db: Session, profile_id: str, top: int) -> list[Match]:
        """Open needs for a profile, best first (MatchingService.recommend, cached)."""
        key = f"ranked-needs:{profile_id}:{top}"
        return self.results.ranked(db, key, lambda: self.service.recommend(db, profile_id, top))
