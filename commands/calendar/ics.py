"""iCalendar files: the feeds Outlook and phones subscribe to, and Outlook/SharePoint exports
imported with ``lacznik events import``.

Feeds are Outlook-friendly: ``METHOD:PUBLISH``, a compact Europe/Warsaw VTIMEZONE, times in
that zone, a UID stable per event, SEQUENCE raised on every change, ``STATUS:CANCELLED`` for
cancelled events, moved occurrences as RECURRENCE-ID components.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import icalendar

from commands.calendar.dates import utc
from commands.calendar.occurrences import master_component, override_component
from commands.calendar.recurrence import RecurrenceError, check_rule
from commands.clock import WARSAW
from commands.texts import t
from store.calendar_models import CalendarStatus, Deadline, Event, EventOverride

PRODID = "-//Łącznik//Kalendarz forów Metropolii//PL"
_URL = re.compile(r"https?://[^\s<>\"']+")
_TEAMS = re.compile(r"https://teams\.microsoft\.com/l/meetup-join/[^\s<>\"']+")

# The EU rule, as Outlook writes it: compact and valid for every year.
_WARSAW_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Warsaw
X-LIC-LOCATION:Europe/Warsaw
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""


# --- export ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """An event with what its VEVENT shows besides the event row."""

    event: Event
    overrides: tuple[EventOverride, ...]
    forum_key: str
    forum_name: str
    organiser_name: str = ""
    organiser_email: str = ""


@dataclass(frozen=True, slots=True)
class FeedDeadline:
    """A deadline with its forum's name."""

    deadline: Deadline
    forum_key: str = ""
    forum_name: str = ""


def materials_of(text: str) -> list[str]:
    """Material links stored one per line."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def build_calendar(*, name: str, events: Iterable[FeedEvent],
                   deadlines: Iterable[FeedDeadline], now: datetime, lang: str) -> bytes:
    """A whole VCALENDAR as bytes (CRLF lines, folded at 75 octets)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Warsaw")
    calendar.add("x-published-ttl", "PT1H")
    calendar.add_component(icalendar.Timezone.from_ical(_WARSAW_VTIMEZONE.replace("\n", "\r\n")))
    for item in events:
        for component in event_components(item, now=now, lang=lang):
            calendar.add_component(component)
    for deadline in deadlines:
        calendar.add_component(deadline_component(deadline, now=now, lang=lang))
    return calendar.to_ical()


def event_components(item: FeedEvent, *, now: datetime, lang: str) -> list[icalendar.Event]:
    """The event's VEVENT and one per moved occurrence."""
    event = item.event
    master = master_component(event)
    _describe(master, item, now=now, lang=lang)
    components = [master]
    if event.rrule:
        for override in item.overrides:
            component = override_component(event, override)
            _describe(component, item, now=now, lang=lang)
            components.append(component)
    return components


def _describe(component: icalendar.Event, item: FeedEvent, *, now: datetime, lang: str) -> None:
    event = item.event
    component.add("dtstamp", utc(now))
    component.add("created", utc(event.created_at))
    component.add("last-modified", utc(event.updated_at))
    component.add("sequence", event.sequence)
    cancelled = event.status == CalendarStatus.CANCELLED.value
    component.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    component.add("transp", "OPAQUE")
    component.add("categories", [item.forum_key])
    component.add("x-lacznik-forum", item.forum_key)
    if "LOCATION" not in component and event.online_url:
        component.add("location", event.online_url)
    if event.online_url:
        component.add("url", event.online_url)
        if _TEAMS.match(event.online_url):
            component.add("x-microsoft-skypeteamsmeetingurl", event.online_url)
    lines = [event.description] if event.description else []
    lines.append(t(lang, "ics.forum", forum=item.forum_name))
    if event.online_url:
        lines.append(t(lang, "ics.link", url=event.online_url))
    materials = materials_of(event.materials)
    if materials:
        lines.append(t(lang, "ics.materials", links="\n".join(materials)))
    component.add("description", "\n\n".join(lines))
    if event.description:
        # VALUE=TEXT makes the X- property escaped like DESCRIPTION (newlines as \n) and read
        # back unescaped; without it icalendar writes it raw and refuses a multi-line one.
        component.add("x-lacznik-description", icalendar.vText(event.description),
                      parameters={"VALUE": "TEXT"})
    for link in materials:
        component.add("attach", link)
    if item.organiser_email:
        organizer = icalendar.vCalAddress(f"mailto:{item.organiser_email}")
        if item.organiser_name:
            organizer.params["cn"] = icalendar.vText(item.organiser_name)
        component.add("organizer", organizer)


def deadline_component(item: FeedDeadline, *, now: datetime, lang: str) -> icalendar.Event:
    """A deadline as a zero-length, free (transparent) VEVENT."""
    deadline = item.deadline
    component = icalendar.Event()
    component.add("uid", deadline.uid)
    component.add("dtstamp", utc(now))
    component.add("summary", t(lang, "ics.deadline", title=deadline.title))
    due = utc(deadline.due_at).astimezone(WARSAW)
    component.add("dtstart", due)
    component.add("dtend", due)
    component.add("transp", "TRANSPARENT")
    component.add("sequence", deadline.sequence)
    component.add("last-modified", utc(deadline.updated_at))
    cancelled = deadline.status == CalendarStatus.CANCELLED.value
    component.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    lines = [deadline.description] if deadline.description else []
    if item.forum_name:
        lines.append(t(lang, "ics.forum", forum=item.forum_name))
        component.add("categories", [item.forum_key])
    if lines:
        component.add("description", "\n\n".join(lines))
    return component


# --- import ----------------------------------------------------------------------------------


class IcsError(ValueError):
    """The file is not a calendar at all: nothing can be imported."""


@dataclass(frozen=True, slots=True)
class ImportedOverride:
    """A moved or cancelled occurrence from the file."""

    recurrence_id: datetime
    start: datetime
    end: datetime
    title: str
    location: str
    cancelled: bool


@dataclass(slots=True)
class ImportedEvent:
    """One event read from the file, ready to store (times in UTC)."""

    uid: str
    title: str
    start: datetime
    end: datetime
    all_day: bool
    forum_key: str
    description: str = ""
    location: str = ""
    online_url: str = ""
    materials: list[str] = field(default_factory=list)
    rrule: str = ""
    exdates: list[datetime] = field(default_factory=list)
    overrides: list[ImportedOverride] = field(default_factory=list)
    sequence: int = 0
    cancelled: bool = False
    organiser_email: str = ""

    @property
    def label(self) -> str:
        """How reports name it: "Forum PZP" (2026-12-01)."""
        return f"\"{self.title}\" ({self.start.astimezone(WARSAW):%Y-%m-%d})"


@dataclass(frozen=True, slots=True)
class IcsProblem:
    """Something in the file that was not imported, and why (English, for the CLI)."""

    what: str
    reason: str


@dataclass(slots=True)
class ParsedCalendar:
    """What a file holds: events to import, parts skipped (with reasons), parts ignored."""

    events: list[ImportedEvent] = field(default_factory=list)
    skipped: list[IcsProblem] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)


_IGNORED_PROPERTIES = {
    "ATTENDEE": "attendee lists (ATTENDEE): invitees are the forum's members",
    "RESOURCES": "resources (RESOURCES)",
    "CLASS": "privacy classes (CLASS)",
    "PRIORITY": "priorities (PRIORITY)",
}
_UNSUPPORTED_COMPONENTS = {
    "VTODO": "tasks (VTODO) are not supported",
    "VJOURNAL": "journal entries (VJOURNAL) are not supported",
    "VFREEBUSY": "free/busy blocks (VFREEBUSY) are not supported",
    "VAVAILABILITY": "availability blocks (VAVAILABILITY) are not supported",
}


def parse_ics(data: bytes, *, forum_keys: Iterable[str],
              default_forum: str | None = None) -> ParsedCalendar:
    """Read an .ics file. Raises :class:`IcsError` if it is not an iCalendar file."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        raise IcsError(f"not an iCalendar file: {exc}") from None
    if calendar.name != "VCALENDAR":
        raise IcsError("not an iCalendar file (no VCALENDAR)")
    keys = {k.upper(): k for k in forum_keys}
    result = ParsedCalendar()
    masters: dict[str, ImportedEvent] = {}
    overrides: list[icalendar.Component] = []
    cancel_all = str(calendar.get("METHOD", "")).upper() == "CANCEL"
    for component in calendar.subcomponents:
        name = str(component.name)
        if name == "VTIMEZONE":
            continue
        if name in _UNSUPPORTED_COMPONENTS:
            summary = str(component.get("SUMMARY", "")) or name
            result.skipped.append(IcsProblem(f"{name} \"{summary}\"",
                                             _UNSUPPORTED_COMPONENTS[name]))
            continue
        if name != "VEVENT":
            result.skipped.append(IcsProblem(name, f"{name} components are not supported"))
            continue
        _note_ignored(component, result)
        if component.get("RECURRENCE-ID") is not None:
            overrides.append(component)
            continue
        try:
            event = _event(component, keys, default_forum, cancel_all)
        except _Skip as skip:
            result.skipped.append(IcsProblem(skip.what, skip.reason))
            continue
        if event.uid in masters:
            result.skipped.append(IcsProblem(event.label, f"UID {event.uid} appears twice"))
            continue
        masters[event.uid] = event
    for component in overrides:
        uid = str(component.get("UID", ""))
        master = masters.get(uid)
        what = f"moved occurrence \"{component.get('SUMMARY', '')}\""
        if master is None or not master.rrule:
            result.skipped.append(IcsProblem(what, "its recurring event is not in the file"))
            continue
        try:
            master.overrides.append(_override(component))
        except _Skip as skip:
            result.skipped.append(IcsProblem(what, skip.reason))
    result.events = list(masters.values())
    return result


class _Skip(Exception):
    def __init__(self, what: str, reason: str) -> None:
        super().__init__(reason)
        self.what = what
        self.reason = reason


def _note_ignored(component: icalendar.Component, result: ParsedCalendar) -> None:
    for sub in component.subcomponents:
        if sub.name == "VALARM":
            result.ignored["alarms (VALARM): Łącznik sends its own reminders"] += 1
        else:
            result.ignored[f"{sub.name} inside events"] += 1
    for prop, label in _IGNORED_PROPERTIES.items():
        if component.get(prop) is not None:
            result.ignored[label] += 1


def _when(value: object) -> tuple[datetime, bool]:
    """A DTSTART/DTEND/RECURRENCE-ID value → (UTC moment, whole day?)."""
    moment = getattr(value, "dt", value)
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=WARSAW)  # floating time: Warsaw
        return moment.astimezone(UTC), False
    if isinstance(moment, date):
        return datetime.combine(moment, time(0, 0), WARSAW).astimezone(UTC), True
    raise ValueError("not a date")


def _event(component: icalendar.Component, keys: dict[str, str], default_forum: str | None,
           cancel_all: bool) -> ImportedEvent:
    title = str(component.get("SUMMARY", "")).strip()
    uid = str(component.get("UID", "")).strip()
    what = f"\"{title or '(no title)'}\""
    if component.get("DTSTART") is None:
        raise _Skip(what, "no start (DTSTART)")
    try:
        start, all_day = _when(component["DTSTART"])
    except ValueError:
        raise _Skip(what, "unreadable start (DTSTART)") from None
    what = f"{what} ({start.astimezone(WARSAW):%Y-%m-%d})"
    if not uid:
        raise _Skip(what, "no UID")
    if not title:
        raise _Skip(what, "no title (SUMMARY)")
    end = _end(component, start, all_day, what)
    if component.get("RDATE") is not None:
        raise _Skip(what, "extra dates (RDATE) are not supported; nothing of this event was "
                    "imported")
    if component.get("EXRULE") is not None:
        raise _Skip(what, "exclusion rules (EXRULE) are not supported")
    rrule = ""
    if component.get("RRULE") is not None:
        rule = component["RRULE"]
        rule = rule[0] if isinstance(rule, list) else rule
        text = rule.to_ical()
        rrule = text.decode() if isinstance(text, bytes) else text
        try:
            check_rule(rrule)
        except RecurrenceError:
            raise _Skip(what, f"recurrence {rrule!r} is not supported (at most daily)") from None
    forum = _forum(component, keys, default_forum)
    if forum is None:
        raise _Skip(what, "no forum: give --forum KEY or a category naming a forum")
    if component.get("X-LACZNIK-FORUM") is not None:  # our own export: the raw description
        # written with VALUE=TEXT, so icalendar unescapes it (older exports: one raw line)
        description = str(component.get("X-LACZNIK-DESCRIPTION", "")).strip()
    else:
        description = str(component.get("DESCRIPTION", "")).strip()
    location = str(component.get("LOCATION", "")).strip()
    online = _online_url(component, description, location)
    if location == online:
        location = ""
    materials = [str(a) for a in _as_list(component.get("ATTACH"))
                 if str(a).startswith(("http://", "https://"))]
    status = str(component.get("STATUS", "")).upper()
    organizer = str(component.get("ORGANIZER", ""))
    exdates = [_when(value)[0] for prop in _as_list(component.get("EXDATE"))
               for value in getattr(prop, "dts", [prop])]
    return ImportedEvent(
        uid=uid[:255], title=title[:300], start=start, end=end, all_day=all_day,
        forum_key=forum, description=description, location=location[:500],
        online_url=online[:1000], materials=materials, rrule=rrule, exdates=exdates,
        sequence=int(component.get("SEQUENCE", 0) or 0),
        cancelled=cancel_all or status == "CANCELLED",
        organiser_email=organizer.removeprefix("mailto:").removeprefix("MAILTO:").lower(),
    )


def _end(component: icalendar.Component, start: datetime, all_day: bool, what: str) -> datetime:
    if component.get("DTEND") is not None:
        try:
            end, _ = _when(component["DTEND"])
        except ValueError:
            raise _Skip(what, "unreadable end (DTEND)") from None
    elif component.get("DURATION") is not None:
        # icalendar parses DURATION as vDDDTypes; only a repeated one (a list) has no .dt.
        length = getattr(component["DURATION"], "dt", None)
        if not isinstance(length, timedelta):
            raise _Skip(what, "unreadable duration (DURATION)")
        end = start + length
    else:  # RFC 5545: a whole day lasts the day, a moment lasts no time
        end = start + (timedelta(days=1) if all_day else timedelta(0))
    if end < start:
        raise _Skip(what, "ends before it starts")
    return end


def _forum(component: icalendar.Component, keys: dict[str, str],
           default_forum: str | None) -> str | None:
    own = str(component.get("X-LACZNIK-FORUM", "")).upper()
    if own in keys:
        return keys[own]
    for prop in _as_list(component.get("CATEGORIES")):
        for category in getattr(prop, "cats", [prop]):
            if str(category).strip().upper() in keys:
                return keys[str(category).strip().upper()]
    return default_forum


def _online_url(component: icalendar.Component, description: str, location: str) -> str:
    for prop in ("X-MICROSOFT-SKYPETEAMSMEETINGURL", "X-MICROSOFT-ONLINEMEETINGCONFLINK",
                 "X-GOOGLE-CONFERENCE", "URL"):
        value = str(component.get(prop, "")).strip()
        if value.startswith(("http://", "https://")):
            return value
    for text in (location, description):
        found = _TEAMS.search(text) or (_URL.fullmatch(text) if text == location else None)
        if found:
            return found.group(0)
    return ""


def _override(component: icalendar.Component) -> ImportedOverride:
    recurrence_id, all_day = _when(component["RECURRENCE-ID"])
    if component.get("DTSTART") is not None:
        start, _ = _when(component["DTSTART"])
    else:
        start = recurrence_id
    end = _end(component, start, all_day, "moved occurrence")
    return ImportedOverride(
        recurrence_id=recurrence_id, start=start, end=end,
        title=str(component.get("SUMMARY", "")).strip()[:300],
        location=str(component.get("LOCATION", "")).strip()[:500],
        cancelled=str(component.get("STATUS", "")).upper() == "CANCELLED",
    )


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
