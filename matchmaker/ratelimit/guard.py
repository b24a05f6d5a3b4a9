"""Which attempts are limited and how: sign-in, sign-up and password-reset requests.

Each attempt counts against the client's IP address and against the email address it
names (hashed, so no address is stored in Redis); the first exhausted limit refuses it.
"""

from __future__ import annotations

import hashlib

from fastapi import Request

from matchmaker.config import Settings
from matchmaker.errors import TooManyRequests
from matchmaker.i18n import N_
from matchmaker.ratelimit.base import RateLimiter

TOO_MANY_ATTEMPTS = N_("Too many attempts. Please wait a little and try again.")


def _client_ip(request: Request) -> str:
    """The peer address; behind a proxy run uvicorn with --proxy-headers to see the client."""
    return request.client.host if request.client else "unknown"


def _email_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:32]


def _enforce(limiter: RateLimiter, rules: list[tuple[str, int]], window: int) -> None:
    for key, limit in rules:
        decision = limiter.hit(key, limit, window)
        if not decision.allowed:
            raise TooManyRequests(TOO_MANY_ATTEMPTS, retry_after=decision.retry_after)


def limit_attempt(request: Request, action: str, email: str) -> None:
    """Count one `action` ("login", "signup", "reset") attempt; TooManyRequests when over."""
    settings: Settings = request.app.state.settings
    limiter: RateLimiter = request.app.state.limiter
    ip, who = _client_ip(request), _email_key(email)
    if action == "login":  # per IP and address: one office behind one NAT may sign in freely
        rules = [(f"login:ip:{ip}", settings.login_ip_limit)]
        rules.append((f"login:ip-email:{ip}:{who}", settings.login_limit))
    else:
        limit = settings.signup_limit if action == "signup" else settings.password_reset_limit
        rules = [(f"{action}:ip:{ip}", limit), (f"{action}:email:{who}", limit)]
    _enforce(limiter, rules, settings.rate_limit_window_seconds)
