"""A personal agenda as an iCalendar file (RFC 5545), written by hand: one VEVENT per meeting.

Times are UTC with the Z suffix, so every calendar shows them in its own zone (Shanghai for
our users); lines end in CRLF and are folded at 75 octets without splitting a character.
"""

from __future__ import annotations

from datetime import UTC, datetime

from matchmaker.events.agenda import Agenda, AgendaEntry
from matchmaker.i18n import N_, gettext

PRODID = "-//matchmaker//event agenda//ZH"
SUMMARY = N_("Meeting: %(counterpart)s")
TABLE = N_("Table %(n)s")
NEED = N_("Need")
PROFILE = N_("Capability profile")
CONTACT = N_("Contact")
CONTENT_TYPE = "text/calendar; charset=utf-8"


def escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11)."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into parts of at most 75 octets, continued with a space."""
    parts: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode())
        if size + width > 75:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def render(agenda: Agenda, *, locale: str, now: datetime, host: str = "matchmaker") -> bytes:
    """The calendar of the placed meetings; unplaced ones have no time and are left out."""
    event = agenda.event
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(event.title + ' · ' + agenda.enterprise.name)}",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    for entry in agenda.entries:
        if entry.start is not None and entry.end is not None:
            lines += _vevent(entry, entry.start, entry.end, agenda, locale, now, host)
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode()


def _vevent(
    entry: AgendaEntry,
    start: datetime,
    end: datetime,
    agenda: Agenda,
    locale: str,
    now: datetime,
    host: str,
) -> list[str]:
    def _(message: str, **values: object) -> str:
        return gettext(locale, message, **values)

    meeting = entry.view.meeting
    table = (meeting.table or 0) + 1
    summary = _(SUMMARY, counterpart=entry.counterpart.name)
    where = ", ".join(x for x in (agenda.event.venue, _(TABLE, n=table)) if x)
    details = [f"{_(NEED)}: {entry.view.need.title}", f"{_(PROFILE)}: {entry.view.profile.title}"]
    if entry.contact is not None:
        contact = " ".join(
            x for x in (entry.contact.name, entry.contact.phone, entry.contact.email) if x
        )
        details.append(f"{_(CONTACT)}: {contact}")
    return [
        "BEGIN:VEVENT",
        f"UID:{meeting.id}@{host}",
        f"DTSTAMP:{stamp(now)}",
        f"DTSTART:{stamp(start)}",
        f"DTEND:{stamp(end)}",
        f"SUMMARY:{escape(summary)}",
        f"LOCATION:{escape(where)}",
        f"DESCRIPTION:{escape(chr(10).join(details))}",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]
