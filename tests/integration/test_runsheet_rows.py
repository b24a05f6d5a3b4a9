"""The signing run-sheet lists an event's approved and signed agreements in signing order."""

from __future__ import annotations

import datetime as dt
from typing import Any

from matchmaker.agreements.models import Agreement
from matchmaker.events.exports import signing_rows
from matchmaker.fields import AgreementStatus, AgreementType, EnterpriseSize, Role


def _agreement(db: Any, event: Any, firm: Any, sme: Any, n: int, **values: Any) -> None:
    db.add(Agreement(id=f"a{n}", code=f"CODE{n:04d}", event_id=event.id, firm_id=firm.id,
                     sme_id=sme.id, firm_name=firm.name, sme_name=sme.name,
                     subject=f"项目{n}", type=AgreementType.SUPPLY, amount_wan=100.0 * n,
                     **values))  # fmt: skip


def test_rows_in_signing_order_without_drafts(db: Any, make: Any) -> None:
    event = make.event(make.user(Role.ORGANISER))
    firm, sme = make.enterprise(EnterpriseSize.LARGE), make.enterprise()
    t = dt.datetime(2027, 3, 18, 6, 0, tzinfo=dt.UTC)
    _agreement(db, event, firm, sme, 1, status=AgreementStatus.APPROVED, approved_at=t)
    _agreement(db, event, firm, sme, 2, status=AgreementStatus.SIGNED, approved_at=t,
               signed_at=t + dt.timedelta(minutes=5))  # fmt: skip
    _agreement(db, event, firm, sme, 3, status=AgreementStatus.DRAFT)
    db.commit()
    rows = signing_rows(db, event)
    assert [(r.order, r.subject, r.kind, r.amount_wan) for r in rows] == [
        (1, "项目2", "供货合同", 200.0),
        (2, "项目1", "供货合同", 100.0),
    ]
    assert rows[0].venue == event.venue and rows[0].firm == firm.name
