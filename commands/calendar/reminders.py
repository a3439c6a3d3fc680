"""Reminders as outbox rows: planned from events, deadlines and personal reminders, kept in
step with every change, and sent by the delivery worker.

Every reminder has an identity (its ``dedupe_key``): what it is about, the revision of that
thing, the offset, the person and the messenger account. Planning computes the identities
that should exist and reconciles the outbox with them — new ones are inserted (a unique key
makes a second planner, on this or another instance, harmless), re-timed ones are moved, ones
nobody needs any more are cancelled. Rows already sent are never touched, so nothing is sent
twice; a restart loses nothing because the rows are in the database before their time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from commands.calendar.dates import stamp, utc
from commands.calendar.messages import (
    deadline_reminder,
    meeting_reminder,
    personal_reminder,
)
from commands.calendar.occurrences import Occurrence, event_occurrences
from commands.calendar.planner import plan_reminders
from commands.calendar.quiet import QuietHours
from commands.calendar.repeating import next_after, occurrences, repeating_message
from commands.calendar.settings import ReminderSettings, with_preference
from commands.clock import Clock
from commands.model import OutboundMessage, message_to_json
from commands.render import forum_name
from store.calendar import (
    OutboxRow,
    audience_of,
    claim_revision,
    close_rows,
    coordinators_of,
    deadlines_to_plan,
    done_of,
    events_to_plan,
    forum_member_ids,
    outbox_rows,
    overdue_rows,
    overrides_of,
    personal_reminders,
    persons_by_id,
    quiet_preferences,
    record_gaps,
    retime_row,
    usable_accounts,
)
from store.calendar_models import (
    CalendarStatus,
    Deadline,
    Event,
    PersonalReminder,
    QuietPreference,
)
from store.db import Database
from store.models import DeliveryState, Forum, MessengerAccount, Person
from store.outbox import NewDelivery, enqueue

log = logging.getLogger(__name__)

REMINDER = "reminder"
NOTICE = "notice"
REPLANNED = "replanned"
EVENT_KEY = re.compile(r"^ev(\d+)\.s(\d+)\.(\d{12})\.(\w+)\.(\w+)\.p(\d+)\.a(\d+)$")
DEADLINE_KEY = re.compile(r"^dl(\d+)\.s(\d+)\.(\w+)\.p(\d+)\.a(\d+)$")
NOTICE_KEY = re.compile(r"^evn(\d+)\.s(\d+)\.(all|\d{12})\.p(\d+)\.a(\d+)$")
# How far ahead a repeating personal reminder's occurrences are written to the outbox; the
# periodic pass adds the next ones as time goes by.
REPEAT_WINDOW = timedelta(days=7)
ALL = "all"  # every occurrence: a notice about the whole event, a one-off event's reminder
_SENT = (DeliveryState.SENT.value, DeliveryState.SENDING.value)


def event_source(event_id: int) -> str:
    """The outbox source of an event's reminders and notices."""
    return f"event:{event_id}"


def deadline_source(deadline_id: int) -> str:
    """The outbox source of a deadline's reminders and notices."""
    return f"deadline:{deadline_id}"


def personal_source(reminder_id: int) -> str:
    """The outbox source of a personal reminder."""
    return f"personal:{reminder_id}"


def person_lang(person: Person | None) -> str:
    """The language reminders are written in for ``person``."""
    return person.language if person and person.language in ("pl", "en") else "pl"


@dataclass(slots=True)
class PlanReport:
    """What one planning did."""

    inserted: int = 0
    retimed: int = 0
    cancelled: int = 0
    recipients: int = 0
    unreachable: set[int] = field(default_factory=set)
    stood_down: bool = False  # a newer change was planning it at the same time

    def add(self, other: PlanReport) -> None:
        """Sum up (for the periodic pass)."""
        self.inserted += other.inserted
        self.retimed += other.retimed
        self.cancelled += other.cancelled
        self.recipients += other.recipients
        self.unreachable |= other.unreachable


class ReminderService:
    """Plans reminders into the outbox and keeps them in step with changes."""

    def __init__(self, *, db: Database, clock: Clock, settings: ReminderSettings) -> None:
        self._db = db
        self._clock = clock
        self.settings = settings

    # --- quiet hours --------------------------------------------------------------------------

    def quiet_for(self, preference: QuietPreference | None) -> QuietHours:
        """The configured quiet hours with a person's own choices on top."""
        return with_preference(self.settings.quiet, preference)

    # --- events -------------------------------------------------------------------------------

    async def plan_event(self, event_id: int) -> PlanReport:
        """Bring the outbox in step with an event (all its occurrences within the horizon)."""
        now = self._clock.now()
        async with self._db.session() as session:
            event = await session.get(Event, event_id)
            if event is None or event.status != CalendarStatus.ACTIVE.value:
                return PlanReport()
            overrides = await overrides_of(session, event_id)
            forum = await session.get(Forum, event.forum_id)
            occurrences = [o for o in event_occurrences(event, overrides, now,
                                                        now + self.settings.horizon)
                           if o.start > now]
            recipients = await self.event_recipients(session, event)
            rows = await outbox_rows(session, event_source(event_id))
            told = heard_of(rows, sequence=event.sequence, one_off=not event.rrule)
            persons = await persons_by_id(session, recipients)
            accounts = await usable_accounts(session, recipients)
            quiet = await self._quiet_of(session, recipients)
            offsets = [("meeting", o) for o in self.settings.meeting]
            if event.materials.strip():
                offsets = [("materials", o) for o in self.settings.materials] + offsets
            desired: dict[str, NewDelivery] = {}
            payloads: dict[tuple[str, str, str], str] = {}
            source = event_source(event_id)
            for occurrence in occurrences:
                for person_id in sorted(recipients):
                    planned = plan_reminders(
                        start=occurrence.start, offsets=offsets, quiet=quiet(person_id),
                        now=now, revision=utc(event.updated_at), grace=self.settings.grace,
                        known=(occurrence.key, person_id) in told
                        or (ALL, person_id) in told,
                    )
                    lang = person_lang(persons.get(person_id))
                    for item in planned:
                        cache = (lang, item.kind, occurrence.key)
                        if cache not in payloads:
                            payloads[cache] = message_to_json(meeting_reminder(
                                lang, event, occurrence, forum_name(forum, lang), item.kind))
                        for account in accounts.get(person_id, []):
                            key = (f"ev{event_id}.s{event.sequence}.{occurrence.key}."
                                   f"{item.kind}.{item.label}.p{person_id}.a{account.id}")
                            desired[key] = _delivery(key, account, payloads[cache],
                                                     item.moment, item.useful_until, source)
            unreachable = {p for p in recipients if not accounts.get(p)} if occurrences else set()
            report = await self._apply(
                session, rows=rows, desired=desired, recipients=recipients,
                current_prefix=f"ev{event_id}.s{event.sequence}.",
                lock=lambda: claim_revision(session, Event, event_id, event.sequence, now),
            )
            await record_gaps(session, source=source, person_ids=unreachable, now=now)
            await session.commit()
        report.recipients, report.unreachable = len(recipients), unreachable
        return report

    async def event_recipients(self, session: AsyncSession, event: Event) -> set[int]:
        """Who is invited: the forum's members, and the organiser."""
        members = await forum_member_ids(session, event.forum_id)
        return members | ({event.organiser_id} if event.organiser_id else set())

    # --- deadlines ----------------------------------------------------------------------------

    async def plan_deadline(self, deadline_id: int) -> PlanReport:
        """Bring the outbox in step with a deadline."""
        now = self._clock.now()
        async with self._db.session() as session:
            deadline = await session.get(Deadline, deadline_id)
            if deadline is None or deadline.status != CalendarStatus.ACTIVE.value:
                return PlanReport()
            forum = await session.get(Forum, deadline.forum_id) if deadline.forum_id else None
            recipients = await self.deadline_recipients(session, deadline)
            done = (await done_of(session, [deadline_id])).get(deadline_id, {})
            recipients -= set(done)
            source = deadline_source(deadline_id)
            rows = await outbox_rows(session, source)
            known = {int(m[4]) for r in rows if (m := DEADLINE_KEY.match(r.dedupe_key))}
            persons = await persons_by_id(session, recipients)
            accounts = await usable_accounts(session, recipients)
            quiet = await self._quiet_of(session, recipients)
            due = utc(deadline.due_at)
            offsets = [("deadline", o) for o in self.settings.deadline]
            desired: dict[str, NewDelivery] = {}
            payloads: dict[str, str] = {}
            upcoming = due > now
            for person_id in sorted(recipients) if upcoming else []:
                lang = person_lang(persons.get(person_id))
                if lang not in payloads:
                    payloads[lang] = message_to_json(
                        deadline_reminder(lang, deadline, forum_name(forum, lang)))
                for item in plan_reminders(start=due, offsets=offsets, quiet=quiet(person_id),
                                           now=now, revision=utc(deadline.updated_at),
                                           grace=self.settings.grace,
                                           known=person_id in known):
                    for account in accounts.get(person_id, []):
                        key = (f"dl{deadline_id}.s{deadline.sequence}.{item.label}"
                               f".p{person_id}.a{account.id}")
                        desired[key] = _delivery(key, account, payloads[lang], item.moment,
                                                 item.useful_until, source)
            unreachable = {p for p in recipients if not accounts.get(p)} if upcoming else set()
            report = await self._apply(
                session, rows=rows, desired=desired, recipients=recipients,
                current_prefix=f"dl{deadline_id}.s{deadline.sequence}.",
                lock=lambda: claim_revision(session, Deadline, deadline_id, deadline.sequence,
                                            now),
            )
            await record_gaps(session, source=source, person_ids=unreachable, now=now)
            await session.commit()
        report.recipients, report.unreachable = len(recipients), unreachable
        return report

    async def deadline_recipients(self, session: AsyncSession, deadline: Deadline) -> set[int]:
        """Who must deliver: the forum's members (only those of the named gminy, if any); a
        named gmina with no forum member, or any gmina named without a forum, through its
        coordinators; and every person named."""
        assert deadline.id is not None
        audience = (await audience_of(session, [deadline.id])).get(deadline.id, [])
        gminy = {a.gmina_id for a in audience if a.gmina_id is not None}
        people = {a.person_id for a in audience if a.person_id is not None}
        members = await forum_member_ids(session, deadline.forum_id) if deadline.forum_id \
            else set()
        if not gminy:
            return members | people
        chosen = set(people)
        covered: set[int] = set()
        for person_id, person in (await persons_by_id(session, members)).items():
            if person.gmina_id in gminy:
                chosen.add(person_id)
                covered.add(person.gmina_id)
        for gmina_id, coordinators in (await coordinators_of(session, gminy - covered)).items():
            del gmina_id
            chosen |= coordinators
        return chosen

    # --- personal reminders -------------------------------------------------------------------

    async def plan_personal(self, reminder_id: int) -> PlanReport:
        """One row per messenger account of the person, at exactly the asked moment (the
        person chose it, so quiet hours do not move it). A repeating reminder: one row per
        occurrence within :data:`REPEAT_WINDOW` (and the next one), each at the chosen time
        of day in Warsaw; its ``due_at`` moves on to the next occurrence."""
        now = self._clock.now()
        async with self._db.session() as session:
            reminder = await session.get(PersonalReminder, reminder_id)
            if reminder is None or reminder.status != CalendarStatus.ACTIVE.value:
                return PlanReport()
            source = personal_source(reminder_id)
            # A series' rows pile up with its occurrences (until retention removes them):
            # only those of the occurrences still planned are read.
            since = now - self.settings.grace - timedelta(days=1) if reminder.rrule else None
            rows = await outbox_rows(session, source, since=since)
            accounts = (await usable_accounts(session, [reminder.person_id])).get(
                reminder.person_id, [])
            due = utc(reminder.due_at)
            desired = {}
            if reminder.rrule:
                payload = message_to_json(repeating_message(reminder.lang, reminder))
                for moment, useful_until in self._repeat_moments(reminder, now):
                    for account in accounts:
                        key = f"pr{reminder_id}.o{stamp(moment)}.a{account.id}"
                        desired[key] = _delivery(key, account, payload, moment, useful_until,
                                                 source)
                upcoming = next_after(reminder.rrule, reminder.repeat_from or due, now)
                if upcoming is not None and upcoming != due:
                    reminder.due_at = upcoming  # what /przypomnienia and /plan show next
                    session.add(reminder)
            elif due + self.settings.grace > now:
                payload = message_to_json(personal_reminder(reminder.lang, reminder))
                for account in accounts:
                    key = f"pr{reminder_id}.a{account.id}"
                    desired[key] = _delivery(key, account, payload, due,
                                             due + self.settings.grace, source)
            unreachable = set() if accounts else {reminder.person_id}
            report = await self._apply(
                session, rows=rows, desired=desired, recipients={reminder.person_id},
                current_prefix=f"pr{reminder_id}.",
                lock=lambda: claim_revision(session, PersonalReminder, reminder_id, None, now),
            )
            await record_gaps(session, source=source, person_ids=unreachable, now=now)
            await session.commit()
        report.recipients, report.unreachable = 1, unreachable
        return report

    def _repeat_moments(self, reminder: PersonalReminder, now: datetime
                        ) -> list[tuple[datetime, datetime]]:
        """Occurrences of a repeating reminder to have rows for, each with the moment it
        stops being useful: its grace, but never past the next occurrence (a late "daily"
        reminder must not arrive beside the next day's). Those that fell due while the
        service was down are still sent while useful, as a one-off reminder would be."""
        anchor = reminder.repeat_from or reminder.due_at
        moments = occurrences(reminder.rrule, anchor, max(utc(anchor), now - self.settings.grace),
                              now + REPEAT_WINDOW)
        upcoming = next_after(reminder.rrule, anchor, now)
        if upcoming is not None and upcoming not in moments:
            moments.append(upcoming)  # "co miesiąc": the next one, even weeks ahead
        planned = []
        for moment in moments:
            following = next_after(reminder.rrule, anchor, moment)
            useful = moment + self.settings.grace
            if following is not None:
                useful = min(useful, following)
            if useful > now:
                planned.append((moment, useful))
        return planned

    # --- the periodic pass --------------------------------------------------------------------

    async def plan_all(self) -> PlanReport:
        """Plan everything still ahead: new occurrences entering the horizon, new forum
        members, newly linked messengers, changed quiet hours. Safe on every instance."""
        total = PlanReport()
        await self.hold_overdue_in_quiet_hours()
        now = self._clock.now()
        async with self._db.session() as session:
            events = [e.id for e in await events_to_plan(session, since=now)]
            deadlines = [d.id for d in await deadlines_to_plan(
                session, since=now - self.settings.grace)]
            personal = [r.id for r in await personal_reminders(
                session, since=now - self.settings.grace)]
        jobs: list[tuple[str, int, Callable[[int], Awaitable[PlanReport]]]] = [
            *(("event", int(i), self.plan_event) for i in events if i is not None),
            *(("deadline", int(i), self.plan_deadline) for i in deadlines if i is not None),
            *(("personal", int(i), self.plan_personal) for i in personal if i is not None),
        ]
        for kind, item_id, plan in jobs:
            try:
                total.add(await plan(item_id))
            except Exception:
                log.exception("planning reminders of %s %s failed; the next pass retries",
                              kind, item_id)
        return total

    async def hold_overdue_in_quiet_hours(self) -> int:
        """Reminders that fell due while the service was down must not ping anyone at night:
        move them to the next working window if they are still useful then, else record them
        as missed. Run before the delivery worker starts, and on every pass."""
        now = self._clock.now()
        changed = 0
        async with self._db.session() as session:
            # Only the calendar's own rows; personal reminders keep the moment asked for.
            rows = await overdue_rows(session, now=now, kinds=(REMINDER, NOTICE),
                                      source_prefixes=("event:", "deadline:"))
            if not rows:
                return 0
            quiet = await self._quiet_of(session, {r.person_id for r in rows if r.person_id})
            missed: list[int] = []
            for row in rows:
                hours = quiet(row.person_id) if row.person_id else self.settings.quiet
                opens = hours.next_open(now)
                if opens <= now:
                    continue
                useful = utc(row.useful_until) if row.useful_until else None
                if useful is None or opens < useful:
                    changed += await retime_row(session, int(row.id or 0), not_before=opens,
                                                useful_until=row.useful_until)
                elif row.kind == REMINDER:
                    missed.append(int(row.id or 0))
            changed += await close_rows(session, missed, state=DeliveryState.MISSED,
                                        reason="quiet hours until it was too late")
            await session.commit()
        if changed:
            log.info("held %d overdue reminders until the end of quiet hours", changed)
        return changed

    # --- notices ------------------------------------------------------------------------------

    async def notify_reminded(
        self, session: AsyncSession, *, source: str, rows: Iterable[OutboxRow],
        key_prefix: str, about: Callable[[str], bool], build: Callable[[str], OutboundMessage],
        urgent_before: datetime | None, useful_until: datetime | None,
        exclude: frozenset[int] = frozenset(),
    ) -> int:
        """Tell everyone already reminded (of an occurrence ``about`` accepts) what changed,
        on the messenger the reminder reached them on. Quiet hours apply unless they would
        hold the notice past ``urgent_before``. Returns notices planned."""
        now = self._clock.now()
        reached: dict[tuple[int, int], OutboxRow] = {}
        for row in rows:
            if row.kind != REMINDER or row.state not in _SENT or row.person_id is None or \
                    row.person_id in exclude:
                continue
            match = EVENT_KEY.match(row.dedupe_key)
            occurrence = match[3] if match else ""
            if not about(occurrence):
                continue
            reached[(row.person_id, int(row.account_id or 0))] = row
        if not reached:
            return 0
        person_ids = {pid for pid, _ in reached}
        persons = await persons_by_id(session, person_ids)
        quiet = await self._quiet_of(session, person_ids)
        messages: dict[str, str] = {}
        notices = []
        for (person_id, account_id), row in sorted(reached.items()):
            lang = person_lang(persons.get(person_id))
            if lang not in messages:
                messages[lang] = message_to_json(build(lang))
            moment = quiet(person_id).next_open(now)
            if urgent_before is not None and moment >= urgent_before:
                moment = now  # a change that matters before quiet hours end goes out now
            key = f"{key_prefix}.p{person_id}.a{account_id}"
            notices.append(NewDelivery(
                dedupe_key=key, kind=NOTICE, platform=row.platform, target=row.target,
                payload=messages[lang], not_before=moment, source=source,
                person_id=person_id, account_id=account_id or None,
                useful_until=useful_until,
            ))
        return await enqueue(session, notices)

    # --- internals ----------------------------------------------------------------------------

    async def _quiet_of(self, session: AsyncSession, person_ids: Iterable[int]
                        ) -> Callable[[int | None], QuietHours]:
        preferences = await quiet_preferences(session, [p for p in person_ids if p])

        def quiet(person_id: int | None) -> QuietHours:
            return self.quiet_for(preferences.get(person_id) if person_id else None)

        return quiet

    async def _apply(
        self, session: AsyncSession, *, rows: list[OutboxRow], desired: dict[str, NewDelivery],
        recipients: set[int], current_prefix: str, lock: Callable[[], Awaitable[bool]],
    ) -> PlanReport:
        """Reconcile existing reminder rows with the desired ones."""
        now = self._clock.now()
        existing = {r.dedupe_key: r for r in rows if r.kind == REMINDER}
        inserts: list[NewDelivery] = []
        retimes: list[tuple[int, NewDelivery]] = []
        revivals: list[tuple[int, NewDelivery]] = []
        for key, wanted in desired.items():
            row = existing.get(key)
            if row is None:
                inserts.append(wanted)
            elif row.state == DeliveryState.PENDING.value and utc(row.not_before) > now and \
                    utc(row.not_before) != wanted.not_before:
                retimes.append((row.id, wanted))
            elif row.state == DeliveryState.CANCELLED.value and row.reason == REPLANNED:
                revivals.append((row.id, wanted))
        stale = [
            row.id for key, row in existing.items()
            if row.state == DeliveryState.PENDING.value and key not in desired and (
                not key.startswith(current_prefix) or utc(row.not_before) > now
                or row.person_id not in recipients)
        ]
        report = PlanReport()
        if not (inserts or retimes or revivals or stale):
            return report
        if not await lock():
            await session.rollback()
            report.stood_down = True
            return report
        report.inserted = await enqueue(session, inserts)
        for row_id, wanted in retimes:
            report.retimed += await retime_row(session, row_id, not_before=wanted.not_before,
                                               useful_until=wanted.useful_until)
        for row_id, wanted in revivals:
            report.retimed += await retime_row(
                session, row_id, not_before=wanted.not_before, useful_until=wanted.useful_until,
                payload=wanted.payload, from_states=(DeliveryState.CANCELLED.value,))
        report.cancelled = await close_rows(session, stale, state=DeliveryState.CANCELLED,
                                            reason=REPLANNED)
        return report


def _delivery(key: str, account: MessengerAccount, payload: str, moment: datetime,
              useful_until: datetime, source: str) -> NewDelivery:
    return NewDelivery(
        dedupe_key=key, kind=REMINDER, platform=account.platform,
        target=account.private_ref or "", payload=payload, not_before=moment, source=source,
        person_id=account.person_id, account_id=account.id, useful_until=useful_until,
    )


def heard_of(rows: Iterable[OutboxRow], *, sequence: int, one_off: bool
             ) -> set[tuple[str, int]]:
    """(occurrence key, person) of the event's occurrences a person has already heard of: a
    reminder of it reached them (in any revision), or a notice of the current revision (which
    shows the event as it is now) is on its way. ``ALL`` stands for every occurrence.

    A one-off event has a single occurrence, whatever start its reminders were planned for:
    its key is its start, and the start is what a change of time changes. Reminders merely
    planned do not count: a person whose reminders were all cancelled by a change, or whose
    catch-up reminder waits for the end of quiet hours, has not heard of it yet.
    """
    told: set[tuple[str, int]] = set()
    for row in rows:
        if row.person_id is None:
            continue
        if row.kind == REMINDER and row.state in _SENT:
            match = EVENT_KEY.match(row.dedupe_key)
        elif row.kind == NOTICE and row.state in (*_SENT, DeliveryState.PENDING.value):
            match = NOTICE_KEY.match(row.dedupe_key)
            if match and int(match[2]) != sequence:
                continue
        else:
            continue
        if match:
            told.add((ALL if one_off else match[3], row.person_id))
    return told


def occurrence_keys(occurrences: Iterable[Occurrence]) -> set[str]:
    """The identities of some occurrences."""
    return {stamp(o.recurrence_id) for o in occurrences}


__all__ = ["PlanReport", "ReminderService", "occurrence_keys"]
