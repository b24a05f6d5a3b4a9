"""Rebuild every index from the database: the matching engine's and, when a search engine
is configured, its need and profile indices (each filled anew behind its alias, which is
swapped only when the new index is complete, so searches go on meanwhile)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from matchmaker.config import Settings
from matchmaker.i18n import N_
from matchmaker.searchengine.backends import matching_service_for, search_service_for

if TYPE_CHECKING:
    from matchmaker.jobs.registry import Progress as JobProgress

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Rebuilt:
    profiles: int
    needs: int
    engine_needs: int | None  # None without a search engine
    engine_profiles: int | None

    def summary(self) -> str:
        text = f"indexed {self.profiles} published profiles and {self.needs} needs"
        if self.engine_needs is not None:
            text += (
                f"; search engine: {self.engine_needs} needs and "
                f"{self.engine_profiles} profiles behind fresh aliases"
            )
        return text


def _quiet(_done: int, _total: int, _stage: str) -> None:
    pass


def rebuild_all(db: Session, settings: Settings, progress: Progress | None = None) -> Rebuilt:
    report = progress or _quiet
    matching = matching_service_for(settings)
    stage = N_("matching index")
    engine = matching.rebuild(db, progress=lambda done, total: report(done, total, stage))
    if not settings.search_url:
        return Rebuilt(len(engine.profiles), len(engine.needs), None, None)
    report(0, 2, N_("search engine: needs"))
    needs = search_service_for(settings).rebuild(db)
    report(1, 2, N_("search engine: profiles"))
    profiles = matching.deliver(db, rebuild=True)
    report(2, 2, N_("search engine: profiles"))
    return Rebuilt(len(engine.profiles), len(engine.needs), needs, profiles)


def rebuild_job(db: Session, _params: dict[str, Any], progress: JobProgress) -> dict[str, Any]:
    """The `index.rebuild` job: what `matchmaker index rebuild` does, in a worker."""
    rebuilt = rebuild_all(db, progress.settings, progress)
    return {**asdict(rebuilt), "summary": rebuilt.summary()}
