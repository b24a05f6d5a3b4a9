"""The cheap score list used for quality counts agrees with the full ranking."""

from __future__ import annotations

from typing import Any

from matchmaker.changes import service as changes
from matchmaker.fields import EnterpriseSize


def test_top_scores_equal_the_scores_of_match(app: Any, db: Any, make: Any) -> None:
    firm = make.enterprise(EnterpriseSize.LARGE)
    need = make.need(firm)
    for title in ("电子特气提纯", "晶圆清洗设备", "针织面料", "危化品仓储配送"):
        make.profile(make.enterprise(), title=title, summary=f"{title}的研发与服务")
    matching = app.state.matching
    full = [m.score for m in matching.match(db, need.id, 3)]
    assert matching.top_scores(db, [need.id, "no-such-need"], 3) == {need.id: full}
    assert len(full) == 3 and full == sorted(full, reverse=True)


def test_top_scores_follow_changes(app: Any, db: Any, make: Any) -> None:
    firm = make.enterprise(EnterpriseSize.LARGE)
    need = make.need(firm)
    matching = app.state.matching
    assert matching.top_scores(db, [need.id], 5) == {need.id: []}
    profile = make.profile(make.enterprise(), title="电子特气提纯", summary="高纯电子特气提纯")
    changes.record(db, "profiles", [profile.id])  # the factory writes rows directly
    db.commit()
    assert len(matching.top_scores(db, [need.id], 5)[need.id]) == 1
