"""External programs some tests drive (LibreOffice, poppler's pdftotext and pdftoppm).

The same rule as the browser tests (tests/e2e/conftest.py): without the program the test
is skipped with the reason shown, unless ``MATCHMAKER_REQUIRE_SERVICES=1`` (CI sets it in
``.ci/run``, which also installs the programs): then it fails.
"""

from __future__ import annotations

import os
import shutil

import pytest


def services_required() -> bool:
    value = os.environ.get("MATCHMAKER_REQUIRE_SERVICES", "").strip().lower()
    return value in {"1", "true", "yes", "on"}


def unavailable(skip_reason: str, required_message: str) -> None:
    """Skip with the reason shown, or fail when CI requires every service."""
    if services_required():
        pytest.fail(required_message, pytrace=False)
    pytest.skip(skip_reason)


def require_program(name: str, package: str) -> str:
    """The program's path; skips (or fails when services are required) if it is missing."""
    path = shutil.which(name)
    if path is None:
        unavailable(
            f"{name} not found: test skipped (apt-get install {package} to run it)",
            f"{name} is required under MATCHMAKER_REQUIRE_SERVICES=1: apt-get install {package}",
        )
    assert path is not None
    return path
