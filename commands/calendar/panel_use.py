"""The calendar as the office panel drives it: events and deadlines from form fields (a date
and a time in Warsaw instead of a sentence), the same role rules as in chat, and ICS imports
with a preview limited to the forums the person manages.

Everything goes through :class:`CalendarService` (and :func:`import_calendar`), so the
checks, the reminder planning, the notices to people already reminded and the audit entries
are those of the chat commands. Problems are raised as :class:`PanelProblem` with a text key
(the panel's own ``kalendarz.*`` texts or the shared catalogue) and the form field concerned.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from commands.authz import Act, Actor, Target, may
from commands.calendar.dates import local, utc
from commands.calendar.ics import IcsError, IcsProblem, ParsedCalendar, materials_of, parse_ics
from commands.calendar.importer import ImportSummary, import_calendar
from commands.calendar.occurrences import Occurrence, exdate_list
from commands.calendar.recurrence import RecurrenceError, first_on_or_after, parse_recurrence
from commands.calendar.reminders import PlanReport, deadline_source, event_source
from commands.calendar.service import (
    CalendarError,
    CalendarService,
    ChangeResult,
    DeadlineDraft,
    EventDraft,
)
from commands.clock import WARSAW
from commands.directory.gminy import refusal, resolve_gmina
from commands.directory.language import fold
from commands.directory.service import DirectoryService
from store.calendar import all_forums, done_of, gaps_of
from store.calendar_models import CalendarStatus, Deadline, Event
from store.calendar_panel import events_by_uids, planned_reach
from store.models import Forum, Gmina, Person
from store.people import person_by_email

_URL = re.compile(r"^https?://\S+$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2})?$")
_WHOLE_FORUM = {"forum", "cale forum", "wszyscy", "all", "whole forum", "everyone"}
END_OF_DAY = time(23, 59)  # a deadline given without a time: by the end of that day
# Events (VEVENT blocks, moved meetings included) one .ics file may hold. A year of a busy
# forum's meetings is a few hundred; more is not a calendar export but a load on the server
# (the preview compares every event with the calendar).
MAX_IMPORT_EVENTS = 2000
# The preview compares events with the calendar this many at a time, letting other requests
# in between: the importer works out each recurring event's next meeting on the event loop.
_PREVIEW_CHUNK = 10
_VEVENT = re.compile(rb"^BEGIN:VEVENT[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)


class PanelProblem(ValueError):
    """Something in the form the calendar cannot use: ``key`` is a text key, ``field`` the
    form field it is about ("" for the whole form)."""

    def __init__(self, key: str, *, field: str = "", **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.field = field
        self.values = values


class NotAllowed(PermissionError):
    """The person may not manage this forum's (or the association's) calendar."""


class NotFound(LookupError):
    """No such active event or deadline."""


def may_manage(who: Actor, forum_id: int | None) -> bool:
    """As in chat: a forum's moderators (and admins) manage its events and deadlines;
    deadlines of no forum are for those who may act association-wide."""
    if forum_id is None:
        return may(who, Act.MANAGE_GLOBAL)
    return may(who, Act.MODERATE_FORUM, Target(forum_id=forum_id))


def sees_delivery(who: Actor, forum_id: int | None, organiser_id: int | None) -> bool:
    """Who sees an entry's delivery details (reminders planned and sent, who has no linked
    messenger, whom a deadline names, who reported it done): as "/wydarzenie N" and
    "/termin N" in chat, those who manage it and its organiser."""
    return may_manage(who, forum_id) or (
        who.person_id is not None and who.person_id == organiser_id)


# --- forms -----------------------------------------------------------------------------------


@dataclass(slots=True)
class EventForm:
    """An event as the panel's form gives it (dates "YYYY-MM-DD", times "HH:MM", Warsaw)."""

    forum_id: int | None = None
    title: str = ""
    start_date: str = ""
    start_time: str = ""
    end_date: str = ""
    end_time: str = ""
    all_day: bool = False
    location: str = ""
    online_url: str = ""
    materials: str = ""  # links, one a line
    description: str = ""
    repeat: str = ""  # as in chat: "co tydzień", "pierwszy wtorek miesiąca", "FREQ=…"

    @classmethod
    def of(cls, values: Mapping[str, str]) -> EventForm:
        """Read a submitted form."""
        forum = values.get("forum", "").strip()
        return cls(
            forum_id=int(forum) if forum.isdigit() else None,
            title=values.get("title", "").strip(),
            start_date=values.get("start_date", "").strip(),
            start_time=values.get("start_time", "").strip(),
            end_date=values.get("end_date", "").strip(),
            end_time=values.get("end_time", "").strip(),
            all_day=values.get("all_day", "") in ("1", "on", "true"),
            location=values.get("location", "").strip(),
            online_url=values.get("online_url", "").strip(),
            materials=values.get("materials", "").strip(),
            description=values.get("description", "").strip(),
            repeat=values.get("repeat", "").strip(),
        )

    @classmethod
    def from_event(cls, event: Event) -> EventForm:
        """An event as the edit form shows it."""
        start, end = local(event.starts_at), local(event.ends_at)
        if event.all_day:  # the form names the last day, the row the day after it
            end = end - timedelta(days=1)
        return cls(
            forum_id=event.forum_id, title=event.title, start_date=start.date().isoformat(),
            start_time="" if event.all_day else f"{start:%H:%M}",
            end_date=end.date().isoformat(), end_time="" if event.all_day else f"{end:%H:%M}",
            all_day=event.all_day, location=event.location, online_url=event.online_url,
            materials="\n".join(materials_of(event.materials)),
            description=event.description, repeat=event.rrule,
        )


@dataclass(slots=True)
class DeadlineForm:
    """A deadline as the panel's form gives it."""

    forum_id: int | None = None
    title: str = ""
    due_date: str = ""
    due_time: str = ""
    description: str = ""
    who: str = ""  # gminy and e-mail addresses, comma-separated; "" = the whole forum

    @classmethod
    def of(cls, values: Mapping[str, str]) -> DeadlineForm:
        """Read a submitted form."""
        forum = values.get("forum", "").strip()
        return cls(
            forum_id=int(forum) if forum.isdigit() else None,
            title=values.get("title", "").strip(),
            due_date=values.get("due_date", "").strip(),
            due_time=values.get("due_time", "").strip(),
            description=values.get("description", "").strip(),
            who=values.get("who", "").strip(),
        )

    @classmethod
    def from_deadline(cls, deadline: Deadline) -> DeadlineForm:
        """A deadline as the edit form shows it."""
        due = local(deadline.due_at)
        return cls(forum_id=deadline.forum_id, title=deadline.title,
                   due_date=due.date().isoformat(), due_time=f"{due:%H:%M}",
                   description=deadline.description)


def _day(value: str, field_name: str) -> date:
    if not value:
        raise PanelProblem("kalendarz.error.no_date", field=field_name)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PanelProblem("kalendarz.error.bad_date", field=field_name,
                           text=value[:40]) from None


def _clock(value: str, field_name: str) -> time:
    match = _TIME.match(value)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise PanelProblem("kalendarz.error.bad_time", field=field_name, text=value[:40])
    return time(int(match[1]), int(match[2]))


def _warsaw(day: date, moment: time) -> datetime:
    return utc(datetime.combine(day, moment, WARSAW))


def _link(value: str, field_name: str) -> str:
    if value and not _URL.match(value):
        raise PanelProblem("cal.event.bad_link", field=field_name, link=value[:80])
    return value


def event_draft(form: EventForm, *, now: datetime, duration: timedelta,
                current: Event | None = None) -> EventDraft:
    """Check the form and turn it into a draft (times UTC). A start in the past is refused
    unless it is the one the event already has (a series that began earlier)."""
    if not form.title:
        raise PanelProblem("kalendarz.error.no_title", field="title")
    first_day = _day(form.start_date, "start_date")
    last_day = _day(form.end_date, "end_date") if form.end_date else first_day
    if form.all_day:
        start = _warsaw(first_day, time(0, 0))
        end = _warsaw(last_day + timedelta(days=1), time(0, 0))
    else:
        if not form.start_time:
            raise PanelProblem("kalendarz.error.no_time", field="start_time")
        start = _warsaw(first_day, _clock(form.start_time, "start_time"))
        if form.end_time:
            end = _warsaw(last_day, _clock(form.end_time, "end_time"))
        elif form.end_date and last_day != first_day:
            raise PanelProblem("kalendarz.error.no_end_time", field="end_time")
        else:
            end = start + duration
    if end <= start:
        raise PanelProblem("kalendarz.error.end_before_start",
                           field="end_date" if last_day < first_day else "end_time")
    rule = ""
    if form.repeat:
        try:
            rule = parse_recurrence(form.repeat, now=now)
        except RecurrenceError as error:
            raise PanelProblem(error.key, field="repeat", **error.values) from None
    unchanged = current is not None and utc(current.starts_at) == start
    if rule and not (unchanged and rule == current.rrule if current else False):
        first = first_on_or_after(rule, start)
        if first is None:
            raise PanelProblem("cal.event.rule_never", field="repeat")
        start, end = first, first + (end - start)
    ahead = end > now if form.all_day else start > now
    if not ahead and not unchanged:
        raise PanelProblem("kalendarz.error.past", field="start_date")
    materials = [m for m in re.split(r"[\s,]+", form.materials) if m]
    for link in materials:
        _link(link, "materials")
    exdates: list[datetime] = []
    if current is not None and rule and rule == current.rrule:
        exdates = exdate_list(current)  # meetings cancelled one by one stay cancelled
    return EventDraft(title=form.title[:300], start=start, end=end, all_day=form.all_day,
                      location=form.location[:500], online_url=_link(form.online_url,
                                                                     "online_url")[:1000],
                      materials=materials, rrule=rule, description=form.description,
                      exdates=exdates)


def deadline_due(form: DeadlineForm, *, now: datetime, current: Deadline | None = None
                 ) -> datetime:
    """The moment a deadline form names (by the end of the day if no time), UTC."""
    if not form.title:
        raise PanelProblem("kalendarz.error.no_title", field="title")
    day = _day(form.due_date, "due_date")
    due = _warsaw(day, _clock(form.due_time, "due_time") if form.due_time else END_OF_DAY)
    if due <= now and not (current is not None and utc(current.due_at) == due):
        raise PanelProblem("kalendarz.error.past", field="due_date")
    return due


# --- the use cases ---------------------------------------------------------------------------


@dataclass(slots=True)
class ImportOutcome:
    """What an import does (preview) or did; ``not_allowed``: events of forums the person
    does not manage, left out."""

    summary: ImportSummary
    not_allowed: list[str] = field(default_factory=list)
    # when each event of the file starts and ends, by its label (a label names only the day;
    # two events of one title on one day share a label, hence a list): (start, end UTC ISO,
    # all day)
    times: dict[str, list[tuple[str, str, bool]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PlanOutlook:
    """What reminders an entry has waiting, said truthfully after it is saved: how many,
    for how many people, and if none, why (see :attr:`reason`)."""

    planned: int  # reminder messages waiting in the outbox
    people: int  # distinct people they go to
    recipients: int  # people the entry is for
    unreachable: int  # of them, without a linked messenger
    later: bool  # its first moment lies beyond the planning horizon

    @property
    def reason(self) -> str:
        """"" when reminders wait; else "nobody" (no one to remind), "later" (planned
        nearer the time), "unreachable" (no one has a linked messenger) or "too_late" (no
        reminder moment is still ahead)."""
        if self.planned:
            return ""
        if not self.recipients:
            return "nobody"
        if self.later:
            return "later"
        return "unreachable" if self.unreachable >= self.recipients else "too_late"


class PanelCalendar:
    """The panel's calendar actions; ``actor`` names the person in the audit log."""

    def __init__(self, service: CalendarService, directory: DirectoryService) -> None:
        self.service = service
        self.directory = directory

    async def outlook(self, entry: Event | Deadline, first: datetime | None) -> PlanOutlook:
        """The reminders ``entry`` has waiting now (``first``: its next meeting or due
        moment, None if none is ahead)."""
        reminders = self.service.reminders
        if isinstance(entry, Event):
            source = event_source(int(entry.id or 0))
        else:
            source = deadline_source(int(entry.id or 0))
        async with self.service.db.session() as session:
            reach = await planned_reach(session, source)
            gaps = await gaps_of(session, source)
            if isinstance(entry, Event):
                recipients = await reminders.event_recipients(session, entry)
            else:
                recipients = await reminders.deadline_recipients(session, entry)
                recipients -= set((await done_of(session, [int(entry.id or 0)])).get(
                    int(entry.id or 0), {}))
        later = first is not None and first > self.service.clock.now() + \
            self.service.settings.horizon
        return PlanOutlook(planned=reach.messages, people=reach.people,
                           recipients=len(recipients), unreachable=len(gaps), later=later)

    # --- events -------------------------------------------------------------------------------

    async def create_event(self, who: Actor, actor: str, form: EventForm
                           ) -> tuple[Event, PlanReport]:
        """A new event of a forum the person moderates, with its reminders planned."""
        if form.forum_id is None:
            raise PanelProblem("kalendarz.error.no_forum", field="forum")
        async with self.service.db.session() as session:
            forum = await session.get(Forum, form.forum_id)
        if forum is None:
            raise PanelProblem("kalendarz.error.no_forum", field="forum")
        if not may_manage(who, forum.id):
            raise NotAllowed()
        draft = event_draft(form, now=self.service.clock.now(),
                            duration=self.service.settings.event_duration)
        return await self.service.create_event(forum=forum, draft=draft,
                                               organiser_id=who.person_id, actor=actor)

    async def event(self, event_id: int) -> Event:
        """An event (active or not)."""
        async with self.service.db.session() as session:
            found = await session.get(Event, event_id)
        if found is None:
            raise NotFound()
        return found

    async def _managed_event(self, who: Actor, event_id: int) -> Event:
        found = await self.event(event_id)
        if found.status != CalendarStatus.ACTIVE.value:
            raise NotFound()
        if not may_manage(who, found.forum_id):
            raise NotAllowed()
        return found

    async def change_event(self, who: Actor, actor: str, event_id: int, form: EventForm
                           ) -> ChangeResult | None:
        """Change what the form changes (None if nothing); those already reminded are told."""
        current = await self._managed_event(who, event_id)
        draft = event_draft(form, now=self.service.clock.now(),
                            duration=self.service.settings.event_duration, current=current)
        wanted: dict[str, object] = {
            "title": draft.title, "starts_at": utc(draft.start), "ends_at": utc(draft.end),
            "all_day": draft.all_day, "location": draft.location,
            "online_url": draft.online_url, "materials": "\n".join(draft.materials),
            "rrule": draft.rrule, "description": draft.description,
        }
        updates = {name: value for name, value in wanted.items()
                   if _stored(getattr(current, name)) != _stored(value)}
        if not updates:
            return None
        if "rrule" in updates and not draft.rrule:
            updates["exdates"] = ""

        def apply(row: Event) -> None:
            for name, value in updates.items():
                setattr(row, name, value)

        try:
            return await self.service.change_event(event_id, apply, actor=actor,
                                                   details={"fields": sorted(updates)})
        except CalendarError:
            raise NotFound() from None

    async def cancel_event(self, who: Actor, actor: str, event_id: int) -> int:
        """Cancel every meeting of the event; returns the notices planned for those already
        reminded (as "/wydarzenie N odwołaj")."""
        await self._managed_event(who, event_id)
        try:
            return await self.service.cancel_event(event_id, actor=actor)
        except CalendarError:
            raise NotFound() from None

    async def cancel_meeting(self, who: Actor, actor: str, event_id: int, key: str
                             ) -> tuple[Occurrence, ChangeResult]:
        """Cancel one meeting of a series (``key``: its original start, as reminders name
        it); those already reminded of it are told (as "/wydarzenie N odwołaj DATA")."""
        event = await self._managed_event(who, event_id)
        found = await self.service.occurrence_of(event_id, key) if event.rrule else None
        if found is None or found[1].start <= self.service.clock.now():
            raise NotFound()
        try:
            return found[1], await self.service.cancel_occurrence(event_id, found[1],
                                                                  actor=actor)
        except CalendarError:
            raise NotFound() from None

    # --- deadlines ----------------------------------------------------------------------------

    async def create_deadline(self, who: Actor, actor: str, form: DeadlineForm, lang: str
                              ) -> tuple[Deadline, PlanReport]:
        """A new deadline of a forum (or, for those acting association-wide, of gminy and
        people), with its reminders planned."""
        forum = None
        if form.forum_id is not None:
            async with self.service.db.session() as session:
                forum = await session.get(Forum, form.forum_id)
            if forum is None:
                raise PanelProblem("kalendarz.error.no_forum", field="forum")
        if not may_manage(who, forum.id if forum else None):
            raise NotAllowed()
        due = deadline_due(form, now=self.service.clock.now())
        gminy, people, whole = await self._audience(form.who, lang)
        if forum is None and not (gminy or people):
            raise PanelProblem("kalendarz.error.no_audience", field="who")
        if forum is not None and whole:
            gminy = []
        draft = DeadlineDraft(title=form.title, due=due, description=form.description,
                              gmina_ids=[int(g.id or 0) for g in gminy],
                              person_ids=[int(p.id or 0) for p in people])
        return await self.service.create_deadline(forum=forum, draft=draft,
                                                  organiser_id=who.person_id, actor=actor)

    async def _audience(self, value: str, lang: str) -> tuple[list[Gmina], list[Person], bool]:
        """Gminy and people named in "who" (as in chat's "kto:"); True if the whole forum."""
        gminy: list[Gmina] = []
        people: list[Person] = []
        whole = not value.strip()
        index = await self.directory.index()
        async with self.service.db.session() as session:
            for item in [i.strip() for i in value.split(",") if i.strip()]:
                if fold(item) in _WHOLE_FORUM:
                    whole = True
                elif "@" in item:
                    person = await person_by_email(session, item)
                    if person is None:
                        raise PanelProblem("cal.deadline.unknown_person", field="who",
                                           email=item[:80])
                    people.append(person)
                else:
                    resolution = resolve_gmina(item, index)
                    if resolution.gmina is None:
                        if resolution.found or resolution.outside:
                            raise PanelProblem("kalendarz.error.who", field="who",
                                               text=refusal(resolution, lang))
                        raise PanelProblem("cal.deadline.unknown_who", field="who",
                                           name=item[:60])
                    gmina = await session.get(Gmina, resolution.gmina.id)
                    if gmina is not None:
                        gminy.append(gmina)
        return gminy, people, whole

    async def deadline(self, deadline_id: int) -> Deadline:
        """A deadline (active or not)."""
        async with self.service.db.session() as session:
            found = await session.get(Deadline, deadline_id)
        if found is None:
            raise NotFound()
        return found

    async def _managed_deadline(self, who: Actor, deadline_id: int) -> Deadline:
        found = await self.deadline(deadline_id)
        if found.status != CalendarStatus.ACTIVE.value:
            raise NotFound()
        if not may_manage(who, found.forum_id):
            raise NotAllowed()
        return found

    async def change_deadline(self, who: Actor, actor: str, deadline_id: int,
                              form: DeadlineForm) -> ChangeResult | None:
        """Change the title, moment or description (None if nothing changed)."""
        current = await self._managed_deadline(who, deadline_id)
        due = deadline_due(form, now=self.service.clock.now(), current=current)
        wanted: dict[str, object] = {"title": form.title[:300], "due_at": due,
                                     "description": form.description}
        updates = {name: value for name, value in wanted.items()
                   if _stored(getattr(current, name)) != _stored(value)}
        if not updates:
            return None
        return await self._change_deadline(deadline_id, actor, updates)

    async def _change_deadline(self, deadline_id: int, actor: str,
                               updates: Mapping[str, object], *, cancel: bool = False
                               ) -> ChangeResult:
        def apply(row: Deadline) -> None:
            for name, value in updates.items():
                setattr(row, name, value)

        try:
            return await self.service.change_deadline(deadline_id, apply, actor=actor,
                                                      cancel=cancel)
        except CalendarError:
            raise NotFound() from None

    async def cancel_deadline(self, who: Actor, actor: str, deadline_id: int) -> ChangeResult:
        """Cancel a deadline; those already reminded are told (as "/termin N odwołaj")."""
        await self._managed_deadline(who, deadline_id)
        return await self._change_deadline(deadline_id, actor, {}, cancel=True)

    # --- ICS import ---------------------------------------------------------------------------

    async def forums_managed(self, who: Actor) -> list[Forum]:
        """Forums whose calendar the person manages (for the forms' forum choice)."""
        async with self.service.db.session() as session:
            forums = await all_forums(session)
        return [f for f in forums if may_manage(who, f.id)]

    async def import_file(self, who: Actor, actor: str, data: bytes, *, file_name: str,
                          default_forum_id: int | None, dry_run: bool) -> ImportOutcome:
        """Preview (``dry_run``) or import a calendar file: only events of forums the person
        manages (and only events that are theirs to change) are considered. A file of more
        than :data:`MAX_IMPORT_EVENTS` events is refused before anything is compared."""
        async with self.service.db.session() as session:
            forums = await all_forums(session)
        default = next((f for f in forums if f.id == default_forum_id), None)
        if default is not None and not may_manage(who, default.id):
            raise NotAllowed()
        if len(_VEVENT.findall(data)) > MAX_IMPORT_EVENTS:  # cheap: before parsing
            raise _too_many()
        try:  # pure parsing, seconds for a big file: off the event loop
            parsed = await asyncio.to_thread(
                parse_ics, data, forum_keys=[f.key for f in forums],
                default_forum=default.key if default else None)
        except IcsError:
            raise PanelProblem("kalendarz.error.not_ics", field="file") from None
        if _size(parsed) > MAX_IMPORT_EVENTS:  # a file that hid its events from the count
            raise _too_many()
        allowed, refused = await self._allowed(who, parsed, {f.key: f for f in forums})
        times = _times(parsed)
        if dry_run:
            return ImportOutcome(await self._preview(allowed, actor, file_name), refused, times)
        summary = await import_calendar(self.service, allowed, actor=actor,
                                        source_name=file_name)
        return ImportOutcome(summary, refused, times)

    async def _preview(self, parsed: ParsedCalendar, actor: str, file_name: str
                       ) -> ImportSummary:
        """The importer's dry run, a few events at a time (the same outcome as at once)."""
        summary = ImportSummary(skipped=list(parsed.skipped), ignored=Counter(parsed.ignored))
        for start in range(0, len(parsed.events), _PREVIEW_CHUNK):
            part = await import_calendar(
                self.service, ParsedCalendar(events=parsed.events[start:start + _PREVIEW_CHUNK]),
                actor=actor, source_name=file_name, dry_run=True)
            for name in ("added", "updated", "unchanged", "cancelled", "past", "skipped"):
                getattr(summary, name).extend(getattr(part, name))
            summary.ignored.update(part.ignored)
            summary.notices += part.notices
            await asyncio.sleep(0)  # the chunk's work was on the loop: let others run
        return summary

    async def _allowed(self, who: Actor, parsed: ParsedCalendar, forums: dict[str, Forum]
                       ) -> tuple[ParsedCalendar, list[str]]:
        keep, refused = [], []
        async with self.service.db.session() as session:
            existing = await events_by_uids(session, [item.uid for item in parsed.events])
        for item in parsed.events:
            known = existing.get(item.uid)
            forum_ids = {forums[item.forum_key].id} | (
                {known.forum_id} if known is not None else set())
            if all(may_manage(who, forum_id) for forum_id in forum_ids):
                keep.append(item)
            else:
                refused.append(item.label)
        return ParsedCalendar(events=keep, skipped=list(parsed.skipped),
                              ignored=parsed.ignored.copy()), refused


def _too_many() -> PanelProblem:
    return PanelProblem("kalendarz.error.too_many_events", field="file",
                        limit=MAX_IMPORT_EVENTS)


def _times(parsed: ParsedCalendar) -> dict[str, list[tuple[str, str, bool]]]:
    """Each event's start and end by its label (see :attr:`ImportOutcome.times`)."""
    times: dict[str, list[tuple[str, str, bool]]] = {}
    for item in parsed.events:
        times.setdefault(item.label, []).append(
            (utc(item.start).isoformat(), utc(item.end).isoformat(), item.all_day))
    return times


def _size(parsed: ParsedCalendar) -> int:
    """Events in a parsed file, moved meetings and skipped ones included."""
    return len(parsed.events) + len(parsed.skipped) + sum(
        len(item.overrides) for item in parsed.events)


def outcome_to_json(outcome: ImportOutcome) -> str:
    """A preview kept with its upload, so showing it again compares nothing."""
    summary = outcome.summary
    return json.dumps({
        "added": summary.added, "updated": summary.updated, "unchanged": summary.unchanged,
        "cancelled": summary.cancelled, "past": summary.past,
        "skipped": [[p.what, p.reason] for p in summary.skipped],
        "ignored": dict(summary.ignored), "notices": summary.notices,
        "not_allowed": outcome.not_allowed,
        "times": outcome.times,
    }, ensure_ascii=False)


def outcome_from_json(text: str) -> ImportOutcome:
    """A kept preview (see :func:`outcome_to_json`)."""
    data = json.loads(text)
    summary = ImportSummary(
        added=list(data["added"]), updated=list(data["updated"]),
        unchanged=list(data["unchanged"]), cancelled=list(data["cancelled"]),
        past=list(data["past"]),
        skipped=[IcsProblem(str(what), str(reason)) for what, reason in data["skipped"]],
        ignored=Counter({str(k): int(v) for k, v in data["ignored"].items()}),
        notices=int(data["notices"]))
    times = {str(label): [(str(start), str(end), bool(all_day))
                          for start, end, all_day in spans]
             for label, spans in data.get("times", {}).items()}  # older previews had none
    return ImportOutcome(summary, list(data["not_allowed"]), times)


def _stored(value: object) -> object:
    """A value as compared for a change (SQLite gives naive UTC datetimes back)."""
    return utc(value) if isinstance(value, datetime) else value


__all__ = ["MAX_IMPORT_EVENTS", "DeadlineForm", "EventForm", "ImportOutcome", "NotAllowed",
           "NotFound", "PanelCalendar", "PanelProblem", "PlanOutlook", "deadline_due",
           "event_draft", "may_manage", "outcome_from_json", "outcome_to_json", "sees_delivery"]
