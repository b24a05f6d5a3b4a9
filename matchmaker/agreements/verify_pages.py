"""The public verification page: anyone holding a certificate checks it, no login needed."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from matchmaker.agreements import codes, service, verify
from matchmaker.agreements.texts import LABELS
from matchmaker.errors import NotFound
from matchmaker.i18n import N_
from matchmaker.portal import PortalDep

router = APIRouter(include_in_schema=False)


@router.get("/verify")
def verify_form(portal: PortalDep, code: str = "") -> Response:
    """A box to type the code printed on a certificate; with ?code= it goes to the result."""
    if code.strip():
        return portal.redirect(f"/verify/{codes.normalise_code(code)}")
    return portal.render("agreements/verify.html", {"agreement": None, "labels": LABELS})


@router.get("/verify/{code}")
def verify_code(portal: PortalDep, code: str) -> Response:
    agreement = service.by_code(portal.db, code)
    signatures = service.details(portal.db, agreement).signatures if agreement else []
    if agreement is None or not signatures:
        # Drafts stay private: only a signed agreement's code is ever printed.
        raise NotFound(N_("no signed agreement has this verification code"))
    report = verify.verify_agreement(portal.db, agreement)
    context = {
        "agreement": agreement,
        "signatures": signatures,
        "report": report,
        "labels": LABELS,
    }
    return portal.render("agreements/verify.html", context)
