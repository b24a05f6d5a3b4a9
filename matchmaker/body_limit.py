"""Request body size limits, enforced while the body streams in.

A declared `Content-Length` over the limit is refused at the first read, before any of the
body is buffered; a chunked body is counted as it arrives, so a client that lies about (or
omits) its length cannot make the app hold more than the limit in memory. Forms with files
(`multipart/form-data`) get the larger upload limit. The error is raised from `receive` as an
HTTPException, which FastAPI passes through its body parsing, so the usual handlers render it:
problem+json under /api, an error page elsewhere, both naming the limit and its setting.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyTooLarge(HTTPException):
    """413 with the limit and the setting that raises it, for a message that says both."""

    def __init__(self, limit: int, setting: str) -> None:
        self.limit, self.setting = limit, setting
        super().__init__(
            413, f"the request body is larger than {limit} bytes, the limit set by {setting}"
        )


class BodyLimitMiddleware:
    def __init__(self, app: App, *, body_bytes: int, upload_bytes: int) -> None:
        self.app = app
        self.body_bytes = body_bytes
        self.upload_bytes = upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").lower()
        if content_type.startswith(b"multipart/form-data"):
            limit, setting = self.upload_bytes, "MATCHMAKER_MAX_UPLOAD_BYTES"
        else:
            limit, setting = self.body_bytes, "MATCHMAKER_MAX_BODY_BYTES"
        declared = _declared_length(headers.get(b"content-length"))
        received = 0

        async def limited() -> Message:
            nonlocal received
            if declared is not None and declared > limit:
                raise BodyTooLarge(limit, setting)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit, setting)
            return message

        await self.app(scope, limited, send)


def _declared_length(value: bytes | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None  # uvicorn refuses a malformed length before the app sees it
