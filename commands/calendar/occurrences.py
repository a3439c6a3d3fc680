"""Occurrences of events: a recurring event expanded the way calendar programs expand it.

Expansion goes through the very iCalendar components that the .ics feeds publish (with
``recurring-ical-events``), so reminders and the calendars people subscribe to never disagree.
Rules are expanded in Europe/Warsaw: a meeting at 9:00 stays at 9:00 across DST changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import recurring_ical_events

from commands.calendar.dates import stamp, utc
from commands.clock import WARSAW
from store.calendar_models import Event, EventOverride


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One meeting of an event. ``recurrence_id`` is its original start (its identity, kept
    when the occurrence is moved)."""

    event_id: int
    recurrence_id: datetime
    start: datetime
    end: datetime
    title: str
    location: str
    all_day: bool = False
    moved: bool = False

    @property
    def key(self) -> str:
        """A compact identity for outbox keys and buttons."""
        return stamp(self.recurrence_id)


def exdate_list(event: Event) -> list[datetime]:
    """Cancelled occurrences of ``event`` (UTC)."""
    return [datetime.strptime(x, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            for x in event.exdates.split() if x]


def exdate_text(moments: Iterable[datetime]) -> str:
    """Store cancelled occurrences (sorted, unique)."""
    return " ".join(sorted({utc(m).strftime("%Y%m%dT%H%M%SZ") for m in moments}))


def ical_moment(moment: datetime, all_day: bool) -> datetime | date:
    """A stored UTC moment as iCalendar wants it: Warsaw time, or a date for whole days."""
    value = utc(moment).astimezone(WARSAW)
    return value.date() if all_day else value


def master_component(event: Event) -> icalendar.Event:
    """The event's main VEVENT with what expansion needs (UID, times, rule, exceptions)."""
    component = icalendar.Event()
    component.add("uid", event.uid)
    component.add("summary", event.title)
    component.add("dtstart", ical_moment(event.starts_at, event.all_day))
    component.add("dtend", ical_moment(event.ends_at, event.all_day))
    if event.location:
        component.add("location", event.location)
    if event.rrule:
        component.add("rrule", icalendar.vRecur.from_ical(event.rrule))
        exdates = exdate_list(event)
        if exdates:
            component.add("exdate", [ical_moment(x, event.all_day) for x in exdates])
    return component


def override_component(event: Event, override: EventOverride) -> icalendar.Event:
    """A moved occurrence (RECURRENCE-ID)."""
    component = icalendar.Event()
    component.add("uid", event.uid)
    component.add("recurrence-id", ical_moment(override.recurrence_id, event.all_day))
    component.add("summary", override.title or event.title)
    component.add("dtstart", ical_moment(override.starts_at, event.all_day))
    component.add("dtend", ical_moment(override.ends_at, event.all_day))
    location = override.location or event.location
    if location:
        component.add("location", location)
    return component


def _moment(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # floating time: taken as Warsaw time
            value = value.replace(tzinfo=WARSAW)
        return value.astimezone(UTC)
    return datetime.combine(value, time(0, 0), WARSAW).astimezone(UTC)


def first_recurrence_id(event: Event) -> datetime:
    """The identity of ``event``'s first occurrence (its start as the expansion reads it; a
    one-off event's only occurrence)."""
    return _moment(ical_moment(event.starts_at, event.all_day))


def event_occurrences(event: Event, overrides: Iterable[EventOverride], since: datetime,
                      until: datetime) -> list[Occurrence]:
    """Occurrences of ``event`` that have not ended by ``since`` and start before ``until``,
    soonest first."""
    assert event.id is not None
    calendar = icalendar.Calendar()
    calendar.add_component(master_component(event))
    moved = {stamp(o.recurrence_id) for o in overrides}
    if event.rrule:
        for override in overrides:
            calendar.add_component(override_component(event, override))
    window_start = utc(since).astimezone(WARSAW) - timedelta(days=1)
    window_end = utc(until).astimezone(WARSAW)
    found: list[Occurrence] = []
    for component in recurring_ical_events.of(calendar).between(window_start, window_end):
        start = _moment(component["DTSTART"].dt)
        end = _moment(component["DTEND"].dt) if component.get("DTEND") else start
        recurrence = component.get("RECURRENCE-ID")
        recurrence_id = _moment(recurrence.dt) if recurrence is not None else start
        if end <= utc(since) or start >= utc(until):
            continue
        found.append(Occurrence(
            event_id=event.id, recurrence_id=recurrence_id, start=start, end=end,
            title=str(component.get("SUMMARY", event.title)),
            location=str(component.get("LOCATION", "")), all_day=event.all_day,
            moved=stamp(recurrence_id) in moved,
        ))
    return sorted(found, key=lambda o: (o.start, o.recurrence_id))


def next_occurrence(event: Event, overrides: Iterable[EventOverride], now: datetime,
                    within: timedelta = timedelta(days=800)) -> Occurrence | None:
    """The next occurrence that has not ended yet (within ``within``).

    Looked for in growing windows: expanding a daily rule over 800 days takes ~100 ms, and
    the next meeting of a repeating event is nearly always within days. The first window
    that holds an occurrence holds the soonest one, so the answer is the same.
    """
    changes = list(overrides)
    for span in (timedelta(days=14), timedelta(days=120), within):
        found = event_occurrences(event, changes, now, now + min(span, within))
        if found or span >= within:
            return found[0] if found else None
    return None
