"""Repositories of the calendar: events, deadlines, personal reminders, answers, feeds, and
the calendar's own bookkeeping on outbox rows (re-timing and cancelling its reminders)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.calendar_models import (
    CalendarFeed,
    CalendarStatus,
    Deadline,
    DeadlineAudience,
    DeadlineDone,
    Event,
    EventOverride,
    PersonalReminder,
    QuietPreference,
    ReminderGap,
    Rsvp,
)
from store.db import affected_rows, table_of
from store.forums import find_forum, member_ids
from store.models import (
    Delivery,
    DeliveryState,
    Forum,
    ForumMember,
    MessengerAccount,
    Person,
    Role,
    RoleGrant,
)

# --- people, forums, gminy -------------------------------------------------------------------


async def forum_by_key(session: AsyncSession, key: str) -> Forum | None:
    """A forum by its short key, case-insensitively ("pzp" → PZP), archived or not."""
    found = await find_forum(session, key)
    return found[0] if found else None


async def all_forums(session: AsyncSession) -> list[Forum]:
    """Every forum, by key."""
    return list((await session.execute(select(Forum).order_by(col(Forum.key)))).scalars())


async def forum_member_ids(session: AsyncSession, forum_id: int) -> set[int]:
    """Members of a forum."""
    return await member_ids(session, forum_id)


async def forum_ids_of(session: AsyncSession, person_id: int) -> set[int]:
    """Forums a person belongs to."""
    rows = await session.execute(
        select(col(ForumMember.forum_id)).where(col(ForumMember.person_id) == person_id)
    )
    return set(rows.scalars())


async def coordinators_of(session: AsyncSession, gmina_ids: Iterable[int]) -> dict[int, set[int]]:
    """Gmina coordinators of each gmina."""
    ids = list(gmina_ids)
    found: dict[int, set[int]] = defaultdict(set)
    if not ids:
        return found
    rows = await session.execute(
        select(col(RoleGrant.gmina_id), col(RoleGrant.person_id)).where(
            col(RoleGrant.role) == Role.GMINA_COORDINATOR.value,
            col(RoleGrant.gmina_id).in_(ids),
        )
    )
    for gmina_id, person_id in rows:
        found[gmina_id].add(person_id)
    return found


async def persons_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Person]:
    """People by id (missing ids are left out)."""
    wanted = sorted(set(ids))
    found: dict[int, Person] = {}
    for start in range(0, len(wanted), 1000):
        rows = await session.execute(
            select(Person).where(col(Person.id).in_(wanted[start:start + 1000]))
        )
        found.update({int(p.id): p for p in rows.scalars()})
    return found


async def usable_accounts(session: AsyncSession, person_ids: Iterable[int]
                          ) -> dict[int, list[MessengerAccount]]:
    """Linked, reachable messenger accounts with a stored private chat, per person."""
    wanted = sorted(set(person_ids))
    found: dict[int, list[MessengerAccount]] = defaultdict(list)
    for start in range(0, len(wanted), 1000):
        rows = await session.execute(
            select(MessengerAccount).where(
                col(MessengerAccount.person_id).in_(wanted[start:start + 1000]),
                col(MessengerAccount.reachable) == True,  # noqa: E712
                col(MessengerAccount.private_ref).is_not(None),
            ).order_by(col(MessengerAccount.id))
        )
        for account in rows.scalars():
            found[int(account.person_id)].append(account)
    return found


async def quiet_preferences(session: AsyncSession, person_ids: Iterable[int]
                            ) -> dict[int, QuietPreference]:
    """People's own quiet hours."""
    wanted = sorted(set(person_ids))
    found: dict[int, QuietPreference] = {}
    for start in range(0, len(wanted), 1000):
        rows = await session.execute(
            select(QuietPreference).where(
                col(QuietPreference.person_id).in_(wanted[start:start + 1000])
            )
        )
        found.update({p.person_id: p for p in rows.scalars()})
    return found


async def save_quiet_preference(session: AsyncSession, preference: QuietPreference) -> None:
    """Store (or replace) a person's quiet hours."""
    await session.merge(preference)


# --- events ----------------------------------------------------------------------------------


async def overrides_of(session: AsyncSession, event_id: int) -> list[EventOverride]:
    """Moved occurrences of an event."""
    rows = await session.execute(
        select(EventOverride).where(col(EventOverride.event_id) == event_id)
        .order_by(col(EventOverride.recurrence_id))
    )
    return list(rows.scalars())


async def event_by_uid(session: AsyncSession, uid: str) -> Event | None:
    """An event by its iCalendar UID."""
    return (await session.execute(select(Event).where(col(Event.uid) == uid))).scalars().first()


async def events_to_plan(session: AsyncSession, *, since: datetime,
                         forum_ids: Iterable[int] | None = None,
                         with_cancelled: bool = False) -> list[Event]:
    """Events that may still have occurrences after ``since`` (recurring ones, or ones that
    have not ended), optionally of some forums only."""
    conditions = [or_(col(Event.rrule) != "", col(Event.ends_at) > since)]
    if not with_cancelled:
        conditions.append(col(Event.status) == CalendarStatus.ACTIVE.value)
    if forum_ids is not None:
        conditions.append(col(Event.forum_id).in_(list(forum_ids)))
    rows = await session.execute(select(Event).where(and_(*conditions)).order_by(col(Event.id)))
    return list(rows.scalars())


async def overrides_by_event(session: AsyncSession, event_ids: Iterable[int]
                             ) -> dict[int, list[EventOverride]]:
    """Moved occurrences of several events."""
    ids = list(event_ids)
    found: dict[int, list[EventOverride]] = defaultdict(list)
    if ids:
        rows = await session.execute(
            select(EventOverride).where(col(EventOverride.event_id).in_(ids))
        )
        for override in rows.scalars():
            found[override.event_id].append(override)
    return found


async def claim_revision(session: AsyncSession, model: type[SQLModel], item_id: int,
                         sequence: int | None, now: datetime) -> bool:
    """Lock an event, deadline or personal reminder for planning, if it is still active (and
    still at ``sequence``). The UPDATE takes the row lock on PostgreSQL and the write lock on
    SQLite, so a change made meanwhile waits for this plan or makes it stand down."""
    table = table_of(model)
    conditions = [table.c.id == item_id, table.c.status == CalendarStatus.ACTIVE.value]
    if sequence is not None:
        conditions.append(table.c.sequence == sequence)
    result = await session.execute(update(table).where(*conditions).values(planned_at=now))
    return bool(affected_rows(result))


async def set_rsvp(session: AsyncSession, *, event_id: int, occurrence: datetime,
                   person_id: int, answer: str, now: datetime) -> None:
    """Record (or change) an answer."""
    existing = (await session.execute(select(Rsvp).where(
        col(Rsvp.event_id) == event_id, col(Rsvp.occurrence) == occurrence,
        col(Rsvp.person_id) == person_id,
    ))).scalars().first()
    if existing is None:
        existing = Rsvp(event_id=event_id, occurrence=occurrence, person_id=person_id,
                        answer=answer)
    existing.answer = answer
    existing.answered_at = now
    session.add(existing)


async def rekey_rsvps(session: AsyncSession, *, event_id: int, before: datetime,
                      after: datetime) -> None:
    """Move the answers for occurrence ``before`` to ``after`` (a one-off meeting whose time
    changed: its only occurrence is known by its start). An answer already stored under
    ``after`` by the same person gives way to the one being moved."""
    moving = select(col(Rsvp.person_id)).where(
        col(Rsvp.event_id) == event_id, col(Rsvp.occurrence) == before)
    await session.execute(delete(Rsvp).where(
        col(Rsvp.event_id) == event_id, col(Rsvp.occurrence) == after,
        col(Rsvp.person_id).in_(moving)))
    await session.execute(update(Rsvp).where(
        col(Rsvp.event_id) == event_id, col(Rsvp.occurrence) == before,
    ).values(occurrence=after))


async def rsvps_of(session: AsyncSession, event_id: int) -> list[Rsvp]:
    """Every answer for an event."""
    rows = await session.execute(select(Rsvp).where(col(Rsvp.event_id) == event_id))
    return list(rows.scalars())


async def rsvps_of_person(session: AsyncSession, person_id: int) -> list[Rsvp]:
    """A person's answers."""
    rows = await session.execute(select(Rsvp).where(col(Rsvp.person_id) == person_id))
    return list(rows.scalars())


# --- deadlines -------------------------------------------------------------------------------


async def audience_of(session: AsyncSession, deadline_ids: Iterable[int]
                      ) -> dict[int, list[DeadlineAudience]]:
    """Gminy and people each deadline names."""
    ids = list(deadline_ids)
    found: dict[int, list[DeadlineAudience]] = defaultdict(list)
    if ids:
        rows = await session.execute(
            select(DeadlineAudience).where(col(DeadlineAudience.deadline_id).in_(ids))
        )
        for row in rows.scalars():
            found[row.deadline_id].append(row)
    return found


async def done_of(session: AsyncSession, deadline_ids: Iterable[int]
                  ) -> dict[int, dict[int, datetime]]:
    """Who reported each deadline done, and when."""
    ids = list(deadline_ids)
    found: dict[int, dict[int, datetime]] = defaultdict(dict)
    if ids:
        rows = await session.execute(
            select(DeadlineDone).where(col(DeadlineDone.deadline_id).in_(ids))
        )
        for row in rows.scalars():
            found[row.deadline_id][row.person_id] = row.done_at
    return found


async def deadlines_to_plan(session: AsyncSession, *, since: datetime,
                            with_cancelled: bool = False) -> list[Deadline]:
    """Deadlines not yet past."""
    conditions = [col(Deadline.due_at) > since]
    if not with_cancelled:
        conditions.append(col(Deadline.status) == CalendarStatus.ACTIVE.value)
    rows = await session.execute(select(Deadline).where(*conditions).order_by(col(Deadline.due_at)))
    return list(rows.scalars())


# --- personal reminders ----------------------------------------------------------------------


async def personal_reminders(session: AsyncSession, *, person_id: int | None = None,
                             since: datetime) -> list[PersonalReminder]:
    """Active personal reminders due after ``since`` (of one person, or everyone's); a
    repeating one whatever its ``due_at`` (the planner moves it on, and after a long stop
    it may lag behind)."""
    conditions = [col(PersonalReminder.status) == CalendarStatus.ACTIVE.value,
                  or_(col(PersonalReminder.due_at) > since,
                      col(PersonalReminder.rrule) != "")]
    if person_id is not None:
        conditions.append(col(PersonalReminder.person_id) == person_id)
    rows = await session.execute(
        select(PersonalReminder).where(*conditions).order_by(col(PersonalReminder.due_at))
    )
    return list(rows.scalars())


# --- outbox rows of the calendar -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """What the planner needs to know about an existing outbox row."""

    id: int
    dedupe_key: str
    kind: str
    state: str
    not_before: datetime
    reason: str
    person_id: int | None
    account_id: int | None
    platform: str
    target: str


async def outbox_rows(session: AsyncSession, source: str, *, since: datetime | None = None
                      ) -> list[OutboxRow]:
    """Every outbox row of ``source`` ("event:12"); with ``since``, only those due from then
    on (a repeating reminder's past occurrences are no longer planned)."""
    query = select(col(Delivery.id), col(Delivery.dedupe_key), col(Delivery.kind),
                   col(Delivery.state), col(Delivery.not_before), col(Delivery.reason),
                   col(Delivery.person_id), col(Delivery.account_id), col(Delivery.platform),
                   col(Delivery.target)).where(
        col(Delivery.source) == source)
    if since is not None:
        query = query.where(col(Delivery.not_before) >= since)
    return [OutboxRow(*row) for row in await session.execute(query)]


async def retime_row(session: AsyncSession, row_id: int, *, not_before: datetime,
                     useful_until: datetime | None, payload: str | None = None,
                     from_states: tuple[str, ...] = (DeliveryState.PENDING.value,)) -> bool:
    """Move a not-yet-sent row to another moment (or bring back one cancelled by planning)."""
    values: dict[str, object] = {"not_before": not_before, "useful_until": useful_until,
                                 "state": DeliveryState.PENDING.value, "reason": ""}
    if payload is not None:
        values["payload"] = payload
    result = await session.execute(
        update(Delivery).where(col(Delivery.id) == row_id,
                               col(Delivery.state).in_(from_states))
        .values(**values)
    )
    return bool(affected_rows(result))


async def close_rows(session: AsyncSession, row_ids: Iterable[int], *, state: DeliveryState,
                     reason: str) -> int:
    """Cancel (or mark missed) pending rows, saying why."""
    ids = list(row_ids)
    if not ids:
        return 0
    result = await session.execute(
        update(Delivery).where(col(Delivery.id).in_(ids),
                               col(Delivery.state) == DeliveryState.PENDING.value)
        .values(state=state.value, reason=reason[:300])
    )
    return affected_rows(result)


async def cancel_pending_of_person(session: AsyncSession, *, source: str, person_id: int,
                                   reason: str) -> int:
    """Cancel one person's pending rows of a source (a deadline they reported done)."""
    result = await session.execute(
        update(Delivery).where(col(Delivery.source) == source,
                               col(Delivery.person_id) == person_id,
                               col(Delivery.state) == DeliveryState.PENDING.value)
        .values(state=DeliveryState.CANCELLED.value, reason=reason[:300])
    )
    return affected_rows(result)


async def overdue_rows(session: AsyncSession, *, now: datetime, kinds: tuple[str, ...],
                       source_prefixes: tuple[str, ...]) -> list[Delivery]:
    """Pending rows of some sources ("event:", "deadline:") already due (the service was
    down, or is catching up)."""
    rows = await session.execute(
        select(Delivery).where(
            col(Delivery.state) == DeliveryState.PENDING.value,
            col(Delivery.not_before) <= now,
            col(Delivery.kind).in_(kinds),
            or_(*(col(Delivery.source).startswith(p) for p in source_prefixes)),
        )
    )
    return list(rows.scalars())


async def delivery_summary(session: AsyncSession, source: str
                           ) -> tuple[dict[str, int], list[tuple[int | None, str]]]:
    """Reminder counts by state for a source, and (person, reason) of the failed ones."""
    counts: dict[str, int] = {}
    failures: list[tuple[int | None, str]] = []
    rows = await session.execute(
        select(col(Delivery.state), col(Delivery.person_id), col(Delivery.reason)).where(
            col(Delivery.source) == source, col(Delivery.kind) == "reminder",
        )
    )
    for state, person_id, reason in rows:
        counts[state] = counts.get(state, 0) + 1
        if state in (DeliveryState.FAILED.value, DeliveryState.DEAD.value):
            failures.append((person_id, reason))
    return counts, failures


# --- people who cannot be reminded -----------------------------------------------------------


async def record_gaps(session: AsyncSession, *, source: str, person_ids: set[int],
                      now: datetime) -> None:
    """Keep the list of invited people without a usable messenger up to date."""
    if person_ids:
        dialect = session.bind.dialect.name if session.bind else "sqlite"
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        await session.execute(
            insert(ReminderGap).values([
                {"source": source, "person_id": pid, "reason": "no_messenger", "since": now}
                for pid in sorted(person_ids)
            ]).on_conflict_do_nothing(index_elements=["source", "person_id"])
        )
    stale = delete(ReminderGap).where(col(ReminderGap.source) == source)
    if person_ids:
        stale = stale.where(col(ReminderGap.person_id).not_in(sorted(person_ids)))
    await session.execute(stale)


async def gaps_of(session: AsyncSession, source: str) -> list[ReminderGap]:
    """Invited people who cannot be reminded, for the organiser."""
    rows = await session.execute(
        select(ReminderGap).where(col(ReminderGap.source) == source)
        .order_by(col(ReminderGap.since))
    )
    return list(rows.scalars())


# --- feeds -----------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    """What is stored of a feed token."""
    return hashlib.sha256(token.encode()).hexdigest()


async def feed_by_token(session: AsyncSession, token: str) -> CalendarFeed | None:
    """A live feed by its secret token."""
    feed = (await session.execute(select(CalendarFeed).where(
        col(CalendarFeed.token_hash) == token_hash(token)
    ))).scalars().first()
    if feed is None or feed.revoked_at is not None:
        return None
    return feed


async def live_feed(session: AsyncSession, *, person_id: int, forum_id: int | None
                    ) -> CalendarFeed | None:
    """The person's current feed (own, or of a forum)."""
    scope = (col(CalendarFeed.forum_id).is_(None) if forum_id is None
             else col(CalendarFeed.forum_id) == forum_id)
    rows = await session.execute(select(CalendarFeed).where(
        col(CalendarFeed.person_id) == person_id,
        scope, col(CalendarFeed.revoked_at).is_(None),
    ))
    return rows.scalars().first()


async def events_for_feed(session: AsyncSession, *, forum_ids: Iterable[int] | None,
                          organiser_id: int | None, history_since: datetime,
                          cancelled_since: datetime) -> list[Event]:
    """Events a feed shows: recent and coming ones, and recently cancelled ones (so that
    subscribed calendars remove them)."""
    scope: list[ColumnElement[bool]] = []
    if forum_ids is not None:
        scope.append(col(Event.forum_id).in_(list(forum_ids)))
    if organiser_id is not None:
        scope.append(col(Event.organiser_id) == organiser_id)
    if not scope:
        return []
    live = and_(col(Event.status) == CalendarStatus.ACTIVE.value,
                or_(col(Event.rrule) != "", col(Event.ends_at) > history_since))
    gone = and_(col(Event.status) == CalendarStatus.CANCELLED.value,
                col(Event.updated_at) > cancelled_since)
    rows = await session.execute(
        select(Event).where(or_(*scope), or_(live, gone))
        .order_by(col(Event.starts_at), col(Event.id))
    )
    return list(rows.scalars())


async def deadlines_for_feed(session: AsyncSession, *, history_since: datetime,
                             cancelled_since: datetime) -> list[Deadline]:
    """Deadlines a feed may show (the caller picks whose)."""
    live = and_(col(Deadline.status) == CalendarStatus.ACTIVE.value,
                col(Deadline.due_at) > history_since)
    gone = and_(col(Deadline.status) == CalendarStatus.CANCELLED.value,
                col(Deadline.updated_at) > cancelled_since)
    rows = await session.execute(
        select(Deadline).where(or_(live, gone)).order_by(col(Deadline.due_at)))
    return list(rows.scalars())
