"""`matchmaker events schedule` and `matchmaker events agenda`: the schedule from a terminal."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from matchmaker.cli_common import fail, session
from matchmaker.db import utcnow
from matchmaker.errors import DomainError
from matchmaker.events import agenda as agendas
from matchmaker.events import agenda_ics, agenda_pdf
from matchmaker.events.meeting_views import load_event, of_enterprise
from matchmaker.i18n import LOCALES


class AgendaFormat(StrEnum):
    ics = "ics"
    pdf = "pdf"


def register(app: typer.Typer) -> None:
    """Add this area's commands to `app` (the `matchmaker events` group or the root)."""
    app.command("schedule")(schedule_command)
    app.command("agenda")(agenda_command)


def schedule_command(
    event_id: Annotated[str, typer.Argument(help="The event's id")],
) -> None:
    """Place the event's agreed meetings into rounds and tables; prints placed and unplaced."""
    with session() as db:
        try:
            report = agendas.schedule(db, actor=None, event_id=event_id, system=True)
        except DomainError as error:
            raise fail(error.detail) from None
        for view in report.placed:
            meeting = view.meeting
            typer.echo(
                f"placed\t{meeting.id}\tround {(meeting.slot or 0) + 1}\t"
                f"table {(meeting.table or 0) + 1}\t{view.firm.name} ↔ {view.sme.name}"
            )
        for view, reason in report.unplaced:
            typer.echo(f"unplaced\t{view.meeting.id}\t{reason}\t{view.firm.name} ↔ {view.sme.name}")
        exact = "proven optimal" if report.optimal else "best found, not proven optimal"
        typer.echo(
            f"{len(report.placed)} placed, {len(report.unplaced)} unplaced, "
            f"{report.moved} moved ({exact})"
        )


def agenda_command(
    event_id: Annotated[str, typer.Argument(help="The event's id")],
    enterprise: Annotated[str, typer.Option("--enterprise", help="The participant's id")],
    output: Annotated[Path, typer.Option("--output", help="File to write")],
    format: Annotated[AgendaFormat, typer.Option("--format", help="ics or pdf")] = (
        AgendaFormat.pdf
    ),
    locale: Annotated[str, typer.Option("--locale", help="zh_Hans or en")] = "zh_Hans",
) -> None:
    """Write one participant's agenda as an iCalendar or PDF file (contacts included)."""
    if locale not in LOCALES:
        raise fail(f"unknown locale {locale!r}; choose one of {', '.join(LOCALES)}")
    with session() as db:
        try:
            event = load_event(db, event_id)
            views = of_enterprise(db, event.id, enterprise)
            agenda = agendas.build_agenda(db, None, event, enterprise, views)
        except DomainError as error:
            raise fail(error.detail) from None
        if format is AgendaFormat.ics:
            body = agenda_ics.render(agenda, locale=locale, now=utcnow())
        else:
            body = agenda_pdf.render(agenda, locale=locale, now=utcnow())
    output.write_bytes(body)
    typer.echo(f"wrote {len(agenda.entries)} meeting(s) to {output}")
