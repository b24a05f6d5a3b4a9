"""`matchmaker events ...`: run an event from the command line."""

from __future__ import annotations

import typer

from matchmaker.events import export_commands, meeting_commands, shortlist_commands

events_app = typer.Typer(help="Matchmaking events: create, invite, shortlist, schedule, export.")


def register(app: typer.Typer) -> None:
    shortlist_commands.register(events_app)
    meeting_commands.register(events_app)
    export_commands.register(events_app)
    app.add_typer(events_app, name="events", no_args_is_help=True)
