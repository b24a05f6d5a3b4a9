"""Organiser and admin browse pages: enterprises, needs (with match quality), profiles."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import Response

from matchmaker.admin import service
from matchmaker.enterprises.service import EnterpriseFilters
from matchmaker.fields import KNOWN_TAGS, EnterpriseSize, NeedStatus, NeedType, ProfileStatus
from matchmaker.i18n import N_
from matchmaker.labels import choices
from matchmaker.needs.service import NeedFilters
from matchmaker.portal import Portal, PortalDep
from matchmaker.profiles.service import ProfileFilters
from matchmaker.schemas import PageParams

router = APIRouter(prefix="/admin", include_in_schema=False)
PER_PAGE = 25
E = TypeVar("E", bound=StrEnum)
Text = Annotated[str, Query(max_length=200)]


def _enum(enum: type[E], raw: str) -> E | None:
    """A chosen option, or None for "any" and for values that are not options."""
    return enum(raw) if raw in {member.value for member in enum} else None


def _page(number: str) -> PageParams:
    value = int(number) if number.isdigit() else 1
    return PageParams(page=min(max(value, 1), 100_000), per_page=PER_PAGE)


def _options(portal: Portal, enum: type[StrEnum], anything: str) -> list[tuple[str, str]]:
    """("", "any …") then each value with its label, translated for the page."""
    return [("", portal._(anything)), *((value, portal._(label)) for value, label in choices(enum))]


def _pages(path: str, values: dict[str, str]) -> Callable[[int], str]:
    """page → URL of that page with the same filters."""
    kept = {name: value for name, value in values.items() if value}
    return lambda page: f"{path}?{urlencode({**kept, 'page': page})}"


@router.get("/enterprises")
def enterprises(
    portal: PortalDep, q: Text = "", size: Text = "", district: Text = "", tag: Text = "",
    page: Text = "1",
) -> Response:  # fmt: skip
    user = portal.require_user()
    values = {"q": q.strip(), "size": size, "district": district, "tag": tag.strip()}
    filters = EnterpriseFilters(
        q=values["q"] or None,
        size=_enum(EnterpriseSize, size),
        district=district or None,
        tag=values["tag"] or None,
    )
    listing = service.enterprise_listing(portal.db, actor=user, filters=filters, page=_page(page))
    names = service.districts(portal.db)
    districts = [("", portal._("Any district")), *((name, name) for name in names)]
    return portal.render("admin/enterprises.html", {
        "listing": listing, "form": {"values": values}, "districts": districts,
        "sizes": _options(portal, EnterpriseSize, N_("Any size")), "known_tags": KNOWN_TAGS,
        "page_url": _pages("/admin/enterprises", values),
    })  # fmt: skip


@router.get("/needs")
def needs(
    portal: PortalDep, q: Text = "", status: Text = "", type: Text = "", page: Text = "1"
) -> Response:
    user = portal.require_user()
    values = {"q": q.strip(), "status": status, "type": type}
    filters = NeedFilters(
        q=values["q"] or None, status=_enum(NeedStatus, status), type=_enum(NeedType, type)
    )
    matching = portal.request.app.state.matching
    listing = service.need_listing(
        portal.db, matching, actor=user, filters=filters, page=_page(page)
    )
    return portal.render("admin/needs.html", {
        "listing": listing, "form": {"values": values}, "strong": service.STRONG,
        "good": service.GOOD, "page_url": _pages("/admin/needs", values),
        "statuses": _options(portal, NeedStatus, N_("Any status")),
        "types": _options(portal, NeedType, N_("Any type")),
    })  # fmt: skip


@router.get("/profiles")
def profiles(portal: PortalDep, q: Text = "", status: Text = "", page: Text = "1") -> Response:
    user = portal.require_user()
    values = {"q": q.strip(), "status": status}
    filters = ProfileFilters(q=values["q"] or None, status=_enum(ProfileStatus, status))
    listing = service.profile_listing(portal.db, actor=user, filters=filters, page=_page(page))
    return portal.render("admin/profiles.html", {
        "listing": listing, "form": {"values": values},
        "statuses": _options(portal, ProfileStatus, N_("Any status")),
        "page_url": _pages("/admin/profiles", values),
    })  # fmt: skip
