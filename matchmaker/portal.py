"""What every HTML page needs: the user, the language, CSRF, flash messages and rendering.

Page handlers take one `PortalDep` and call `portal.render(...)`, so templates always get
the same context (user, locale, csrf_token, unread count, flashes) and no handler has to
remember to set the CSRF cookie.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote, unquote, urlsplit

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from matchmaker import i18n
from matchmaker.accounts import cookies
from matchmaker.accounts.models import User
from matchmaker.accounts.security import new_token
from matchmaker.deps import CSRF_COOKIE, CurrentActor, SessionDep
from matchmaker.errors import DomainError, Unauthorized
from matchmaker.notifications import service as notifications

FLASH_COOKIE = "mm_flash"
FLASH_KINDS = ("success", "error", "info")


@dataclass
class Portal:
    request: Request
    db: Session
    user: User | None
    locale: str
    _flash_out: list[tuple[str, str]] = field(default_factory=list)

    def _(self, message: str, **variables: Any) -> str:
        return i18n.gettext(self.locale, message, **variables)

    def require_user(self) -> User:
        if self.user is None:
            raise Unauthorized("log in to open this page")
        return self.user

    def flash(self, kind: str, message: str) -> None:
        """Queue an English msgid; it is translated when shown on the next page."""
        self._flash_out.append((kind, message))

    def refused(self, back: str, error: DomainError) -> Response:
        """A refused action: permission errors keep their status page; state and validation
        problems go back to the page the user came from, with the reason, and nothing saved."""
        if error.status in (401, 403, 404):
            raise error
        self.db.rollback()
        self.flash("error", error.detail)
        return self.redirect(back)

    def render(
        self, name: str, context: Mapping[str, object] | None = None, status: int = 200
    ) -> Response:
        templates = self.request.app.state.templates
        existing = self.request.cookies.get(CSRF_COOKIE)
        csrf = existing or new_token()
        values = {
            "user": self.user,
            "locale": self.locale,
            "csrf_token": csrf,
            "unread": self._unread(),
            "flashes": self._incoming_flashes(),
            "current_path": self.request.url.path,
            **(context or {}),
        }
        response: Response = templates.TemplateResponse(
            self.request, name, values, status_code=status
        )
        if not existing:
            cookies.set_csrf(response, self.request, self.request.app.state.settings, csrf)
        if self.request.cookies.get(FLASH_COOKIE):
            response.delete_cookie(FLASH_COOKIE, path="/")
        return response

    def redirect(self, url: str) -> Response:
        response = RedirectResponse(safe_next(url), status_code=303)
        if self._flash_out:
            encoded = "|".join(f"{kind}:{quote(text)}" for kind, text in self._flash_out)
            response.set_cookie(FLASH_COOKIE, encoded, max_age=60, httponly=True, samesite="lax")
        return response

    def _incoming_flashes(self) -> list[tuple[str, str]]:
        raw = self.request.cookies.get(FLASH_COOKIE, "")
        shown = []
        for part in [*raw.split("|"), *(f"{k}:{quote(t)}" for k, t in self._flash_out)]:
            kind, _, text = part.partition(":")
            if kind in FLASH_KINDS and text:
                shown.append((kind, self._(unquote(text))))
        return shown

    def _unread(self) -> int:
        if self.user is None:
            return 0
        return notifications.unread_count(self.db, user=self.user)


def portal(request: Request, db: SessionDep, actor: CurrentActor) -> Portal:
    return Portal(request=request, db=db, user=actor, locale=i18n.negotiate(request))


PortalDep = Annotated[Portal, Depends(portal)]


def safe_next(target: str) -> str:
    """Only same-site paths; anything else (//evil, http://evil, \\evil) goes home."""
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith(("//", "/\\"))
    ):
        return "/"
    return target
