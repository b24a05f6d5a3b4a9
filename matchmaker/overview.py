"""Headline counts for the home page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.enterprises.models import Enterprise
from matchmaker.fields import EnterpriseSize, NeedStatus, NeedType, ProfileStatus
from matchmaker.needs import service as needs
from matchmaker.needs.models import Need
from matchmaker.profiles.models import CapabilityProfile


@dataclass(frozen=True)
class Overview:
    open_needs_by_type: dict[NeedType, int]
    published_profiles: int
    large_enterprises: int
    smes: int

    @property
    def open_needs(self) -> int:
        return sum(self.open_needs_by_type.values())


def overview(db: Session) -> Overview:
    needs.expire_overdue(db)
    rows = db.execute(
        select(Need.type, func.count()).where(Need.status == NeedStatus.OPEN).group_by(Need.type)
    ).all()
    by_type = dict.fromkeys(NeedType, 0)
    by_type.update(dict(rows))
    profiles = db.scalar(
        select(func.count()).where(CapabilityProfile.status == ProfileStatus.PUBLISHED)
    )
    sizes = dict(db.execute(select(Enterprise.size, func.count()).group_by(Enterprise.size)).all())
    large = sizes.pop(EnterpriseSize.LARGE, 0)
    return Overview(
        open_needs_by_type=by_type,
        published_profiles=profiles or 0,
        large_enterprises=large,
        smes=sum(sizes.values()),
    )
