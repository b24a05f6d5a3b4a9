"""`matchmaker events ...`: run an event from the command line.

The CLI acts for the event's organiser (or, for an event without one, the first admin), so
the same permission checks and rules apply as in the portal.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.accounts.models import User
from matchmaker.cli_common import fail, session, settings
from matchmaker.errors import DomainError
from matchmaker.events import (
    export_commands,
    invitations,
    meeting_commands,
    service,
    shortlist_commands,
)
from matchmaker.events.models import Event
from matchmaker.events.schemas import EventData
from matchmaker.fields import EventStatus, Role
from matchmaker.searchengine.backends import matching_service_for
from matchmaker.validation import validate_as

events_app = typer.Typer(help="Matchmaking events: create, invite, shortlist, schedule, export.")


def operator(db: Session, event_id: str) -> User:
    """Who the CLI acts as for an event: its organiser, else the first admin."""
    event = db.get(Event, event_id)
    if event is None:
        raise fail(f"event {event_id!r} does not exist")
    user = db.get(User, event.organiser_id) if event.organiser_id else None
    if user is None:
        admins = select(User).where(User.role == Role.ADMIN).order_by(User.created_at)
        user = db.scalars(admins).first()
    if user is None:
        raise fail("the event has no organiser and there is no admin to act for it")
    return user


@events_app.command("create")
def create(
    title: Annotated[str, typer.Option(help="Event title")],
    starts_at: Annotated[str, typer.Option(help="Start, Shanghai time: 2027-03-18T09:30")],
    organiser: Annotated[str, typer.Option(help="Email of the organiser who runs it")],
    venue: Annotated[str | None, typer.Option(help="Venue; omit for online")] = None,
    chain: Annotated[list[str] | None, typer.Option(help="Chain id in focus (repeat)")] = None,
    slots: Annotated[int, typer.Option(help="Meeting rounds")] = 9,
    slot_minutes: Annotated[int, typer.Option(help="Minutes per meeting")] = 20,
    tables: Annotated[int, typer.Option(help="Tables at the venue")] = 10,
    shortlist_size: Annotated[int, typer.Option(help="SMEs per need's shortlist")] = 5,
    sme_capacity: Annotated[int, typer.Option(help="Most meetings per SME")] = 3,
    publish: Annotated[bool, typer.Option(help="Publish at once")] = False,
) -> None:
    """Create an event (a draft unless --publish) and print its id."""
    payload = {
        "title": title, "starts_at": starts_at, "venue": venue, "chains": chain or [],
        "slots": slots, "slot_minutes": slot_minutes, "tables": tables,
        "shortlist_size": shortlist_size, "sme_capacity": sme_capacity,
    }  # fmt: skip
    with session() as db:
        user = db.scalar(select(User).where(User.email == organiser))
        if user is None:
            raise fail(f"no user with email {organiser}")
        try:
            data = validate_as(EventData, payload, what="event")
            event = service.create(db, actor=user, data=data)
            if publish:
                service.set_status(db, actor=user, event_id=event.id, status=EventStatus.PUBLISHED)
        except DomainError as error:
            raise fail(error.detail) from None
        typer.echo(event.id)


@events_app.command("invite")
def invite(
    event_id: str,
    need: Annotated[list[str] | None, typer.Option(help="Need id (repeat)")] = None,
    profile: Annotated[list[str] | None, typer.Option(help="SME profile id (repeat)")] = None,
    file: Annotated[Path | None, typer.Option(help="CSV/XLSX list with columns type, id")] = None,
    matching: Annotated[bool, typer.Option(help="Also invite SMEs matching invited needs")] = False,
    min_score: Annotated[int, typer.Option(help="Lowest score for --matching")] = 45,
) -> None:
    """Invite needs and SMEs; each way is all or nothing, and errors name the record."""
    with session() as db:
        actor = operator(db, event_id)
        try:
            done = [service.invite(db, actor=actor, event_id=event_id, need_ids=need or [],
                                   profile_ids=profile or [])]  # fmt: skip
            if file is not None:
                data = file.read_bytes()
                done.append(invitations.invite_from_list(
                    db, actor=actor, event_id=event_id, name=file.name, data=data))  # fmt: skip
            if matching:
                engine = matching_service_for(settings())
                done.append(invitations.invite_by_matching(
                    db, engine, actor=actor, event_id=event_id, min_score=min_score))  # fmt: skip
        except DomainError as error:
            raise fail(error.detail) from None
    needs, smes, skipped = (sum(getattr(d, f) for d in done) for f in ("needs", "smes", "skipped"))
    typer.echo(f"invited {needs} needs and {smes} SMEs ({skipped} already taking part)")


@events_app.command("list")
def list_events() -> None:
    """Every event, one JSON object per line."""
    with session() as db:
        for event in db.scalars(select(Event).order_by(Event.starts_at)):
            row = {"id": event.id, "title": event.title, "status": event.status.value,
                   "starts_at": event.starts_at.astimezone(dt.UTC).isoformat()}  # fmt: skip
            typer.echo(json.dumps(row, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    shortlist_commands.register(events_app)
    meeting_commands.register(events_app)
    export_commands.register(events_app)
    app.add_typer(events_app, name="events", no_args_is_help=True)
