"""Agreement pages: my agreements, the draft and edit form, the agreement page with its
comments, approvals and signing, and the certificate. The public verification page and the
signing wall live in verify_pages.py and wall_pages.py, included here."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form
from fastapi.responses import Response

from matchmaker import policy
from matchmaker.agreements import (
    canonical,
    certificate,
    ledger,
    origins,
    service,
    verify_pages,
    wall_pages,
)
from matchmaker.agreements.models import Agreement
from matchmaker.agreements.origins import Origin
from matchmaker.agreements.providers import platform_provider
from matchmaker.agreements.schemas import AgreementInput
from matchmaker.agreements.texts import LABELS, TYPE_LABELS
from matchmaker.deps import csrf_form
from matchmaker.errors import DomainError, InvalidState, ValidationFailed
from matchmaker.fields import AgreementStatus
from matchmaker.forms import FormState, joined, lines, record_domain_error, validate
from matchmaker.i18n import N_
from matchmaker.portal import Portal, PortalDep
from matchmaker.ratelimit.guard import limit_attempt

router = APIRouter(include_in_schema=False)
router.include_router(verify_pages.router)
router.include_router(wall_pages.router)
CSRF = [Depends(csrf_form)]
Short = Annotated[str, Form(max_length=300)]
Long = Annotated[str, Form(max_length=20_000)]


@router.get("/agreements")
def my_agreements(portal: PortalDep) -> Response:
    user = portal.require_user()
    rows = service.listing(portal.db, actor=user)
    drafted = {(a.need_id, a.profile_id) for a in rows}
    ready = [o for o in origins.ready(portal.db, actor=user)
             if (o.need.id, o.profile.id) not in drafted]  # fmt: skip
    return portal.render("agreements/list.html", {"rows": rows, "ready": ready, "labels": LABELS})


def _origin(portal: Portal, introduction: str | None, meeting: str | None) -> Origin:
    user = portal.require_user()
    if meeting:
        return origins.from_meeting(portal.db, actor=user, meeting_id=meeting)
    if introduction:
        return origins.from_introduction(portal.db, actor=user, introduction_id=introduction)
    raise InvalidState(N_("choose the accepted introduction or meeting the agreement follows"))


def _form_page(
    portal: Portal,
    state: FormState,
    *,
    origin: Origin | None = None,
    agreement: Agreement | None = None,
    status: int = 200,
) -> Response:
    types = [(kind.value, portal._(label)) for kind, label in TYPE_LABELS.items()]
    context = {"form": state, "origin": origin, "agreement": agreement, "types": types}
    return portal.render("agreements/form.html", context, status=status)


def _values(agreement: Agreement) -> dict[str, Any]:
    amount = agreement.amount_wan
    return {
        "subject": agreement.subject,
        "type": agreement.type.value,
        "amount_wan": "" if amount is None else f"{amount:g}",
        "term": agreement.term or "",
        "clauses": joined(agreement.clauses),
        "version": str(agreement.version),
    }


def _submitted(
    portal: Portal, subject: str, type: str, amount_wan: str, term: str, clauses: str
) -> tuple[FormState, AgreementInput | None]:
    values = {"subject": subject, "type": type, "amount_wan": amount_wan, "term": term,
              "clauses": clauses}  # fmt: skip
    state = FormState(values=values)
    data = {
        "subject": subject,
        "type": type,
        "amount_wan": amount_wan.strip().replace(",", "") or None,
        "term": term.strip() or None,
        "clauses": lines(clauses),
    }
    return state, validate(AgreementInput, data, state, portal.locale)


@router.get("/agreements/new")
def new_agreement(
    portal: PortalDep, introduction: str | None = None, meeting: str | None = None
) -> Response:
    origin = _origin(portal, introduction, meeting)
    return _form_page(portal, FormState(values=origin.suggestion()), origin=origin)


@router.post("/agreements/new", dependencies=CSRF)
def create_agreement(
    portal: PortalDep,
    subject: Short = "",
    type: Short = "",
    amount_wan: Short = "",
    term: Short = "",
    clauses: Long = "",
    introduction: str | None = None,
    meeting: str | None = None,
) -> Response:
    origin = _origin(portal, introduction, meeting)
    state, data = _submitted(portal, subject, type, amount_wan, term, clauses)
    if data is None:
        return _form_page(portal, state, origin=origin, status=422)
    agreement = service.draft(
        portal.db, actor=portal.user, origin=origin, data=data, segment=_segment(portal, origin)
    )
    portal.flash("success", N_("Draft saved. Ask the other side to review and approve it."))
    return portal.redirect(f"/agreements/{agreement.id}")


def _segment(portal: Portal, origin: Origin) -> str | None:
    """The need's chain segment for the wall: chosen by the firm, else placed by the engine."""
    if origin.need.segments:
        return origin.need.segments[0]
    try:
        placed, _ = portal.request.app.state.matching.placements(
            portal.db, need_ids=[origin.need.id]
        )
    except DomainError:
        return None
    found: list[str] = placed.get(origin.need.id) or []
    return found[0] if found else None


@router.get("/agreements/{agreement_id}")
def show_agreement(portal: PortalDep, agreement_id: str) -> Response:
    agreement = service.get(portal.db, actor=portal.require_user(), agreement_id=agreement_id)
    return _show(portal, agreement)


def _show(
    portal: Portal,
    agreement: Agreement,
    *,
    sign_form: FormState | None = None,
    comment_form: FormState | None = None,
    status: int = 200,
) -> Response:
    user = portal.require_user()
    side = next(
        (e for e in (agreement.firm_id, agreement.sme_id) if policy.is_member(user, e)), None
    )
    context = {
        "agreement": agreement,
        "details": service.details(portal.db, agreement),
        "side": side,
        "labels": LABELS,
        "current_digest": agreement.digest or canonical.digest(agreement),
        "sign_form": sign_form,
        "comment_form": comment_form,
    }
    return portal.render("agreements/show.html", context, status=status)


@router.get("/agreements/{agreement_id}/edit")
def edit_agreement(portal: PortalDep, agreement_id: str) -> Response:
    agreement = service.get(portal.db, actor=portal.require_user(), agreement_id=agreement_id)
    return _form_page(portal, FormState(values=_values(agreement)), agreement=agreement)


@router.post("/agreements/{agreement_id}/edit", dependencies=CSRF)
def update_agreement(
    portal: PortalDep,
    agreement_id: str,
    version: Annotated[int, Form()],
    subject: Short = "",
    type: Short = "",
    amount_wan: Short = "",
    term: Short = "",
    clauses: Long = "",
) -> Response:
    agreement = service.get(portal.db, actor=portal.require_user(), agreement_id=agreement_id)
    state, data = _submitted(portal, subject, type, amount_wan, term, clauses)
    state.values["version"] = str(version)
    if data is not None:
        try:
            service.edit(
                portal.db, actor=portal.user, agreement_id=agreement.id, data=data, version=version
            )
        except DomainError as error:
            if error.status in (401, 403, 404):
                raise
            portal.db.rollback()
            record_domain_error(error, state, portal.locale)
    if not state.valid:
        return _form_page(portal, state, agreement=agreement, status=422)
    portal.flash("success", N_("Saved as a new version. Both sides need to approve it again."))
    return portal.redirect(f"/agreements/{agreement.id}")


@router.post("/agreements/{agreement_id}/comments", dependencies=CSRF)
def add_comment(portal: PortalDep, agreement_id: str, body: Long = "") -> Response:
    user = portal.require_user()
    try:
        service.comment(portal.db, actor=user, agreement_id=agreement_id, body=body)
    except ValidationFailed as error:
        portal.db.rollback()
        state = FormState(values={"body": body})
        record_domain_error(error, state, portal.locale)
        agreement = service.get(portal.db, actor=user, agreement_id=agreement_id)
        return _show(portal, agreement, comment_form=state, status=422)
    portal.flash("success", N_("Comment added."))
    return portal.redirect(f"/agreements/{agreement_id}#comments")


@router.post("/agreements/{agreement_id}/approve", dependencies=CSRF)
def approve(portal: PortalDep, agreement_id: str, version: Annotated[int, Form()]) -> Response:
    user = portal.require_user()
    back = f"/agreements/{agreement_id}"
    try:
        agreement = service.approve(
            portal.db, actor=user, agreement_id=agreement_id, version=version
        )
    except DomainError as error:
        return portal.refused(back, error)
    ready = agreement.status is AgreementStatus.APPROVED
    portal.flash(
        "success",
        N_("Both sides approved: the agreement is ready to sign.")
        if ready
        else N_("Approved. Waiting for the other side."),
    )
    return portal.redirect(back)


@router.post("/agreements/{agreement_id}/sign", dependencies=CSRF)
def sign(portal: PortalDep, agreement_id: str, password: Short = "") -> Response:
    user = portal.require_user()
    settings = portal.request.app.state.settings
    # Re-entering the password is a guess like a login: it draws on the same limits.
    limit_attempt(portal.request, "login", user.email)
    try:
        agreement = service.sign(
            portal.db,
            actor=user,
            agreement_id=agreement_id,
            password=password,
            provider=platform_provider(portal.db, settings.secret),
            bus=portal.request.app.state.bus,
        )
    except ValidationFailed as error:
        portal.db.rollback()
        state = FormState()
        record_domain_error(error, state, portal.locale)
        agreement = service.get(portal.db, actor=user, agreement_id=agreement_id)
        return _show(portal, agreement, sign_form=state, status=422)
    except DomainError as error:
        return portal.refused(f"/agreements/{agreement_id}", error)
    signed = agreement.status is AgreementStatus.SIGNED
    portal.flash(
        "success",
        N_("Signed by both sides. The certificate is ready.")
        if signed
        else N_("Signed. Waiting for the other side to sign."),
    )
    return portal.redirect(f"/agreements/{agreement_id}")


@router.get("/agreements/{agreement_id}/certificate.pdf")
def certificate_pdf(portal: PortalDep, agreement_id: str) -> Response:
    agreement = service.get(portal.db, actor=portal.require_user(), agreement_id=agreement_id)
    if agreement.status is not AgreementStatus.SIGNED:
        raise InvalidState(N_("the certificate exists once both sides have signed"))
    public_url = portal.request.app.state.settings.public_url.rstrip("/")
    data = certificate.CertificateData(
        agreement=agreement,
        signatures=service.details(portal.db, agreement).signatures,
        entries=ledger.for_agreement(portal.db, agreement.id),
        verify_url=f"{public_url}/verify/{agreement.code}",
    )
    filename = f"agreement-{agreement.code}.pdf"
    return Response(
        certificate.render(data),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )
