"""Enterprise pages: members edit their own enterprise's details."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form
from fastapi.responses import Response
from pydantic import BaseModel

from matchmaker import forms, policy
from matchmaker.deps import csrf_form
from matchmaker.enterprises import service
from matchmaker.enterprises.models import Enterprise
from matchmaker.enterprises.schemas import EnterpriseUpdate
from matchmaker.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matchmaker.fields import KNOWN_TAGS
from matchmaker.forms import FormState
from matchmaker.i18n import N_
from matchmaker.portal import Portal, PortalDep

router = APIRouter(include_in_schema=False)
OPTIONAL = ("district", "employees", "founded", "description", "contact_name", "contact_phone",
            "contact_email")  # fmt: skip


class EnterpriseForm(BaseModel):
    """Submitted fields as typed; the API's schema judges them."""

    name: str = ""
    district: str = ""
    tags: list[str] = []
    employees: str = ""
    founded: str = ""
    description: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""

    def patch(self, current_tags: list[str]) -> dict[str, Any]:
        """Empty fields clear their value; tags outside the checkboxes are kept."""
        kept = [tag for tag in current_tags if tag not in KNOWN_TAGS]
        chosen = [tag for tag in KNOWN_TAGS if tag in self.tags]
        optional = {name: getattr(self, name).strip() or None for name in OPTIONAL}
        return {"name": self.name, **optional, "tags": kept + chosen}


def form_of(enterprise: Enterprise) -> EnterpriseForm:
    def text(value: object) -> str:
        return "" if value is None else str(value)

    return EnterpriseForm(
        name=enterprise.name,
        tags=list(enterprise.tags),
        **{name: text(getattr(enterprise, name)) for name in OPTIONAL},
    )


@router.get("/enterprise/edit")
def edit_enterprise(portal: PortalDep) -> Response:
    enterprise = _own(portal)
    return _form_page(portal, enterprise, FormState(values=form_of(enterprise).model_dump()))


@router.post("/enterprise/edit", dependencies=[Depends(csrf_form)])
def update_enterprise(portal: PortalDep, form: Annotated[EnterpriseForm, Form()]) -> Response:
    enterprise = _own(portal)
    state = FormState(values=form.model_dump())
    patch = forms.validate(EnterpriseUpdate, form.patch(enterprise.tags), state, portal.locale)
    if patch is not None:
        try:
            service.update(portal.db, actor=portal.user, enterprise_id=enterprise.id, patch=patch)
        except (ValidationFailed, Conflict) as error:
            portal.db.rollback()
            forms.record_domain_error(error, state, portal.locale)
        else:
            portal.flash("success", N_("The enterprise details are saved."))
            return portal.redirect("/enterprise/edit")
    return _form_page(portal, enterprise, state, status=422)


def _own(portal: Portal) -> Enterprise:
    """The enterprise the user belongs to, if they may edit it."""
    user = portal.require_user()
    if user.enterprise_id is None:
        raise NotFound("your account does not belong to an enterprise")
    if not policy.can_edit_enterprise(user, user.enterprise_id):
        raise Forbidden("only members of this enterprise and admins may edit it")
    return service.get(portal.db, enterprise_id=user.enterprise_id)


def _form_page(
    portal: Portal, enterprise: Enterprise, state: FormState, status: int = 200
) -> Response:
    context = {"enterprise": enterprise, "form": state, "tags": [(t, t) for t in KNOWN_TAGS]}
    return portal.render("enterprises/edit.html", context, status=status)
