"""The calendar as the core uses it: events, deadlines, personal reminders and answers.

Every change is one transaction that raises the revision (SEQUENCE), cancels the pending
reminders of the old revision, tells those already reminded, and is audited; planning the
new revision's reminders follows right after (and the periodic pass would do it anyway).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from commands.calendar.dates import format_span, from_stamp, utc
from commands.calendar.feeds import FeedService
from commands.calendar.messages import (
    Seen,
    deadline_changed,
    event_cancelled,
    event_changed,
)
from commands.calendar.occurrences import (
    Occurrence,
    event_occurrences,
    exdate_list,
    exdate_text,
    first_recurrence_id,
    next_occurrence,
)
from commands.calendar.reminders import (
    PlanReport,
    ReminderService,
    deadline_source,
    event_source,
    forum_name,
    personal_source,
)
from commands.calendar.settings import ReminderSettings
from commands.clock import Clock
from commands.model import OutboundMessage
from store.calendar import (
    cancel_pending_of_person,
    done_of,
    outbox_rows,
    overrides_of,
    personal_reminders,
    rekey_rsvps,
    set_rsvp,
)
from store.calendar_models import (
    CalendarStatus,
    Deadline,
    DeadlineAudience,
    DeadlineDone,
    Event,
    EventOverride,
    PersonalReminder,
)
from store.db import Database
from store.models import Forum
from store.outbox import cancel_pending
from store.people import audit


class CalendarError(ValueError):
    """A request the calendar refuses; ``key`` is a text key."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(slots=True)
class EventDraft:
    """What an event is made of (times UTC)."""

    title: str
    start: datetime
    end: datetime
    all_day: bool = False
    location: str = ""
    online_url: str = ""
    materials: list[str] = field(default_factory=list)
    rrule: str = ""
    description: str = ""
    exdates: list[datetime] = field(default_factory=list)  # cancelled occurrences


@dataclass(slots=True)
class DeadlineDraft:
    """What a deadline is made of."""

    title: str
    due: datetime
    description: str = ""
    gmina_ids: list[int] = field(default_factory=list)
    person_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ChangeResult:
    """What a change did."""

    notices: int
    plan: PlanReport


def new_uid() -> str:
    """A globally unique, stable iCalendar UID."""
    return f"{uuid.uuid4()}@lacznik"


class CalendarService:
    """Events, deadlines, personal reminders, answers; reminders through :attr:`reminders`."""

    def __init__(self, *, db: Database, clock: Clock, settings: ReminderSettings,
                 base_url: str = "http://127.0.0.1:8080") -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
        self.base_url = settings.feed_base_url or base_url.rstrip("/")
        self.reminders = ReminderService(db=db, clock=clock, settings=settings)
        self.feeds = FeedService(db=db, clock=clock, reminders=self.reminders,
                                 base_url=self.base_url)

    # --- events -------------------------------------------------------------------------------

    async def create_event(self, *, forum: Forum, draft: EventDraft, organiser_id: int | None,
                           actor: str, uid: str | None = None, sequence: int = 0,
                           source: str = "command",
                           overrides: list[EventOverride] | None = None
                           ) -> tuple[Event, PlanReport]:
        """Store a new event (with moved occurrences, from a file) and plan its reminders."""
        now = self.clock.now()
        assert forum.id is not None
        async with self.db.session() as session:
            event = Event(uid=uid or new_uid(), forum_id=forum.id, organiser_id=organiser_id,
                          created_at=now, updated_at=now, sequence=sequence, source=source,
                          **_content(draft))
            session.add(event)
            await session.flush()
            for override in overrides or []:
                override.event_id = int(event.id or 0)
                session.add(override)
            await audit(session, actor=actor, action="event.create", target=f"event:{event.id}",
                        details={"forum": forum.key, "recurring": bool(draft.rrule)})
            await session.commit()
        assert event.id is not None
        return event, await self.reminders.plan_event(event.id)

    async def change_event(self, event_id: int, change: Callable[[Event], None], *, actor: str,
                           details: dict[str, object] | None = None,
                           overrides: list[EventOverride] | None = None) -> ChangeResult:
        """Apply ``change`` to an active event (and replace its moved occurrences if
        ``overrides`` is given); tell those reminded of upcoming occurrences."""
        now = self.clock.now()
        async with self.db.session() as session:
            event = await self._active_event(session, event_id)
            forum = await session.get(Forum, event.forum_id)
            old_overrides = await overrides_of(session, event_id)
            horizon = now + self.settings.horizon
            before = event_occurrences(event, old_overrides, now, horizon)
            first_before = before[0] if before else next_occurrence(event, old_overrides, now)
            seen = Seen.of(event, first_before)  # before the change mutates the row
            affected = _about(event, {o.key for o in before})
            one_off_at = None if event.rrule else first_recurrence_id(event)
            change(event)
            if one_off_at is not None and not event.rrule and (
                    first_recurrence_id(event) != one_off_at):  # answers follow the meeting
                await rekey_rsvps(session, event_id=event_id, before=one_off_at,
                                  after=first_recurrence_id(event))
            if overrides is not None:
                await session.execute(delete(EventOverride).where(
                    col(EventOverride.event_id) == event_id))
                for override in overrides:
                    override.event_id = event_id
                    session.add(override)
            await self._bump(session, event, now)
            new_overrides = overrides if overrides is not None else old_overrides
            first_after = next_occurrence(event, new_overrides, now)

            def build(lang: str) -> OutboundMessage:
                return event_changed(lang, event, first_after, forum_name(forum, lang), seen)

            notices = await self._notify(session, event, about=affected,
                                         scope="all", build=build,
                                         starts=[o.start for o in (first_before, first_after)
                                                 if o is not None])
            await audit(session, actor=actor, action="event.change",
                        target=f"event:{event_id}", details=details or {})
            await session.commit()
        return ChangeResult(notices, await self.reminders.plan_event(event_id))

    async def cancel_event(self, event_id: int, *, actor: str) -> int:
        """Cancel the whole event (every occurrence); returns notices planned."""
        now = self.clock.now()
        async with self.db.session() as session:
            event = await self._active_event(session, event_id)
            forum = await session.get(Forum, event.forum_id)
            overrides = await overrides_of(session, event_id)
            upcoming = event_occurrences(event, overrides, now, now + self.settings.horizon)
            first = upcoming[0] if upcoming else None
            affected = _about(event, {o.key for o in upcoming})
            event.status = CalendarStatus.CANCELLED.value
            await self._bump(session, event, now)

            def build(lang: str) -> OutboundMessage:
                when = _span(lang, first, event) if first else ""
                title = first.title if first else event.title
                return event_cancelled(lang, title, when, forum_name(forum, lang))

            notices = await self._notify(session, event, about=affected,
                                         scope="all", build=build,
                                         starts=[first.start] if first else [])
            await audit(session, actor=actor, action="event.cancel", target=f"event:{event_id}")
            await session.commit()
        return notices

    async def cancel_occurrence(self, event_id: int, occurrence: Occurrence, *,
                                actor: str) -> ChangeResult:
        """Cancel one occurrence of a recurring event (EXDATE); notify those reminded."""
        now = self.clock.now()
        async with self.db.session() as session:
            event = await self._active_event(session, event_id)
            forum = await session.get(Forum, event.forum_id)
            event.exdates = exdate_text([*exdate_list(event), occurrence.recurrence_id])
            await session.execute(delete(EventOverride).where(
                col(EventOverride.event_id) == event_id,
                col(EventOverride.recurrence_id) == occurrence.recurrence_id,
            ))
            await self._bump(session, event, now)

            def build(lang: str) -> OutboundMessage:
                return event_cancelled(lang, occurrence.title, _span(lang, occurrence, event),
                                       forum_name(forum, lang))

            notices = await self._notify(session, event, about=occurrence.key.__eq__,
                                         scope=occurrence.key, build=build,
                                         starts=[occurrence.start])
            await audit(session, actor=actor, action="event.cancel_occurrence",
                        target=f"event:{event_id}", details={"occurrence": occurrence.key})
            await session.commit()
        return ChangeResult(notices, await self.reminders.plan_event(event_id))

    async def move_occurrence(self, event_id: int, occurrence: Occurrence, start: datetime,
                              end: datetime, *, actor: str) -> ChangeResult:
        """Move one occurrence (RECURRENCE-ID); notify those reminded of it."""
        now = self.clock.now()
        async with self.db.session() as session:
            event = await self._active_event(session, event_id)
            forum = await session.get(Forum, event.forum_id)
            await session.execute(delete(EventOverride).where(
                col(EventOverride.event_id) == event_id,
                col(EventOverride.recurrence_id) == occurrence.recurrence_id,
            ))
            override = EventOverride(event_id=event_id, recurrence_id=occurrence.recurrence_id,
                                     starts_at=utc(start), ends_at=utc(end))
            session.add(override)
            await self._bump(session, event, now)
            seen = Seen.of(event, occurrence)
            moved = Occurrence(event_id, occurrence.recurrence_id, start, end, occurrence.title,
                               occurrence.location, event.all_day, moved=True)

            def build(lang: str) -> OutboundMessage:
                return event_changed(lang, event, moved, forum_name(forum, lang), seen)

            notices = await self._notify(session, event, about=occurrence.key.__eq__,
                                         scope=occurrence.key, build=build,
                                         starts=[occurrence.start, start])
            await audit(session, actor=actor, action="event.move_occurrence",
                        target=f"event:{event_id}", details={"occurrence": occurrence.key})
            await session.commit()
        return ChangeResult(notices, await self.reminders.plan_event(event_id))

    async def occurrence_of(self, event_id: int, key: str) -> tuple[Event, Occurrence] | None:
        """An occurrence by its key (original start), or None."""
        async with self.db.session() as session:
            event = await session.get(Event, event_id)
            if event is None:
                return None
            overrides = await overrides_of(session, event_id)
        try:
            moment = from_stamp(key)
        except ValueError:
            return None
        for occurrence in event_occurrences(event, overrides, moment - timedelta(days=400),
                                            moment + timedelta(days=400)):
            if occurrence.key == key:
                return event, occurrence
        return None

    async def rsvp(self, event_id: int, key: str, person_id: int, answer: str
                   ) -> tuple[Event, Occurrence] | None:
        """Record "Będę"/"Nie będę" for an occurrence; None if it no longer exists."""
        found = await self.occurrence_of(event_id, key)
        if found is None or found[0].status != CalendarStatus.ACTIVE.value:
            return None
        async with self.db.session() as session:
            await set_rsvp(session, event_id=event_id, occurrence=found[1].recurrence_id,
                           person_id=person_id, answer=answer, now=self.clock.now())
            await session.commit()
        return found

    async def _active_event(self, session: AsyncSession, event_id: int) -> Event:
        event = await session.get(Event, event_id)
        if event is None or event.status != CalendarStatus.ACTIVE.value:
            raise CalendarError("cal.event.unknown", id=event_id)
        return event

    async def _bump(self, session: AsyncSession, item: Event | Deadline, now: datetime) -> None:
        """A new revision; the UPDATE also locks the row against a planner in flight."""
        item.sequence += 1
        item.updated_at = now
        session.add(item)
        await session.flush()
        await cancel_pending(session, source=event_source(int(item.id or 0))
                             if isinstance(item, Event) else deadline_source(int(item.id or 0)))

    async def _notify(self, session: AsyncSession, event: Event, *,
                      about: Callable[[str], bool], scope: str,
                      build: Callable[[str], OutboundMessage], starts: list[datetime]) -> int:
        source = event_source(int(event.id or 0))
        rows = await outbox_rows(session, source)
        return await self.reminders.notify_reminded(
            session, source=source, rows=rows, key_prefix=f"evn{event.id}.s{event.sequence}."
            f"{scope}", about=about, build=build,
            urgent_before=min(starts) if starts else None,
            useful_until=max(starts) if starts else None,
        )

    # --- deadlines ----------------------------------------------------------------------------

    async def create_deadline(self, *, forum: Forum | None, draft: DeadlineDraft,
                              organiser_id: int | None, actor: str
                              ) -> tuple[Deadline, PlanReport]:
        """Store a deadline and plan its reminders."""
        now = self.clock.now()
        async with self.db.session() as session:
            deadline = Deadline(uid=new_uid(), forum_id=forum.id if forum else None,
                                title=draft.title[:300], description=draft.description,
                                due_at=utc(draft.due), organiser_id=organiser_id,
                                created_at=now,
                                updated_at=now)
            session.add(deadline)
            await session.flush()
            assert deadline.id is not None
            for gmina_id in sorted(set(draft.gmina_ids)):
                session.add(DeadlineAudience(deadline_id=deadline.id, gmina_id=gmina_id))
            for person_id in sorted(set(draft.person_ids)):
                session.add(DeadlineAudience(deadline_id=deadline.id, person_id=person_id))
            await audit(session, actor=actor, action="deadline.create",
                        target=f"deadline:{deadline.id}",
                        details={"forum": forum.key if forum else None,
                                 "gminy": len(draft.gmina_ids), "people": len(draft.person_ids)})
            await session.commit()
        return deadline, await self.reminders.plan_deadline(deadline.id)

    async def change_deadline(self, deadline_id: int, change: Callable[[Deadline], None], *,
                              actor: str, cancel: bool = False) -> ChangeResult:
        """Change (or cancel) a deadline; tell those already reminded."""
        now = self.clock.now()
        async with self.db.session() as session:
            deadline = await session.get(Deadline, deadline_id)
            if deadline is None or deadline.status != CalendarStatus.ACTIVE.value:
                raise CalendarError("cal.deadline.unknown", id=deadline_id)
            forum = await session.get(Forum, deadline.forum_id) if deadline.forum_id else None
            before, before_title = utc(deadline.due_at), deadline.title
            change(deadline)
            if cancel:
                deadline.status = CalendarStatus.CANCELLED.value
            await self._bump(session, deadline, now)
            source = deadline_source(deadline_id)
            rows = await outbox_rows(session, source)
            done = (await done_of(session, [deadline_id])).get(deadline_id, {})
            notices = await self.reminders.notify_reminded(
                session, source=source, rows=rows,
                key_prefix=f"dln{deadline_id}.s{deadline.sequence}", about=lambda _key: True,
                build=lambda lang: deadline_changed(lang, deadline, forum_name(forum, lang),
                                                    before, before_title, cancel),
                urgent_before=min(before, utc(deadline.due_at)),
                useful_until=max(before, utc(deadline.due_at)),
                exclude=frozenset(done),  # those who delivered need no news of it
            )
            await audit(session, actor=actor,
                        action="deadline.cancel" if cancel else "deadline.change",
                        target=f"deadline:{deadline_id}")
            await session.commit()
        plan = PlanReport() if cancel else await self.reminders.plan_deadline(deadline_id)
        return ChangeResult(notices, plan)

    async def mark_done(self, deadline_id: int, person_id: int) -> Deadline | None:
        """The person delivered: no more reminders for them. None if there is no such
        deadline."""
        async with self.db.session() as session:
            deadline = await session.get(Deadline, deadline_id)
            if deadline is None:
                return None
            if await session.get(DeadlineDone, (deadline_id, person_id)) is None:
                session.add(DeadlineDone(deadline_id=deadline_id, person_id=person_id,
                                         done_at=self.clock.now()))
            await cancel_pending_of_person(session, source=deadline_source(deadline_id),
                                           person_id=person_id, reason="done")
            await session.commit()
        return deadline

    # --- personal reminders -------------------------------------------------------------------

    async def add_personal(self, *, person_id: int, text: str, due: datetime, lang: str
                           ) -> tuple[PersonalReminder, PlanReport]:
        """A personal reminder at exactly ``due``."""
        now = self.clock.now()
        async with self.db.session() as session:
            active = await personal_reminders(session, person_id=person_id, since=now)
            if len(active) >= self.settings.max_personal:
                raise CalendarError("cal.personal.too_many", count=self.settings.max_personal)
            reminder = PersonalReminder(person_id=person_id, text=text[:500], due_at=utc(due),
                                        lang=lang, created_at=now)
            session.add(reminder)
            await session.commit()
        assert reminder.id is not None
        return reminder, await self.reminders.plan_personal(reminder.id)

    async def cancel_personal(self, person_id: int, reminder_id: int) -> PersonalReminder | None:
        """Cancel one of the person's own reminders; None if it is not theirs or not active."""
        async with self.db.session() as session:
            reminder = await session.get(PersonalReminder, reminder_id)
            if reminder is None or reminder.person_id != person_id or \
                    reminder.status != CalendarStatus.ACTIVE.value:
                return None
            reminder.status = CalendarStatus.CANCELLED.value
            session.add(reminder)
            await session.flush()
            await cancel_pending(session, source=personal_source(reminder_id))
            await session.commit()
        return reminder

    async def personal_of(self, person_id: int) -> list[PersonalReminder]:
        """The person's reminders still ahead."""
        async with self.db.session() as session:
            return await personal_reminders(session, person_id=person_id,
                                            since=self.clock.now())


def _content(draft: EventDraft) -> dict[str, Any]:
    """The event's columns that ``draft`` gives (for a new event and for a change alike)."""
    return {
        "title": draft.title[:300],
        # SQLite keeps datetimes as written: always store UTC.
        "starts_at": utc(draft.start),
        "ends_at": utc(draft.end),
        "all_day": draft.all_day,
        "location": draft.location[:500],
        "online_url": draft.online_url[:1000],
        "materials": "\n".join(draft.materials),
        "rrule": draft.rrule,
        "description": draft.description,
        "exdates": exdate_text(draft.exdates) if draft.rrule else "",
    }


def _fill(event: Event, draft: EventDraft) -> None:
    for name, value in _content(draft).items():
        setattr(event, name, value)


def fill_event(event: Event, draft: EventDraft) -> None:
    """Overwrite an event's content with ``draft``."""
    _fill(event, draft)


def _span(lang: str, occurrence: Occurrence, event: Event) -> str:
    return format_span(lang, occurrence.start, occurrence.end, all_day=event.all_day)


__all__ = ["CalendarError", "CalendarService", "ChangeResult", "DeadlineDraft", "EventDraft",
           "fill_event"]


def _about(event: Event, keys: set[str]) -> Callable[[str], bool]:
    """Which occurrences named by earlier reminders a change of ``event`` concerns (``keys``:
    its upcoming occurrences as they were). A one-off event has a single occurrence whatever
    start its reminders were planned for — its key is its start, which a change of time
    changes — so any of them, as long as the event is still ahead."""
    if event.rrule:
        return keys.__contains__
    return lambda _key: bool(keys)
