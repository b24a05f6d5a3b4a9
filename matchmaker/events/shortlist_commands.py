"""`matchmaker events shortlist EVENT_ID`: build an event's shortlists and print them."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from matchmaker.cli_common import fail, session, settings
from matchmaker.errors import DomainError

if TYPE_CHECKING:
    from matchmaker.events.shortlists import NeedShortlist, Overview, Row


class ShortlistFormat(StrEnum):
    table = "table"
    json = "json"


def shortlist_command(
    event_id: Annotated[str, typer.Argument(help="The event's id")],
    format: Annotated[
        ShortlistFormat, typer.Option("--format", help="Output format")
    ] = ShortlistFormat.table,
) -> None:
    """Build (or rebuild) every shortlist of an event, keeping the organiser's pins and
    removals, and print them: best SME first, within each SME's capacity."""
    from matchmaker.events import shortlists
    from matchmaker.searchengine.backends import matching_service_for

    matching = matching_service_for(settings())
    with session() as db:
        try:
            result = shortlists.build(db, matching, actor=None, event_id=event_id, system=True)
        except DomainError as error:
            raise fail(error.detail) from None
        if format is ShortlistFormat.json:
            typer.echo(json.dumps(as_json(result), ensure_ascii=False, indent=1))
        else:
            typer.echo(as_table(result))


def _row_json(row: Row) -> dict[str, Any]:
    from matchmaker.matching.wording import sentences

    return {
        "rank": row.entry.rank,
        "profile_id": row.profile.id,
        "profile": row.profile.title,
        "enterprise_id": row.enterprise.id,
        "enterprise": row.enterprise.name,
        "score": row.entry.score,
        "band": row.band,
        "pinned": row.entry.pinned,
        "reasons": sentences(row.reasons),
    }


def _need_json(shortlist: NeedShortlist) -> dict[str, Any]:
    return {
        "need_id": shortlist.need.id,
        "need": shortlist.need.title,
        "firm": shortlist.firm.name,
        "size": shortlist.size,
        "shortlist": [_row_json(row) for row in shortlist.rows],
        "removed": [row.profile.id for row in shortlist.removed],
    }


def as_json(result: Overview) -> dict[str, Any]:
    return {
        "event_id": result.event.id,
        "total": result.total,
        "needs": [_need_json(shortlist) for shortlist in result.needs],
    }


def as_table(result: Overview) -> str:
    lines = [f"{result.event.id}  {result.event.title}  total score {result.total:g}"]
    for shortlist in result.needs:
        lines.append("")
        lines.append(f"{shortlist.need.id}  {shortlist.need.title}  ({shortlist.firm.name})")
        if not shortlist.rows:
            lines.append("  —")
        for row in shortlist.rows:
            mark = "  pinned" if row.entry.pinned else ""
            lines.append(
                f"  {row.entry.rank:>2}. {row.entry.score:>3.0f} {row.band}  "
                f"{row.profile.title} · {row.enterprise.name} [{row.profile.id}]{mark}"
            )
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add this area's commands to `app` (the `matchmaker events` group or the root)."""
    app.command("shortlist")(shortlist_command)
