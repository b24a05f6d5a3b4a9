"""HTML pages of this area; handlers stay thin and call the services."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
