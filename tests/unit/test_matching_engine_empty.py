"""An engine with no profiles (a new platform's first need) still builds and ranks."""

from __future__ import annotations

from matchmaker.matching.chain import default_chain_graph
from matchmaker.matching.documents import NeedDoc
from matchmaker.matching.engine import Engine
from matchmaker.matching.ranker import Ranker


def test_engine_without_profiles_ranks_nothing() -> None:
    engine = Engine(default_chain_graph(), Ranker())
    need = NeedDoc(
        id="n1", enterprise_id="e1", type="supply_chain", title="电子特气供应",
        text="寻找电子特气供应商", certifications=(), regions=(),
    )  # fmt: skip
    engine.build([], [need], {}, workers=1)
    assert engine.match("n1", 10) == []
