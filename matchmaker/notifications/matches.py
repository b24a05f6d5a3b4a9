"""Tell SMEs when a newly published need matches one of their profiles strongly."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.matching.service import MatchingService
from matchmaker.needs.models import Need
from matchmaker.notifications import service as notifications
from matchmaker.notifications.models import Notification
from matchmaker.profiles.models import CapabilityProfile

STRONG = 70  # the 强匹配 band: worth interrupting someone for
MAX_ALERTS = 20


def notify_strong_matches(db: Session, matching: MatchingService, need_id: str) -> int:
    """Alert each SME once per need, for its best profile scoring in the strong band."""
    need = db.get(Need, need_id)
    if need is None:
        return 0
    already = set(
        db.scalars(
            select(Notification.link).where(
                Notification.kind == "strong_match", Notification.link == f"/needs/{need_id}"
            )
        )
    )
    if already:
        return 0  # a reopened need does not alert the same SMEs again
    matches = [m for m in matching.match(db, need_id, MAX_ALERTS) if m.score >= STRONG]
    seen: set[str] = set()
    count = 0
    for match in matches:
        if match.profile_enterprise_id in seen:
            continue
        seen.add(match.profile_enterprise_id)
        profile = db.get(CapabilityProfile, match.profile_id)
        title = profile.title if profile else match.profile_id
        count += notifications.notify_enterprise(
            db, match.profile_enterprise_id, "strong_match", f"/needs/{need_id}",
            need_title=need.title,
            profile_title=title, score=match.score,
        )  # fmt: skip
    db.commit()
    return count
