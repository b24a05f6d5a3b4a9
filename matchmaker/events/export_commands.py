"""`matchmaker` commands of this area, registered on the CLI by `register`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to `app` (the `matchmaker events` group or the root)."""
