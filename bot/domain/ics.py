"""Calendar files (.ics) for events, made with icalendar.

Date ranges become all-day events (DTEND is exclusive in iCalendar, so the day after
the last day); a known time becomes a timed event in Europe/Moscow.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.store.base import EventRow

DEFAULT_DURATION = dt.timedelta(hours=2)


def event_ics(event: EventRow, tz: ZoneInfo) -> bytes:
    # Imported here, not at the top: a calendar file is asked for rarely, and icalendar
    # (with its dependencies) is a noticeable part of `ask` and `chat` start-up.
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//family-support-bot//ru")
    cal.add("version", "2.0")
    item = Event()
    item.add("uid", f"event-{event.id}@family-support-bot")
    item.add("summary", event.title)
    item.add("dtstamp", dt.datetime.now(dt.UTC))
    if event.time:
        start = dt.datetime.combine(event.start, dt.time.fromisoformat(event.time), tzinfo=tz)
        item.add("dtstart", start)
        item.add("dtend", start + DEFAULT_DURATION)
    else:
        item.add("dtstart", event.start)
        item.add("dtend", event.end + dt.timedelta(days=1))
    if event.place:
        item.add("location", event.place)
    description = [event.sentence]
    if event.source_url:
        description.append(f"Источник: {event.source_url}")
        item.add("url", event.source_url)
    item.add("description", "\n".join(description))
    cal.add_component(item)
    return cal.to_ical()


def ics_filename(event: EventRow) -> str:
    return f"event-{event.id}-{event.start.isoformat()}.ics"
