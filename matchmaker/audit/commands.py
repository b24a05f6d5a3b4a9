"""`matchmaker audit purge|export`: apply the retention period, write the log as CSV."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from matchmaker.cli_common import session, settings

audit_app = typer.Typer(help="The audit log: purge old events, export it as CSV.")


def purge_command(
    days: Annotated[
        int | None,
        typer.Option(help="Keep this many days (default: MATCHMAKER_AUDIT_RETENTION_DAYS)"),
    ] = None,
) -> None:
    """Delete audit events older than the retention period (the only way events are deleted)."""
    from matchmaker.audit import service

    keep = settings().audit_retention_days if days is None else days
    if keep <= 0:
        typer.echo("retention is 0: audit events are kept forever, nothing purged", err=True)
        return
    with session() as db:
        removed = service.purge(db, retention_days=keep)
    typer.echo(f"purged {removed} audit event(s) older than {keep} days", err=True)


def export_command(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout)")
    ] = None,
    action: Annotated[str, typer.Option(help="Only this action code")] = "",
    actor: Annotated[str, typer.Option(help="Only events by this user id")] = "",
    since: Annotated[str, typer.Option(help="From this day (YYYY-MM-DD)")] = "",
    until: Annotated[str, typer.Option(help="Up to and including this day")] = "",
) -> None:
    """Write the audit log as CSV, oldest first; the export is itself recorded."""
    from matchmaker.audit import actions, filters, service

    chosen = filters.from_query(action, actor, since, until)
    with session() as db:
        stream = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
        try:
            for chunk in service.csv_rows(db, chosen):
                stream.write(chunk)
        finally:
            if output:
                stream.close()
        service.record_now(db, None, actions.AUDIT_EXPORTED, ("audit", "cli"), {"action": action})


def register(app: typer.Typer) -> None:
    audit_app.command("purge")(purge_command)
    audit_app.command("export")(export_command)
    app.add_typer(audit_app, name="audit", no_args_is_help=True)
