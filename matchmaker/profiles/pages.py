"""SME pages: capability profiles (list, write, read, live preview) and recommended needs."""

from __future__ import annotations

import threading
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query
from fastapi.responses import Response

from matchmaker import forms, policy
from matchmaker.accounts.models import User
from matchmaker.deps import csrf_form
from matchmaker.enterprises import service as enterprises
from matchmaker.errors import Forbidden, ValidationFailed
from matchmaker.fields import NeedType, ProfileStatus
from matchmaker.forms import FormState
from matchmaker.i18n import N_
from matchmaker.labels import choices
from matchmaker.matching.assign import SegmentAssigner
from matchmaker.matching.chain import ChainGraph, dictionary_terms
from matchmaker.matching.service import MatchingService
from matchmaker.matching.text import Analyzer
from matchmaker.portal import Portal, PortalDep
from matchmaker.profiles import advice, service
from matchmaker.profiles import recommendations as recommended
from matchmaker.profiles.form import ProfileForm, form_of, segment_groups
from matchmaker.profiles.models import CapabilityProfile
from matchmaker.profiles.schemas import ProfileCreate, ProfileUpdate
from matchmaker.profiles.service import ProfileFilters
from matchmaker.schemas import PageParams

router = APIRouter(include_in_schema=False)
ProfileFormDep = Annotated[ProfileForm, Form()]
PER_PAGE = 20
RECOMMENDED = 20


def _matching(portal: Portal) -> MatchingService:
    matching: MatchingService = portal.request.app.state.matching
    return matching


@router.get("/my/profiles")
def my_profiles(
    portal: PortalDep,
    enterprise: Annotated[str | None, Query(max_length=64)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    user = portal.require_user()
    enterprise_id = (enterprise if policy.is_admin(user) else None) or user.enterprise_id
    if enterprise_id is None and policy.is_admin(user):
        return portal.redirect("/admin/profiles")
    if enterprise_id is None or not policy.can_write_profile(user, enterprise_id):
        raise Forbidden("only members of an SME and admins manage its capability profiles")
    owner = enterprises.get(portal.db, enterprise_id=enterprise_id)
    filters = ProfileFilters(enterprise_id=enterprise_id)
    params = PageParams(page=page, per_page=PER_PAGE)
    rows, total = service.list_page(portal.db, actor=user, filters=filters, page=params)
    # An admin's view keeps naming the enterprise in its links.
    scope = f"enterprise={quote(enterprise_id)}" if enterprise_id != user.enterprise_id else ""
    context = {
        "enterprise": owner,
        "profiles": rows,
        "page": page,
        "total": total,
        "per_page": PER_PAGE,
        "url_for_page": lambda number: f"/my/profiles?{scope}{'&' if scope else ''}page={number}",
        "new_url": "/profiles/new" + (f"?{scope}" if scope else ""),
    }
    return portal.render("profiles/mine.html", context)


@router.get("/profiles/new")
def new_profile(
    portal: PortalDep, enterprise: Annotated[str | None, Query(max_length=64)] = None
) -> Response:
    _require_author(portal.require_user())
    form = ProfileForm(enterprise_id=enterprise or "")
    return _form_page(portal, None, form, FormState(values=form.values()))


@router.post("/profiles/new", dependencies=[Depends(csrf_form)])
def create_profile(portal: PortalDep, form: ProfileFormDep) -> Response:
    user = _require_author(portal.require_user())
    state = FormState(values=form.values())
    owner = form.enterprise_id.strip() if policy.is_admin(user) else ""
    data = forms.validate(
        ProfileCreate, {**form.data(), "enterprise_id": owner or None}, state, portal.locale
    )
    if data is not None:
        try:
            profile = service.create(portal.db, actor=user, data=data)
        except ValidationFailed as error:
            forms.record_domain_error(error, state, portal.locale)
        else:
            return _saved(portal, profile)
    return _form_page(portal, None, form, state, status=422)


@router.post("/profiles/preview", dependencies=[Depends(csrf_form)])
def preview_profile(portal: PortalDep, form: ProfileFormDep) -> Response:
    portal.require_user()
    return portal.render("profiles/_preview.html", {"preview": _preview(portal, form)})


@router.get("/profiles/{profile_id}")
def read_profile(portal: PortalDep, profile_id: str) -> Response:
    user = portal.require_user()
    profile = service.get(portal.db, actor=user, profile_id=profile_id)
    owner = enterprises.get(portal.db, enterprise_id=profile.enterprise_id)
    graph = _matching(portal).chain_graph
    context = {
        "profile": profile,
        "enterprise": enterprises.view(portal.db, actor=user, enterprise=owner),
        "segments": [graph.segments[s] for s in profile.segments if s in graph.segments],
        "chains": graph.chains,
        "can_edit": policy.can_write_profile(user, profile.enterprise_id),
        "can_see_recommendations": policy.can_see_recommendations(user, profile),
    }
    return portal.render("profiles/detail.html", context)


@router.get("/profiles/{profile_id}/edit")
def edit_profile(portal: PortalDep, profile_id: str) -> Response:
    profile = _editable(portal, profile_id)
    form = form_of(profile)
    return _form_page(portal, profile, form, FormState(values=form.values()))


@router.post("/profiles/{profile_id}/edit", dependencies=[Depends(csrf_form)])
def update_profile(portal: PortalDep, profile_id: str, form: ProfileFormDep) -> Response:
    profile = _editable(portal, profile_id)
    state = FormState(values=form.values())
    patch = forms.validate(ProfileUpdate, form.data(), state, portal.locale)
    if patch is not None:
        try:
            saved = service.update_profile(
                portal.db, actor=portal.user, profile_id=profile_id, patch=patch
            )
        except ValidationFailed as error:
            portal.db.rollback()
            forms.record_domain_error(error, state, portal.locale)
        else:
            return _saved(portal, saved)
    return _form_page(portal, profile, form, state, status=422)


@router.get("/recommendations")
def recommendations(
    portal: PortalDep, profile: Annotated[str | None, Query(max_length=64)] = None
) -> Response:
    user = portal.require_user()
    mine = recommended.published_profiles(portal.db, actor=user)
    chosen = profile or (mine[0].id if mine else None)
    result = None
    if chosen is not None:
        result = recommended.for_profile(
            portal.db,
            portal.request.app.state.rankings,
            actor=user,
            profile_id=chosen,
            limit=RECOMMENDED,
        )
        if result.profile not in mine:
            mine = [*mine, result.profile]
    context = {
        "result": result,
        "options": [(p.id, p.title) for p in mine],
        "selector": {"values": {"profile": chosen or ""}, "errors": {}},
    }
    return portal.render("profiles/recommendations.html", context)


def _require_author(user: User) -> User:
    """SME members write their enterprise's profiles; admins write any SME's."""
    if policy.is_admin(user):
        return user
    if user.enterprise_id is None or not policy.can_write_profile(user, user.enterprise_id):
        raise Forbidden("only members of an SME and admins publish capability profiles")
    return user


def _editable(portal: Portal, profile_id: str) -> CapabilityProfile:
    """The profile if the user may change it: 404 when hidden from them, 403 when read-only."""
    user = portal.require_user()
    profile = service.get(portal.db, actor=user, profile_id=profile_id)
    if not policy.can_write_profile(user, profile.enterprise_id):
        raise Forbidden("only members of this SME and admins may change its profiles")
    return profile


def _saved(portal: Portal, profile: CapabilityProfile) -> Response:
    if profile.status is ProfileStatus.PUBLISHED:
        portal.flash("success", N_("The profile is published."))
        return portal.redirect(f"/profiles/{profile.id}")
    portal.flash("success", N_("Draft saved. The preview shows how the profile will be matched."))
    return portal.redirect(f"/profiles/{profile.id}/edit")


def _preview(portal: Portal, form: ProfileForm) -> advice.Preview:
    return advice.preview(form.draft(), _assigner(_matching(portal).chain_graph))


_assigners: dict[int, tuple[ChainGraph, SegmentAssigner]] = {}
_assigners_lock = threading.Lock()


def _assigner(graph: ChainGraph) -> SegmentAssigner:
    """The engine's kind of assigner over the engine's graph, built once per process.

    Not `matching.engine(db).assigner`: that waits for the index (built, caught up, or
    rebuilt under a lock), and an index cannot be built before a need and a published
    profile exist; a preview needs neither.
    """
    with _assigners_lock:
        cached = _assigners.get(id(graph))
        if cached is None or cached[0] is not graph:
            cached = (graph, SegmentAssigner(graph, Analyzer(dictionary_terms(graph))))
            _assigners[id(graph)] = cached
        return cached[1]


def _form_page(
    portal: Portal,
    profile: CapabilityProfile | None,
    form: ProfileForm,
    state: FormState,
    status: int = 200,
) -> Response:
    context = {
        "profile": profile,
        "form": state,
        "show_enterprise": profile is None and policy.is_admin(portal.user),
        "need_types": [(value, portal._(label)) for value, label in choices(NeedType)],
        "segment_groups": segment_groups(_matching(portal).chain_graph, portal.locale),
        "preview": _preview(portal, form),
    }
    return portal.render("profiles/edit.html", context, status=status)
