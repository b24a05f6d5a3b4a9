"""Domain errors: services raise these; one handler decides how each looks (problem+json, page)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class Unauthorized(DomainError):
    status = 401
    title = "Authentication required"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class InvalidState(DomainError):
    status = 409
    title = "Invalid state"


class ValidationFailed(DomainError):
    status = 422
    title = "Validation failed"


class RetryLater(DomainError):
    """Refused for now: the response carries Retry-After, and the detail is a catalogue
    message, shown to a visitor in their language."""

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class TooManyRequests(RetryLater):
    status = 429
    title = "Too many requests"


class ServiceUnavailable(RetryLater):
    """A backend the feature needs (the search engine) is away; the rest of the app works,
    and the client may try again after `retry_after` seconds."""

    status = 503
    title = "Service unavailable"
