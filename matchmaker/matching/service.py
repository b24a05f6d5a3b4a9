"""The matching engine against the database: build, persist, catch up, rank.

The engine's index is persisted in the data dir so a restart does not rebuild it; every
write appends to the change log, and before ranking the index applies the changes it has
not seen (or rebuilds when they are many), so results reflect the data with no extra step.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import pickle
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.changes import service as changes
from matchmaker.enterprises.models import Enterprise
from matchmaker.errors import NotFound
from matchmaker.fields import EnterpriseSize, NeedStatus, ProfileStatus
from matchmaker.matching.analysis import default_workers
from matchmaker.matching.chain import ChainGraph, Relations, default_chain_graph
from matchmaker.matching.documents import NeedDoc, ProfileDoc, need_doc, profile_doc
from matchmaker.matching.engine import Engine, Match
from matchmaker.matching.ranker import Ranker
from matchmaker.needs.models import Need
from matchmaker.profiles.models import CapabilityProfile
from matchmaker.resources import models_dir

if TYPE_CHECKING:
    from matchmaker.searchengine.mirror import ProfileMirror

log = logging.getLogger(__name__)
INDEX_FILE = "matching.pickle"
FORMAT_VERSION = 6
REBUILD_FRACTION = 0.2
Progress = Callable[[int, int], None]


def ranker_path() -> Path:
    return models_dir() / "ranker" / "weights.json"


def _graph_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted((models_dir() / "chain").glob("*.yaml")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class _Loaded:
    engine: Engine
    seq: int


def _columns(model: Any, names: Iterable[str]) -> list[Any]:
    return [getattr(model, name) for name in names]


PROFILE_COLUMNS = ("id", "enterprise_id", "title", "summary", "capabilities", "products",
                   "certifications", "regions", "open_to", "funding_stage", "segments")  # fmt: skip
NEED_COLUMNS = ("id", "enterprise_id", "type", "title", "description", "requirements",
                "certifications", "regions", "status", "segments")  # fmt: skip


def _enterprises(db: Session, ids: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    statement = select(Enterprise.id, Enterprise.name, Enterprise.size, Enterprise.district,
                       Enterprise.city, Enterprise.tags, Enterprise.description)  # fmt: skip
    if ids is not None:
        statement = statement.where(Enterprise.id.in_(list(ids)))
    return {row.id: dict(row._mapping) for row in db.execute(statement)}


def _profile_docs(db: Session, condition: Any) -> Iterator[ProfileDoc]:
    statement = select(*_columns(CapabilityProfile, PROFILE_COLUMNS)).where(
        CapabilityProfile.status == ProfileStatus.PUBLISHED, condition
    )
    rows = [dict(row._mapping) for row in db.execute(statement)]
    owners = {row["enterprise_id"] for row in rows}
    # A long IN list is slower than reading every enterprise once.
    enterprises = _enterprises(db, owners) if len(owners) < 5000 else _enterprises(db)
    for row in rows:
        yield profile_doc(row, enterprises[row["enterprise_id"]])


def _need_docs(db: Session, condition: Any) -> list[NeedDoc]:
    statement = select(*_columns(Need, NEED_COLUMNS)).where(condition)
    return [need_doc({**row._mapping, "status": row.status.value}) for row in db.execute(statement)]


class MatchingService:
    """One per process (app or CLI); thread-safe around the shared engine."""

    def __init__(
        self,
        data_dir: Path,
        chain_graph: ChainGraph | None = None,
        mirror: ProfileMirror | None = None,
    ) -> None:
        """`mirror`, when a search engine is configured, retrieves candidates there."""
        self.path = data_dir / "index" / INDEX_FILE
        self.mirror = mirror
        self._feed = changes.ChangeFeed()
        self.chain_graph = chain_graph or default_chain_graph()
        self._loaded: _Loaded | None = None
        self._lock = threading.RLock()
        # Score lists by (need, top), valid while no change arrived: the organisers' quality
        # view asks for the same needs again and again between edits.
        self._scores: dict[tuple[str, int], list[int]] = {}
        self._scores_seq = -1

    # Lifecycle -----------------------------------------------------------------------------
    def rebuild(self, db: Session, progress: Progress | None = None) -> Engine:
        """Build the index from the database and persist it."""
        with self._lock:
            seq = changes.latest(db)
            engine = Engine(self.chain_graph, Ranker.load(ranker_path()))
            profiles = list(_profile_docs(db, CapabilityProfile.id.is_not(None)))
            needs = _need_docs(db, Need.id.is_not(None))
            owners = {n.enterprise_id for n in needs}
            own = self._own_segments(db, engine, owners)
            engine.build(profiles, needs, own, workers=default_workers(), progress=progress)
            if self.mirror is not None:
                self.mirror.attach(engine)
            self._loaded = _Loaded(engine, seq)
            self._save()
            return engine

    def engine(self, db: Session) -> Engine:
        """The engine, loaded or built, caught up with every change in the database."""
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load()
            if self._loaded is None:
                return self.rebuild(db)
            self._catch_up(db)
            return self._loaded.engine

    def deliver(self, db: Session, rebuild: bool = False) -> int:
        """Bring the search engine's profile index up to date (`rebuild`: anew, behind its
        alias); returns how many profiles were sent. A no-op without a search engine."""
        with self._lock:
            self.engine(db)  # caught up first: the mirror sends what this engine holds
            if self.mirror is None or self._loaded is None:
                return 0
            if rebuild:
                return self.mirror.rebuild(db, self._loaded.seq)
            return self.mirror.deliver(db, self._loaded.seq)

    def _catch_up(self, db: Session) -> None:
        if self._loaded is None:
            return
        newest, changed = self._feed.read(db, self._loaded.seq)
        if not any(changed.values()):
            return
        engine = self._loaded.engine
        size = max(len(engine.profiles), 1)
        if sum(len(ids) for ids in changed.values()) > max(REBUILD_FRACTION * size, 2000):
            self.rebuild(db)
            return
        profile_ids, need_ids = set(changed["profiles"]), set(changed["needs"])
        if changed["enterprises"]:
            owners = list(changed["enterprises"])
            profile_ids |= set(
                db.scalars(
                    select(CapabilityProfile.id).where(CapabilityProfile.enterprise_id.in_(owners))
                )
            )
            need_ids |= set(db.scalars(select(Need.id).where(Need.enterprise_id.in_(owners))))
        if profile_ids:
            docs = list(_profile_docs(db, CapabilityProfile.id.in_(list(profile_ids))))
            engine.remove_profiles(profile_ids - {d.id for d in docs})
            engine.upsert_profiles(docs)
        if need_ids:
            needs = _need_docs(db, Need.id.in_(list(need_ids)))
            engine.remove_needs(need_ids - {d.id for d in needs})
            posters = {d.enterprise_id for d in needs}
            engine.upsert_needs(needs, self._own_segments(db, engine, posters))
        self._loaded.seq = newest

    def _own_segments(
        self, db: Session, engine: Engine, enterprise_ids: set[str]
    ) -> dict[str, list[str]]:
        enterprises = _enterprises(db, enterprise_ids)
        return {
            eid: engine.own_segments(f"{e['name']} {e.get('description') or ''}")
            for eid, e in enterprises.items()
            if e["size"] == EnterpriseSize.LARGE
        }

    def save(self) -> None:
        with self._lock:
            self._save()

    def _save(self) -> None:
        if self._loaded is None:
            return
        engine = self._loaded.engine
        state = {
            "version": FORMAT_VERSION,
            "graph": _graph_digest(),
            "seq": self._loaded.seq,
            "vectors": engine.vectors,
            "profiles": engine.profiles,
            "needs": engine.needs,
        }
        temporary = self.path.with_suffix(".tmp")
        # Plain pickle (protocol 5): several times faster than joblib on these object graphs.
        # The file lives in the data dir, which only this installation writes.
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as stream:
                pickle.dump(state, stream, protocol=pickle.HIGHEST_PROTOCOL)
            temporary.replace(self.path)
        except OSError as error:
            # Disk full or a read-only data dir: the engine keeps answering from memory and
            # the saved file, if any, stays as it was (stale files are caught up or rebuilt).
            log.error("matching index not saved to %s (answering from memory): %s",
                      self.path, error)  # fmt: skip
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)

    def _load(self) -> _Loaded | None:
        if not self.path.exists():
            return None
        try:
            with self.path.open("rb") as stream:
                state = pickle.load(stream)  # noqa: S301 - our own file in our own data dir
        except Exception:  # a damaged or foreign file is rebuilt, never trusted
            return None
        if not isinstance(state, dict):
            return None
        if state.get("version") != FORMAT_VERSION or state.get("graph") != _graph_digest():
            return None
        engine = Engine(self.chain_graph, Ranker.load(ranker_path()))
        engine.restore(state["vectors"], state["profiles"], state["needs"])
        if self.mirror is not None:
            self.mirror.attach(engine)
        return _Loaded(engine, int(state["seq"]))

    # Queries ---------------------------------------------------------------------------------
    def match(self, db: Session, need_id: str, top: int) -> list[Match]:
        with self._lock:  # a catch-up in another thread must not change tables mid-query
            engine = self.engine(db)
            if need_id not in engine.needs:
                raise NotFound(f"need {need_id!r} does not exist")
            return engine.match(need_id, top)

    def match_profiles(self, db: Session, need_id: str, profile_ids: Iterable[str]) -> list[Match]:
        """These profiles scored for a need, best first; unpublished or unknown ones drop out."""
        with self._lock:
            engine = self.engine(db)
            if need_id not in engine.needs:
                raise NotFound(f"need {need_id!r} does not exist")
            return engine.match_profiles(need_id, profile_ids)

    def top_scores(self, db: Session, need_ids: Iterable[str], top: int) -> dict[str, list[int]]:
        """Scores of each need's best candidates (no explanations): cheap quality counts."""
        with self._lock:
            engine = self.engine(db)
            seq = self._loaded.seq if self._loaded is not None else -1
            if seq != self._scores_seq:
                self._scores, self._scores_seq = {}, seq
            result = {}
            for need_id in need_ids:
                if need_id in engine.needs:
                    key = (need_id, top)
                    if key not in self._scores:
                        self._scores[key] = engine.top_scores(need_id, top)
                    result[need_id] = self._scores[key]
            return result

    def recommend(self, db: Session, profile_id: str, top: int) -> list[Match]:
        with self._lock:
            engine = self.engine(db)
            if profile_id not in engine.profiles:
                raise NotFound(f"profile {profile_id!r} does not exist or is not published")
            open_needs = {
                doc_id
                for doc_id, doc in engine.needs.docs.items()
                if doc.status == NeedStatus.OPEN.value
            }
            return engine.recommend(profile_id, top, open_needs)

    def placements(
        self, db: Session, need_ids: Iterable[str] = (), profile_ids: Iterable[str] = ()
    ) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Chain segments the engine placed needs and profiles in, most confident first."""
        with self._lock:
            engine = self.engine(db)
            needs = {i: [s.segment_id for s in engine.needs.docs[i].segments]
                     for i in need_ids if i in engine.needs}  # fmt: skip
            profiles = {i: [s.segment_id for s in engine.profiles.docs[i].segments]
                        for i in profile_ids if i in engine.profiles}  # fmt: skip
            return needs, profiles

    def relations(self, db: Session) -> Relations:
        return self.engine(db).relations

    def open_need_ids(self, db: Session) -> list[str]:
        return list(
            db.scalars(select(Need.id).where(Need.status == NeedStatus.OPEN).order_by(Need.id))
        )
