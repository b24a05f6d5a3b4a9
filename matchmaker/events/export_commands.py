"""`matchmaker events export`: an event's shortlists or signing run-sheet as a file."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from matchmaker.cli_common import fail, session
from matchmaker.errors import DomainError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from matchmaker.accounts.models import User


class What(StrEnum):
    shortlists = "shortlists"
    runsheet = "runsheet"


class Format(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    pdf = "pdf"


def export_command(
    event_id: Annotated[str, typer.Argument(help="The event's id")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write")],
    what: Annotated[What, typer.Option("--what", help="Which export")] = What.shortlists,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="File format")] = Format.xlsx,
    as_user: Annotated[
        str | None,
        typer.Option("--as", help="Export as this user (email): their permissions and privacy"),
    ] = None,
) -> None:
    """Write an event's shortlists and schedule, or its signing run-sheet (签约清单).

    Without --as the command runs as the system, so every contact detail is included.
    """
    with session() as db:
        actor = _user(db, as_user) if as_user is not None else None
        try:
            content = _render(db, what, fmt.value, actor=actor, event_id=event_id)
        except DomainError as error:
            raise fail(error.detail) from None
    temporary = output.with_name(output.name + ".part")
    temporary.write_bytes(content)
    temporary.replace(output)
    typer.echo(f"wrote the {what.value} of {event_id} to {output}", err=True)


def _user(db: Session, email: str) -> User:
    from sqlalchemy import func, select

    from matchmaker.accounts.models import User

    user = db.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise fail(f"no user with the email {email}")
    return user


def _render(db: Session, what: What, fmt: str, *, actor: User | None, event_id: str) -> bytes:
    from matchmaker.events import exports
    from matchmaker.exports import RUN_SHEETS, SHORTLISTS

    system = actor is None
    if what is What.shortlists:
        shortlists = SHORTLISTS.get(fmt)
        if shortlists is None:
            raise fail(f"the shortlists come as {', '.join(SHORTLISTS.formats)}")
        return shortlists.render(
            exports.shortlists(db, actor=actor, event_id=event_id, system=system)
        )
    run_sheet = RUN_SHEETS.get(fmt)
    if run_sheet is None:
        raise fail(f"the run-sheet comes as {', '.join(RUN_SHEETS.formats)}")
    return run_sheet.render(exports.run_sheet(db, actor=actor, event_id=event_id, system=system))


def register(app: typer.Typer) -> None:
    """Add this area's commands to `app` (the `matchmaker events` group or the root)."""
    app.command("export")(export_command)
