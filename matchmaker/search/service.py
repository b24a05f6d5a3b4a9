"""The need search against the database: build the index, catch up from the change log.

Every write to a need or an enterprise appends to the change log in its own transaction,
so before each search the index applies what it has not seen (or rebuilds when that is a
large share), and results always reflect the data with no extra step. A need's segments
are the ones its firm chose, else the ones the matching engine's assigner finds in its
public text (with the poster's own business discounted, as in matching).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from matchmaker.changes import service as changes
from matchmaker.enterprises.models import Enterprise
from matchmaker.errors import ServiceUnavailable
from matchmaker.fields import EnterpriseSize
from matchmaker.i18n import N_
from matchmaker.matching.analysis import analyse_chunk
from matchmaker.matching.assign import SegmentAssigner
from matchmaker.matching.chain import ChainGraph, default_chain_graph
from matchmaker.matching.documents import NeedDoc
from matchmaker.needs import service as needs
from matchmaker.needs.models import Need
from matchmaker.search.base import NeedDocument, NeedQuery, NeedResults, NeedSearch, public_document
from matchmaker.search.memory import MemoryNeedSearch
from matchmaker.search.tokens import default_analyzer
from matchmaker.searchengine.client import SearchEngineError

log = logging.getLogger(__name__)
SEARCH_UNAVAILABLE = N_("Search is unavailable for a moment; please try again shortly.")
RETRY_AFTER = 30
REBUILD_FRACTION = 0.2
REBUILD_FROM = 2000
CHUNK = 1000
NEED_COLUMNS = ("id", "enterprise_id", "type", "status", "title", "description", "requirements",
                "segments", "confidential", "public_summary", "budget_min", "budget_max",
                "deadline", "created_at")  # fmt: skip


class SearchService:
    """One per process (app.state.search); a lock serialises catching up and searching."""

    def __init__(
        self,
        backend: NeedSearch | None = None,
        chain_graph: ChainGraph | None = None,
        *,
        shared: str | None = None,
    ) -> None:
        """`shared` names the delivery cursor of a backend that several processes share (a
        search engine): how far it has received the change log is then kept in the database,
        so any process, or `matchmaker worker`, delivers what is missing, about once."""
        self.backend: NeedSearch = backend if backend is not None else MemoryNeedSearch()
        self._graph = chain_graph
        self._assigner: SegmentAssigner | None = None
        self._shared = shared
        self._seq: int | None = None  # the newest change applied; None before the first build
        self._feed = changes.ChangeFeed()
        self._owner_of: dict[str, str] = {}  # need id → enterprise id, of needs held
        self._lock = threading.Lock()

    def search(self, db: Session, query: NeedQuery) -> NeedResults:
        """Search needs as they are in the database now; ServiceUnavailable while a search
        engine backend is away (the writes it misses meanwhile wait in the change log)."""
        needs.expire_overdue(db)
        with self._lock:
            try:
                self._catch_up(db)
                return self.backend.search(query)
            except SearchEngineError as error:
                db.rollback()
                log.warning("need search failed: %s", error)
                raise ServiceUnavailable(SEARCH_UNAVAILABLE, retry_after=RETRY_AFTER) from error

    def rebuild(self, db: Session) -> int:
        """Index every need from scratch; returns how many."""
        with self._lock:
            return self._rebuild(db)

    def deliver(self, db: Session) -> None:
        """Apply the changes the backend has not received (the outbox worker's step)."""
        with self._lock:
            self._catch_up(db)

    def _rebuild(self, db: Session) -> int:
        seq = changes.latest(db)  # read first: changes made meanwhile are applied again later
        documents = self._documents(db, Need.id.is_not(None))
        self.backend.index(documents)
        self._owner_of = {doc.id: doc.enterprise_id for doc in documents}
        self._advance(db, seq)
        return len(documents)

    def _cursor(self, db: Session) -> int | None:
        return self._seq if self._shared is None else changes.cursor(db, self._shared)

    def _advance(self, db: Session, seq: int) -> None:
        self._seq = seq
        if self._shared is not None:
            changes.advance(db, self._shared, seq)

    def _catch_up(self, db: Session) -> None:
        seq = self._cursor(db)
        if seq is None:
            self._rebuild(db)
            return
        newest, changed = self._feed.read(db, seq)
        if not any(changed.values()):
            return
        need_ids = set(changed["needs"])
        owners = changed["enterprises"]
        if owners:  # a renamed or moved enterprise changes its needs' documents
            need_ids |= set(db.scalars(select(Need.id).where(Need.enterprise_id.in_(list(owners)))))
            need_ids |= {n for n, owner in self._owner_of.items() if owner in owners}
        if len(need_ids) > max(REBUILD_FRACTION * len(self.backend), REBUILD_FROM):
            self._rebuild(db)
            return
        documents = self._documents(db, Need.id.in_(list(need_ids))) if need_ids else []
        gone = need_ids - {doc.id for doc in documents}
        self.backend.update(documents)
        self.backend.remove(gone)
        for need_id in gone:
            self._owner_of.pop(need_id, None)
        self._owner_of.update((doc.id, doc.enterprise_id) for doc in documents)
        self._advance(db, newest)

    # Documents ---------------------------------------------------------------------------
    @property
    def chain_graph(self) -> ChainGraph:
        if self._graph is None:
            self._graph = default_chain_graph()
        return self._graph

    @property
    def assigner(self) -> SegmentAssigner:
        if self._assigner is None:
            self._assigner = SegmentAssigner(self.chain_graph, default_analyzer())
        return self._assigner

    def _documents(self, db: Session, condition: ColumnElement[bool]) -> list[NeedDocument]:
        columns = [getattr(Need, name) for name in NEED_COLUMNS]
        rows = [dict(row._mapping) for row in db.execute(select(*columns).where(condition))]
        firms = _enterprises(db, {row["enterprise_id"] for row in rows})
        unknown = {"name": "", "district": None}
        documents = [
            public_document(
                row,
                enterprise_name=firms.get(row["enterprise_id"], unknown)["name"],
                district=firms.get(row["enterprise_id"], unknown)["district"],
                segments=row["segments"] or (),
                chains=(),
            )
            for row in rows
        ]
        unplaced = [doc for doc in documents if not doc.segments]
        found = dict(zip((d.id for d in unplaced), self._assign(unplaced, firms), strict=True))
        return [
            dataclasses.replace(
                doc,
                segments=found.get(doc.id, doc.segments),
                chains=self._chains(found.get(doc.id, doc.segments)),
            )
            for doc in documents
        ]

    def _assign(
        self, documents: Sequence[NeedDocument], firms: dict[str, dict[str, Any]]
    ) -> list[tuple[str, ...]]:
        """Segments found in each document's public text, as the matching engine finds them."""
        own = self._own_segments(firms, {d.enterprise_id for d in documents})
        docs = [
            NeedDoc(d.id, d.enterprise_id, d.type.value, d.title, " ".join(d.searchable), (), ())
            for d in documents
        ]
        found: list[tuple[str, ...]] = []
        for start in range(0, len(docs), CHUNK):
            for segments, _fields in analyse_chunk(
                self.assigner, docs[start : start + CHUNK], False, own
            ):
                found.append(tuple(score.segment_id for score in segments))
        return found

    def _own_segments(
        self, firms: dict[str, dict[str, Any]], posters: set[str]
    ) -> dict[str, list[str]]:
        """What each posting firm does itself (`Engine.own_segments`, in one batch)."""
        large = [
            (firm_id, f"{firm['name']} {firm['description'] or ''}")
            for firm_id, firm in firms.items()
            if firm_id in posters and firm["size"] == EnterpriseSize.LARGE
        ]
        analysed = [[(self.assigner.analyse(text, offered=True), 1.0)] for _id, text in large]
        rows = self.assigner.classify([fields[0][0].tokens() for fields in analysed])
        return {
            firm_id: [score.segment_id for score in self.assigner.segments(fields, row)]
            for (firm_id, _text), fields, row in zip(large, analysed, rows, strict=True)
        }

    def _chains(self, segments: Iterable[str]) -> tuple[str, ...]:
        known = self.chain_graph.segments
        return tuple(dict.fromkeys(known[s].chain for s in segments if s in known))


def _enterprises(db: Session, ids: set[str]) -> dict[str, dict[str, Any]]:
    statement = select(
        Enterprise.id, Enterprise.name, Enterprise.district, Enterprise.size, Enterprise.description
    )
    if len(ids) < 5000:  # a long IN list is slower than reading every enterprise once
        statement = statement.where(Enterprise.id.in_(list(ids)))
    return {row.id: dict(row._mapping) for row in db.execute(statement)}
