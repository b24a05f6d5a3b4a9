"""Turning pydantic errors into field errors, and re-validating a record after a patch."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from matchmaker.errors import FieldError, ValidationFailed

M = TypeVar("M", bound=BaseModel)


def field_errors(error: ValidationError, prefix: str = "") -> list[FieldError]:
    """One FieldError per problem, with a dotted field path and pydantic's message."""
    result = []
    for item in error.errors():
        path = ".".join(str(part) for part in item["loc"])
        field = ".".join(part for part in (prefix, path) if part) or "(record)"
        message = item["msg"]
        if message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        result.append(FieldError(field=field, message=message))
    return result


def validate_as(model: type[M], data: dict[str, Any], *, what: str) -> M:
    """Validate `data` as `model` or raise ValidationFailed naming every bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors = field_errors(error)
        summary = "; ".join(f"{e.field}: {e.message}" for e in errors)
        raise ValidationFailed(f"invalid {what}: {summary}", errors=errors) from None


def merged(model: type[M], current: dict[str, Any], changes: dict[str, Any], *, what: str) -> M:
    """Apply the fields a PATCH actually sent, then validate the whole record again."""
    return validate_as(model, {**current, **changes}, what=what)
