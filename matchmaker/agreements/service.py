"""Agreements: draft, edit, comment, approve the same version on both sides, then sign.

Members of the two enterprises do everything; organisers and admins read. Every edit makes
a new version and voids earlier approvals; once both sides approved the current version
each side signs once, confirming with its password. A signature is recorded with the
digest of the canonical document (canonical.py) and appended to the ledger (ledger.py);
the second signature completes the agreement and is announced on the bus for the wall.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matchmaker import policy
from matchmaker.accounts import security
from matchmaker.accounts.models import User
from matchmaker.agreements import canonical, ledger
from matchmaker.agreements.codes import new_code, normalise_code
from matchmaker.agreements.models import (
    Agreement,
    AgreementApproval,
    AgreementComment,
    AgreementSignature,
)
from matchmaker.agreements.origins import Origin
from matchmaker.agreements.providers import SigningProvider
from matchmaker.agreements.schemas import AgreementInput
from matchmaker.audit import actions
from matchmaker.audit import service as audit
from matchmaker.bus.base import MessageBus
from matchmaker.db import utcnow
from matchmaker.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidState,
    NotFound,
    ValidationFailed,
)
from matchmaker.fields import AgreementStatus
from matchmaker.i18n import N_
from matchmaker.ids import new_id
from matchmaker.notifications import service as notifications
from matchmaker.policy import Actor

MAX_COMMENT = 4000
SIGN_ATTEMPTS = 3
WRONG_PASSWORD = N_("the password is not correct; nothing was signed")


@dataclass(frozen=True)
class Details:
    """What the agreement page shows besides the agreement itself."""

    approvals: list[AgreementApproval]  # of the current version
    comments: list[AgreementComment]
    signatures: list[AgreementSignature]

    def approved_by(self, enterprise_id: str) -> bool:
        return any(a.enterprise_id == enterprise_id for a in self.approvals)

    def signed_by(self, enterprise_id: str) -> AgreementSignature | None:
        return next((s for s in self.signatures if s.enterprise_id == enterprise_id), None)


def _member(actor: Actor, agreement: Agreement) -> tuple[User, str]:
    """The actor and the party it acts for; only members of the two enterprises act."""
    for enterprise_id in (agreement.firm_id, agreement.sme_id):
        if isinstance(actor, User) and policy.is_member(actor, enterprise_id):
            return actor, enterprise_id
    raise Forbidden(N_("only members of the two enterprises may change or sign this agreement"))


def get(db: Session, *, actor: Actor, agreement_id: str) -> Agreement:
    agreement = db.get(Agreement, agreement_id)
    if agreement is None or not policy.can_read_agreement(
        actor, agreement.firm_id, agreement.sme_id
    ):
        raise NotFound(f"agreement {agreement_id!r} does not exist")
    return agreement


def by_code(db: Session, code: str) -> Agreement | None:
    return db.scalar(select(Agreement).where(Agreement.code == normalise_code(code)))


def listing(db: Session, *, actor: Actor) -> list[Agreement]:
    """The actor's enterprise's agreements; every agreement for organisers and admins."""
    query = select(Agreement).order_by(Agreement.updated_at.desc())
    if policy.can_browse_all(actor):
        return list(db.scalars(query))
    if actor is None or actor.enterprise_id is None:
        return []
    mine = or_(Agreement.firm_id == actor.enterprise_id, Agreement.sme_id == actor.enterprise_id)
    return list(db.scalars(query.where(mine)))


def details(db: Session, agreement: Agreement) -> Details:
    approvals = db.scalars(
        select(AgreementApproval).where(
            AgreementApproval.agreement_id == agreement.id,
            AgreementApproval.version == agreement.version,
        )
    )
    comments = db.scalars(
        select(AgreementComment)
        .where(AgreementComment.agreement_id == agreement.id)
        .order_by(AgreementComment.created_at, AgreementComment.id)
    )
    signatures = db.scalars(
        select(AgreementSignature)
        .where(AgreementSignature.agreement_id == agreement.id)
        .order_by(AgreementSignature.signed_at)
    )
    return Details(list(approvals), list(comments), list(signatures))


def draft(
    db: Session, *, actor: Actor, origin: Origin, data: AgreementInput, segment: str | None = None
) -> Agreement:
    """A new draft (version 1) between the origin's firm and SME; either side may start."""
    if not policy.is_party(actor, origin.firm.id, origin.sme.id):
        raise Forbidden(N_("only members of the two enterprises may draft their agreement"))
    agreement = Agreement(
        id=new_id("agr"),
        code=_unused_code(db),
        event_id=origin.event_id,
        meeting_id=origin.meeting_id,
        need_id=origin.need.id,
        profile_id=origin.profile.id,
        firm_id=origin.firm.id,
        sme_id=origin.sme.id,
        firm_name=origin.firm.name,
        sme_name=origin.sme.name,
        segment=segment,
        status=AgreementStatus.DRAFT,
        version=1,
        created_by=actor.id if isinstance(actor, User) else None,
        **_values(data),
    )
    db.add(agreement)
    db.flush()
    _tell_other_side(db, agreement, actor, "agreement_drafted")
    db.commit()
    return agreement


def _tell_other_side(db: Session, agreement: Agreement, actor: Actor, kind: str) -> None:
    """Queue a notice to the members of the side that did not act (no commit here)."""
    acting = actor.enterprise_id if actor is not None else None
    other = agreement.sme_id if acting == agreement.firm_id else agreement.firm_id
    notifications.notify_enterprise(
        db, other, kind, f"/agreements/{agreement.id}", subject=agreement.subject
    )


def _values(data: AgreementInput) -> dict[str, object]:
    return {
        "subject": data.subject,
        "type": data.type,
        "amount_wan": data.amount_wan,
        "term": data.term,
        "clauses": list(data.clauses),
    }


def _unused_code(db: Session) -> str:
    while True:
        code = new_code()
        if db.scalar(select(Agreement.id).where(Agreement.code == code)) is None:
            return code


def _current(agreement: Agreement, version: int) -> None:
    if version != agreement.version:
        raise InvalidState(N_("the agreement changed since you opened it; review the new version"))


def edit(
    db: Session, *, actor: Actor, agreement_id: str, data: AgreementInput, version: int
) -> Agreement:
    """Change the terms: a new version that neither side has approved yet."""
    agreement = get(db, actor=actor, agreement_id=agreement_id)
    _member(actor, agreement)
    _current(agreement, version)
    if details(db, agreement).signatures:
        raise InvalidState(N_("a signed agreement cannot change; draft a new one instead"))
    for name, value in _values(data).items():
        setattr(agreement, name, value)
    agreement.version += 1
    agreement.status = AgreementStatus.DRAFT
    agreement.approved_at = None
    db.commit()
    return agreement


def comment(db: Session, *, actor: Actor, agreement_id: str, body: str) -> AgreementComment:
    agreement = get(db, actor=actor, agreement_id=agreement_id)
    user, side = _member(actor, agreement)
    text = body.strip()
    if not text or len(text) > MAX_COMMENT:
        message = N_("write a comment of at most 4,000 characters")
        raise ValidationFailed(message, errors=[FieldError("body", message)])
    row = AgreementComment(
        agreement_id=agreement.id,
        user_id=user.id,
        author_name=user.display_name,
        enterprise_id=side,
        version=agreement.version,
        body=text,
    )
    db.add(row)
    db.commit()
    return row


def approve(db: Session, *, actor: Actor, agreement_id: str, version: int) -> Agreement:
    """One side approves the version it read; both on one version make it ready to sign."""
    agreement = get(db, actor=actor, agreement_id=agreement_id)
    user, side = _member(actor, agreement)
    _current(agreement, version)
    if agreement.status is AgreementStatus.SIGNED:
        raise InvalidState(N_("this agreement is already signed"))
    if details(db, agreement).approved_by(side):
        raise Conflict(N_("your side has already approved this version"))
    db.add(
        AgreementApproval(
            agreement_id=agreement.id,
            enterprise_id=side,
            version=version,
            user_id=user.id,
        )
    )
    db.flush()
    approvals = details(db, agreement)
    if approvals.approved_by(agreement.firm_id) and approvals.approved_by(agreement.sme_id):
        agreement.status = AgreementStatus.APPROVED
        agreement.approved_at = utcnow()
    _tell_other_side(db, agreement, actor, "agreement_approved")
    db.commit()
    return agreement


def sign(
    db: Session,
    *,
    actor: Actor,
    agreement_id: str,
    password: str,
    provider: SigningProvider,
    bus: MessageBus | None = None,
) -> Agreement:
    """Sign for the actor's side after checking the actor's password again.

    A wrong password records nothing. The digest covers the canonical document of the
    approved version; both signatures must carry the same digest. When the second side
    signs, the agreement is signed and the wall hears of it.
    """
    agreement = get(db, actor=actor, agreement_id=agreement_id)
    user, side = _member(actor, agreement)
    if not security.verify_password(user.password_hash, password):
        raise ValidationFailed(WRONG_PASSWORD, errors=[FieldError("password", WRONG_PASSWORD)])
    for attempt in range(SIGN_ATTEMPTS):
        try:
            completed = _sign_once(db, user, agreement_id, side, provider)
            signed = db.get(Agreement, agreement_id)
            if signed is not None:
                _tell_other_side(db, signed, user, "agreement_signed")
            audit.record(db, user, actions.AGREEMENT_SIGNED, ("agreement", agreement_id))
            db.commit()
            break
        except IntegrityError:  # another signature took the same ledger place: go again
            db.rollback()
            if attempt == SIGN_ATTEMPTS - 1:
                raise Conflict(
                    N_("the ledger was busy; nothing was signed, please try again")
                ) from None
    agreement = get(db, actor=user, agreement_id=agreement_id)
    if completed and bus is not None:
        from matchmaker.agreements import wall

        wall.announce(db, bus, agreement)
    return agreement


def _sign_once(
    db: Session, actor: User, agreement_id: str, side: str, provider: SigningProvider
) -> bool:
    agreement = get(db, actor=actor, agreement_id=agreement_id)
    if agreement.status is not AgreementStatus.APPROVED:
        raise InvalidState(N_("both sides must approve the current version before signing"))
    found = details(db, agreement)
    if found.signed_by(side) is not None:
        raise Conflict(N_("your side has already signed this agreement"))
    document = canonical.document(agreement)
    digest = canonical.digest_of(document)
    if agreement.digest is not None and agreement.digest != digest:
        raise InvalidState(
            N_("the agreement no longer matches what the other side signed; nothing was signed")
        )
    now = utcnow()
    message = canonical.statement(
        code=agreement.code, digest=digest, enterprise_id=side, signer_id=actor.id, signed_at=now
    )
    signed = provider.sign(enterprise_id=side, message=message)
    signature = AgreementSignature(
        agreement_id=agreement.id,
        enterprise_id=side,
        signer_id=actor.id,
        signer_name=actor.display_name,
        provider=signed.provider,
        digest=digest,
        signature=signed.signature,
        public_key=signed.public_key,
        signed_at=now,
    )
    db.add(signature)
    agreement.digest = digest
    ledger.append(
        db,
        kind=ledger.SIGNATURE,
        agreement_id=agreement.id,
        at=now,
        payload={**ledger.signature_record(signature, agreement.code), "document": document},
    )
    if found.signatures:  # the other side signed before: this completes the agreement
        agreement.status = AgreementStatus.SIGNED
        agreement.signed_at = now
        ledger.append(
            db,
            kind=ledger.SIGNED,
            agreement_id=agreement.id,
            at=now,
            payload={
                "code": agreement.code,
                "digest": digest,
                "signed_at": canonical.timestamp(now),
            },
        )
        return True
    return False


def signed_pairs(db: Session) -> list[tuple[str, str]]:
    """(need id, profile id) of every signed agreement: the strongest match label there is."""
    rows = db.execute(
        select(Agreement.need_id, Agreement.profile_id).where(
            Agreement.status == AgreementStatus.SIGNED,
            Agreement.need_id.is_not(None),
            Agreement.profile_id.is_not(None),
        )
    )
    return sorted({(str(need), str(profile)) for need, profile in rows})
