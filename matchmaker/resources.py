"""Where web/ and models/ are: inside the package in a wheel, beside it in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (_PACKAGE / "_bundled" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"matchmaker's {name}/ directory is missing from this installation")


def web_dir() -> Path:
    return _find("web")


def models_dir() -> Path:
    return _find("models")
