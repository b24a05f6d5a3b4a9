"""Enterprise use cases: read, list, create, edit, delete, and consent to meet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker import policy
from matchmaker.audit import actions
from matchmaker.audit import service as audit
from matchmaker.changes import service as changes
from matchmaker.enterprises.models import Enterprise, MeetingConsent
from matchmaker.enterprises.schemas import (
    Contact,
    EnterpriseData,
    EnterpriseOut,
    EnterpriseUpdate,
)
from matchmaker.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from matchmaker.fields import EnterpriseSize
from matchmaker.ids import new_id
from matchmaker.policy import Actor
from matchmaker.query import json_list_contains, paginate, text_matches
from matchmaker.schemas import PageParams
from matchmaker.validation import merged


@dataclass(frozen=True)
class EnterpriseFilters:
    size: EnterpriseSize | None = None
    district: str | None = None
    tag: str | None = None
    q: str | None = None


def get(db: Session, *, enterprise_id: str) -> Enterprise:
    enterprise = db.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound(f"enterprise {enterprise_id!r} does not exist")
    return enterprise


def list_page(
    db: Session, *, filters: EnterpriseFilters, page: PageParams
) -> tuple[list[Enterprise], int]:
    statement = select(Enterprise).order_by(Enterprise.name, Enterprise.id)
    if filters.size is not None:
        statement = statement.where(Enterprise.size == filters.size)
    if filters.district:
        statement = statement.where(Enterprise.district == filters.district)
    if filters.tag:
        statement = statement.where(json_list_contains(Enterprise.tags, filters.tag))
    if filters.q:
        statement = statement.where(
            text_matches([Enterprise.name, Enterprise.description, Enterprise.tags], filters.q)
        )
    return paginate(db, statement, page)


def create(db: Session, *, actor: Actor, data: EnterpriseData) -> Enterprise:
    if not policy.can_create_enterprise(actor):
        raise Forbidden("only organisers and admins register enterprises directly")
    _check_uscc_free(db, data.uscc, enterprise_id=None)
    enterprise = Enterprise(id=new_id("ent"), **data.model_dump())
    db.add(enterprise)
    changes.record(db, "enterprises", [enterprise.id])
    db.commit()
    return enterprise


def update(db: Session, *, actor: Actor, enterprise_id: str, patch: EnterpriseUpdate) -> Enterprise:
    enterprise = get(db, enterprise_id=enterprise_id)
    if not policy.can_edit_enterprise(actor, enterprise_id):
        raise Forbidden("only members of this enterprise and admins may edit it")
    data = merged(
        EnterpriseData,
        _data_of(enterprise),
        patch.model_dump(exclude_unset=True),
        what="enterprise",
    )
    if data.size != enterprise.size and not policy.is_admin(actor):
        raise Forbidden("only admins change an enterprise's size class")
    _check_uscc_free(db, data.uscc, enterprise_id=enterprise_id)
    for field, value in data.model_dump().items():
        setattr(enterprise, field, value)
    changes.record(db, "enterprises", [enterprise.id])
    db.commit()
    return enterprise


def delete(db: Session, *, actor: Actor, enterprise_id: str) -> None:
    enterprise = get(db, enterprise_id=enterprise_id)
    if not policy.can_delete_enterprise(actor):
        raise Forbidden("only admins delete enterprises")
    db.delete(enterprise)
    changes.record(db, "enterprises", [enterprise_id])
    db.commit()


def contact_visible(db: Session, *, actor: Actor, enterprise_id: str) -> bool:
    """Whether `actor` may see this enterprise's contact details (the privacy rule)."""
    if policy.sees_contacts_by_role(actor, enterprise_id):
        return True
    if actor is None or actor.enterprise_id is None:
        return False
    return have_both_agreed(db, actor.enterprise_id, enterprise_id)


def contact_shown(db: Session, *, actor: Actor, enterprise_id: str, where: dict[str, Any]) -> bool:
    """`contact_visible`, and an audit event when the details are about to be shown."""
    if not contact_visible(db, actor=actor, enterprise_id=enterprise_id):
        return False
    contacts_seen(db, actor=actor, enterprise_ids=[enterprise_id], where=where)
    return True


def contacts_seen(
    db: Session, *, actor: Actor, enterprise_ids: list[str], where: dict[str, Any]
) -> None:
    """Audit (and commit) contact details shown to someone outside the enterprise (PIPL:
    who saw whose contact details, and where); the caller has checked they may see them."""
    for enterprise_id in enterprise_ids:
        if actor is None or actor.enterprise_id != enterprise_id:
            audit.record(db, actor, actions.CONTACT_VIEWED, ("enterprise", enterprise_id), where)
    db.commit()


def have_both_agreed(db: Session, first_id: str, second_id: str) -> bool:
    rows = db.scalars(
        select(MeetingConsent.enterprise_id).where(
            (
                (MeetingConsent.enterprise_id == first_id)
                & (MeetingConsent.counterpart_id == second_id)
            )
            | (
                (MeetingConsent.enterprise_id == second_id)
                & (MeetingConsent.counterpart_id == first_id)
            )
        )
    ).all()
    return {first_id, second_id} <= set(rows)


def agree_to_meet(db: Session, *, actor: Actor, counterpart_id: str) -> bool:
    """Record that the actor's enterprise agrees to meet the counterpart; True once mutual."""
    if (
        actor is None
        or actor.enterprise_id is None
        or not policy.is_member(actor, actor.enterprise_id)
    ):
        raise Forbidden("only members of an enterprise can agree to meet on its behalf")
    counterpart = get(db, enterprise_id=counterpart_id)
    own_id = actor.enterprise_id
    if counterpart.id == own_id:
        raise ValidationFailed(
            "an enterprise cannot agree to meet itself",
            errors=[FieldError("enterprise_id", "is your own enterprise")],
        )
    record_consent(db, own_id, counterpart.id)
    db.commit()
    return have_both_agreed(db, own_id, counterpart.id)


def record_consent(db: Session, own_id: str, counterpart_id: str) -> None:
    """Add one side's agreement without committing, for use inside a larger use case."""
    exists = db.scalar(
        select(MeetingConsent.id).where(
            MeetingConsent.enterprise_id == own_id, MeetingConsent.counterpart_id == counterpart_id
        )
    )
    if exists is None:
        db.add(MeetingConsent(enterprise_id=own_id, counterpart_id=counterpart_id))
        db.flush()


def view(db: Session, *, actor: Actor, enterprise: Enterprise) -> EnterpriseOut:
    out = EnterpriseOut.model_validate(enterprise)
    if contact_visible(db, actor=actor, enterprise_id=enterprise.id):
        audit.record_now(db, actor, actions.CONTACT_VIEWED, ("enterprise", enterprise.id))
        out.contact = Contact(
            name=enterprise.contact_name,
            phone=enterprise.contact_phone,
            email=enterprise.contact_email,
        )
    return out


def _data_of(enterprise: Enterprise) -> dict[str, object]:
    return {field: getattr(enterprise, field) for field in EnterpriseData.model_fields}


def _check_uscc_free(db: Session, uscc: str | None, *, enterprise_id: str | None) -> None:
    if uscc is None:
        return
    holder = db.scalar(select(Enterprise.id).where(Enterprise.uscc == uscc))
    if holder is not None and holder != enterprise_id:
        raise Conflict(
            f"统一社会信用代码 {uscc} is already registered to enterprise {holder!r}",
            errors=[FieldError("uscc", f"already registered to enterprise {holder!r}")],
        )
