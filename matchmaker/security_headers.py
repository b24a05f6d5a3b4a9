"""Security headers on every response: a strict Content-Security-Policy and its companions.

The portal has no inline scripts or styles (docs/portal.md), so the policy allows only the
site's own files. The one exception is the Swagger UI page at /api/docs, which FastAPI
builds from a CDN with one inline script: that page gets a policy naming the CDN and the
SHA-256 hash of exactly the inline script it sends, so still no 'unsafe-inline' for scripts.
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000; includeSubDomains"
DOCS_PATHS = frozenset({"/api/docs", "/docs/oauth2-redirect"})
DOCS_CDN = "https://cdn.jsdelivr.net"
DOCS_IMAGES = "https://fastapi.tiangolo.com"  # the favicon FastAPI links to

_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": PERMISSIONS_POLICY,
}


def docs_policy(body: bytes) -> str:
    """The policy for the Swagger UI page: its CDN, and the hashes of its inline scripts."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(body)
    )
    return (
        f"default-src 'self'; script-src 'self' {DOCS_CDN} {hashes}; "
        # Swagger UI sets style attributes on its elements: 'unsafe-inline' for styles only.
        f"style-src 'self' {DOCS_CDN} 'unsafe-inline'; img-src 'self' data: {DOCS_IMAGES}; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


class SecurityHeadersMiddleware:
    """Pure ASGI middleware (no buffering), so streamed responses such as SSE keep flowing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        if scope.get("path") in DOCS_PATHS:
            await self.app(scope, receive, _DocsPage(send, https))
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                _add_headers(message, https)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _DocsPage:
    """Holds back the (small, unstreamed) docs page to hash its inline script."""

    def __init__(self, send: Send, https: bool) -> None:
        self.send = send
        self.https = https
        self.start: Message | None = None
        self.body = b""

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
            return
        if message["type"] != "http.response.body" or self.start is None:
            await self.send(message)
            return
        self.body += message.get("body", b"")
        if message.get("more_body", False):
            return
        _add_headers(self.start, self.https, docs_policy(self.body))
        await self.send(self.start)
        await self.send({"type": "http.response.body", "body": self.body})


def _add_headers(message: Message, https: bool, policy: str | None = None) -> None:
    """Add each header unless the route already chose its own value."""
    headers = MutableHeaders(scope=message)
    for name, value in HEADERS.items():
        headers.setdefault(name, value)
    if policy is not None:
        headers["Content-Security-Policy"] = policy
    if https:
        headers.setdefault("Strict-Transport-Security", HSTS)
