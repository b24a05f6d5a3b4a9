"""Need use cases and the draft → open → closed lifecycle."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from matchmaker import clock, policy
from matchmaker.changes import service as changes
from matchmaker.db import utcnow
from matchmaker.enterprises import service as enterprises
from matchmaker.enterprises.models import Enterprise
from matchmaker.errors import FieldError, Forbidden, InvalidState, NotFound, ValidationFailed
from matchmaker.fields import CloseReason, EnterpriseSize, NeedStatus, NeedType, Role
from matchmaker.ids import new_id
from matchmaker.needs import notices
from matchmaker.needs.models import Need
from matchmaker.needs.schemas import NeedCreate, NeedFields, NeedUpdate
from matchmaker.policy import Actor
from matchmaker.query import json_list_contains, paginate, text_matches
from matchmaker.schemas import PageParams
from matchmaker.validation import merged


@dataclass(frozen=True)
class NeedFilters:
    type: NeedType | None = None
    status: NeedStatus | None = None
    district: str | None = None
    tag: str | None = None
    enterprise_id: str | None = None
    q: str | None = None


def expire_overdue(db: Session) -> int:
    """Close open needs whose deadline has passed; run before every read so none lingers.

    The indexed existence check keeps reads from taking a write lock when nothing is due.
    """
    overdue = (Need.status == NeedStatus.OPEN, Need.deadline < clock.today())
    ids = list(db.scalars(select(Need.id).where(*overdue)))
    if not ids:
        return 0
    db.execute(
        update(Need)
        .where(Need.id.in_(ids))
        .values(status=NeedStatus.CLOSED, close_reason=CloseReason.EXPIRED, closed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    changes.record(db, "needs", ids)
    db.commit()
    return len(ids)


def get(db: Session, *, actor: Actor, need_id: str) -> Need:
    expire_overdue(db)
    need = db.get(Need, need_id)
    if need is None or not policy.can_view_need(actor, need):
        raise NotFound(f"need {need_id!r} does not exist")
    return need


def list_page(
    db: Session, *, actor: Actor, filters: NeedFilters, page: PageParams
) -> tuple[list[Need], int]:
    expire_overdue(db)
    statement = select(Need).order_by(Need.created_at.desc(), Need.id)
    statement = statement.where(_visible(actor))
    if filters.type is not None:
        statement = statement.where(Need.type == filters.type)
    if filters.status is not None:
        statement = statement.where(Need.status == filters.status)
    if filters.enterprise_id:
        statement = statement.where(Need.enterprise_id == filters.enterprise_id)
    if filters.district or filters.tag:
        statement = statement.join(Enterprise, Enterprise.id == Need.enterprise_id)
        if filters.district:
            statement = statement.where(Enterprise.district == filters.district)
        if filters.tag:
            statement = statement.where(json_list_contains(Enterprise.tags, filters.tag))
    if filters.q:
        # A confidential need's hidden text must not be found by probing with queries.
        full = text_matches([Need.title, Need.description, Need.requirements], filters.q)
        public = text_matches([Need.title, Need.public_summary], filters.q)
        statement = statement.where(
            or_(and_(Need.confidential.is_(False), full), and_(Need.confidential, public))
        )
    return paginate(db, statement, page)


def _visible(actor: Actor):  # type: ignore[no-untyped-def]
    if policy.is_admin(actor):
        return Need.status.is_not(None)
    own = actor.enterprise_id if actor is not None and actor.enterprise_id else None
    if own is None:
        return Need.status != NeedStatus.DRAFT
    return or_(Need.status != NeedStatus.DRAFT, Need.enterprise_id == own)


def create(db: Session, *, actor: Actor, data: NeedCreate) -> Need:
    if not (policy.is_admin(actor) or (actor is not None and actor.role is Role.FIRM)):
        raise Forbidden("only members of a large enterprise and admins post needs")
    enterprise_id = _owner_for_new(actor, data.enterprise_id)
    if not policy.can_post_need(actor, enterprise_id):
        raise Forbidden("only members of a large enterprise and admins may post its needs")
    enterprise = enterprises.get(db, enterprise_id=enterprise_id)
    if enterprise.size is not EnterpriseSize.LARGE:
        raise ValidationFailed(
            f"enterprise {enterprise_id!r} is {enterprise.size}; "
            "needs are posted by large enterprises",
            errors=[FieldError("enterprise_id", "is not a large enterprise")],
        )
    status = NeedStatus.OPEN if data.publish else NeedStatus.DRAFT
    if status is NeedStatus.OPEN:
        _check_deadline_ahead(data)
    fields = data.model_dump(exclude={"enterprise_id", "publish"})
    need = Need(id=new_id("need"), enterprise_id=enterprise_id, status=status, **fields)
    db.add(need)
    changes.record(db, "needs", [need.id])
    db.commit()
    return need


def update_need(db: Session, *, actor: Actor, need_id: str, patch: NeedUpdate) -> Need:
    need = get(db, actor=actor, need_id=need_id)
    if not policy.can_edit_need(actor, need):
        raise Forbidden("only members of the posting enterprise and admins may edit this need")
    if need.status is NeedStatus.CLOSED:
        raise InvalidState("this need is closed; reopen it before editing")
    current = {field: getattr(need, field) for field in NeedFields.model_fields}
    data = merged(NeedFields, current, patch.model_dump(exclude_unset=True), what="need")
    if need.status is NeedStatus.OPEN:
        _check_deadline_ahead(data)
    after = data.model_dump()
    for field, value in after.items():
        setattr(need, field, value)
    changes.record(db, "needs", [need.id])
    if need.status is NeedStatus.OPEN:
        notices.need_edited(db, need, notices.differences(current, after, need.confidential))
    db.commit()
    return need


def publish(db: Session, *, actor: Actor, need_id: str) -> Need:
    need = _editable(db, actor, need_id)
    if need.status is not NeedStatus.DRAFT:
        raise InvalidState(f"only drafts can be published; this need is {need.status}")
    _check_deadline_ahead(need)
    need.status = NeedStatus.OPEN
    changes.record(db, "needs", [need.id])
    db.commit()
    return need


def close(db: Session, *, actor: Actor, need_id: str, reason: CloseReason) -> Need:
    need = _editable(db, actor, need_id)
    if need.status is NeedStatus.CLOSED:
        raise InvalidState(f"this need is already closed ({need.close_reason})")
    if reason is CloseReason.EXPIRED:
        raise ValidationFailed(
            "'expired' is set by the platform when the deadline passes",
            errors=[FieldError("reason", "choose filled or withdrawn")],
        )
    need.status, need.close_reason, need.closed_at = NeedStatus.CLOSED, reason, utcnow()
    changes.record(db, "needs", [need.id])
    db.commit()
    return need


def reopen(db: Session, *, actor: Actor, need_id: str) -> Need:
    need = _editable(db, actor, need_id)
    if need.status is not NeedStatus.CLOSED:
        raise InvalidState(f"only closed needs can be reopened; this need is {need.status}")
    _check_deadline_ahead(need)
    need.status, need.close_reason, need.closed_at = NeedStatus.OPEN, None, None
    changes.record(db, "needs", [need.id])
    db.commit()
    return need


def delete(db: Session, *, actor: Actor, need_id: str) -> None:
    need = _editable(db, actor, need_id)
    if need.status is not NeedStatus.DRAFT and not policy.is_admin(actor):
        raise InvalidState("published needs are closed, not deleted, so answers keep their context")
    db.delete(need)
    changes.record(db, "needs", [need_id])
    db.commit()


def _editable(db: Session, actor: Actor, need_id: str) -> Need:
    need = get(db, actor=actor, need_id=need_id)
    if not policy.can_edit_need(actor, need):
        raise Forbidden("only members of the posting enterprise and admins may change this need")
    return need


def _owner_for_new(actor: Actor, requested: str | None) -> str:
    if requested is not None:
        return requested
    if actor is not None and actor.enterprise_id is not None:
        return actor.enterprise_id
    raise ValidationFailed(
        "enterprise_id is required when the poster does not belong to an enterprise",
        errors=[FieldError("enterprise_id", "is required")],
    )


def _check_deadline_ahead(need: NeedFields | Need) -> None:
    if need.deadline is not None and need.deadline < clock.today():
        raise ValidationFailed(
            f"deadline {need.deadline.isoformat()} has passed; "
            "an open need needs a deadline today or later",
            errors=[FieldError("deadline", "is in the past")],
        )
