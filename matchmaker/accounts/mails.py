"""The mails the account area sends, written in the reader's language (Chinese by default)."""

from __future__ import annotations

import logging
from email.message import EmailMessage

from matchmaker import i18n
from matchmaker.accounts.models import User
from matchmaker.i18n import N_
from matchmaker.mail import Mailer, MailError, compose

logger = logging.getLogger(__name__)

_GREETING = N_("Hello %(name)s,")
_AUTOMATIC = N_("This mail was sent automatically by the Large–SME matchmaking platform.")


def _body(locale: str, name: str, *paragraphs: str) -> str:
    lines = [i18n.gettext(locale, _GREETING, name=name), *paragraphs]
    lines.append(i18n.gettext(locale, _AUTOMATIC))
    return "\n\n".join(lines) + "\n"


def password_reset(user: User, *, link: str, locale: str = i18n.DEFAULT_LOCALE) -> EmailMessage:
    def _(text: str) -> str:
        return i18n.gettext(locale, text)

    body = _body(
        locale,
        user.display_name,
        _(N_("Someone, probably you, asked to reset the password of your account.")),
        _(N_("Open this link within one hour to choose a new password:")),
        link,
        _(N_("The link works once. If you did not ask for it, ignore this mail.")),
    )
    return compose(to=user.email, subject=_(N_("Reset your password")), body=body)


def account_confirmed(user: User, *, link: str, locale: str = i18n.DEFAULT_LOCALE) -> EmailMessage:
    def _(text: str) -> str:
        return i18n.gettext(locale, text)

    body = _body(
        locale,
        user.display_name,
        _(N_("An administrator has confirmed your account. You can log in now:")),
        link,
    )
    return compose(to=user.email, subject=_(N_("Your account is confirmed")), body=body)


def account_locked(user: User, *, link: str, locale: str = i18n.DEFAULT_LOCALE) -> EmailMessage:
    def _(text: str) -> str:
        return i18n.gettext(locale, text)

    body = _body(
        locale,
        user.display_name,
        _(N_("Your account has been locked for a while after too many failed login attempts.")),
        _(N_("If it was not you, someone may be guessing your password. You can set a new one:")),
        link,
        _(N_("An administrator can also unlock the account.")),
    )
    return compose(to=user.email, subject=_(N_("Your account is locked")), body=body)


def deliver(mailer: Mailer, message: EmailMessage) -> bool:
    """Send after the change is committed; a mail server's trouble never undoes it."""
    try:
        mailer.send(message)
    except MailError:
        logger.exception("could not send %r to %s", message["Subject"], message["To"])
        return False
    return True
