"""Repositories of the calendar: events, deadlines, personal reminders, answers, feeds, and
the calendar's own bookkeeping on outbox rows (re-timing and cancelling its reminders)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel
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
    """A forum by its short key, case-insensitively ("pzp" → PZP)."""
    result = await session.execute(select(Forum).where(func.upper(Forum.key) == key.upper()))
    return result.scalars().first()


async def all_forums(session: AsyncSession) -> list[Forum]:
    """Every forum, by key."""
    return list((await session.execute(select(Forum).order_by(Forum.key))).scalars())


async def forum_ids_of(session: AsyncSession, person_id: int) -> set[int]:
    """Forums a person belongs to."""
    rows = await session.execute(
        select(ForumMember.forum_id).where(ForumMember.person_id == person_id)  # type: ignore[arg-type]
    )
    return set(rows.scalars())


async def forum_member_ids(session: AsyncSession, forum_id: int) -> set[int]:
    """Members of a forum."""
    rows = await session.execute(
        select(ForumMember.person_id).where(ForumMember.forum_id == forum_id)  # type: ignore[arg-type]
    )
    return set(rows.scalars())


async def coordinators_of(session: AsyncSession, gmina_ids: Iterable[int]) -> dict[int, set[int]]:
    """Gmina coordinators of each gmina."""
    ids = list(gmina_ids)
    found: dict[int, set[int]] = defaultdict(set)
    if not ids:
        return found
    rows = await session.execute(
        select(RoleGrant.gmina_id, RoleGrant.person_id).where(
            RoleGrant.role == Role.GMINA_COORDINATOR.value,  # type: ignore[arg-type]
            RoleGrant.gmina_id.in_(ids),  # type: ignore[union-attr]
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
            select(Person).where(Person.id.in_(wanted[start:start + 1000]))  # type: ignore[union-attr]
        )
        found.update({int(p.id): p for p in rows.scalars()})  # type: ignore[arg-type]
    return found


async def usable_accounts(session: AsyncSession, person_ids: Iterable[int]
                          ) -> dict[int, list[MessengerAccount]]:
    """Linked, reachable messenger accounts with a stored private chat, per person."""
    wanted = sorted(set(person_ids))
    found: dict[int, list[MessengerAccount]] = defaultdict(list)
    for start in range(0, len(wanted), 1000):
        rows = await session.execute(
            select(MessengerAccount).where(
                MessengerAccount.person_id.in_(wanted[start:start + 1000]),  # type: ignore[union-attr]
                MessengerAccount.reachable == True,  # type: ignore[arg-type]  # noqa: E712
                MessengerAccount.private_ref.is_not(None),  # type: ignore[union-attr]
            ).order_by(MessengerAccount.id)
        )
        for account in rows.scalars():
            found[int(account.person_id)].append(account)  # type: ignore[arg-type]
    return found


async def quiet_preferences(session: AsyncSession, person_ids: Iterable[int]
                            ) -> dict[int, QuietPreference]:
    """People's own quiet hours."""
    wanted = sorted(set(person_ids))
    found: dict[int, QuietPreference] = {}
    for start in range(0, len(wanted), 1000):
        rows = await session.execute(
            select(QuietPreference).where(
                QuietPreference.person_id.in_(wanted[start:start + 1000])  # type: ignore[attr-defined]
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
        select(EventOverride).where(EventOverride.event_id == event_id)  # type: ignore[arg-type]
        .order_by(EventOverride.recurrence_id)
    )
    return list(rows.scalars())


async def event_by_uid(session: AsyncSession, uid: str) -> Event | None:
    """An event by its iCalendar UID."""
    return (await session.execute(select(Event).where(Event.uid == uid))).scalars().first()  # type: ignore[arg-type]


async def events_to_plan(session: AsyncSession, *, since: datetime,
                         forum_ids: Iterable[int] | None = None,
                         with_cancelled: bool = False) -> list[Event]:
    """Events that may still have occurrences after ``since`` (recurring ones, or ones that
    have not ended), optionally of some forums only."""
    conditions = [or_(Event.rrule != "", Event.ends_at > since)]  # type: ignore[arg-type,operator]
    if not with_cancelled:
        conditions.append(Event.status == CalendarStatus.ACTIVE.value)  # type: ignore[arg-type]
    if forum_ids is not None:
        conditions.append(Event.forum_id.in_(list(forum_ids)))  # type: ignore[attr-defined]
    rows = await session.execute(select(Event).where(and_(*conditions)).order_by(Event.id))
    return list(rows.scalars())


async def overrides_by_event(session: AsyncSession, event_ids: Iterable[int]
                             ) -> dict[int, list[EventOverride]]:
    """Moved occurrences of several events."""
    ids = list(event_ids)
    found: dict[int, list[EventOverride]] = defaultdict(list)
    if ids:
        rows = await session.execute(
            select(EventOverride).where(EventOverride.event_id.in_(ids))  # type: ignore[attr-defined]
        )
        for override in rows.scalars():
            found[override.event_id].append(override)
    return found


async def claim_revision(session: AsyncSession, model: type[SQLModel], item_id: int,
                         sequence: int | None, now: datetime) -> bool:
    """Lock an event, deadline or personal reminder for planning, if it is still active (and
    still at ``sequence``). The UPDATE takes the row lock on PostgreSQL and the write lock on
    SQLite, so a change made meanwhile waits for this plan or makes it stand down."""
    table = model.__table__  # type: ignore[attr-defined]
    conditions = [table.c.id == item_id, table.c.status == CalendarStatus.ACTIVE.value]
    if sequence is not None:
        conditions.append(table.c.sequence == sequence)
    result = await session.execute(update(table).where(*conditions).values(planned_at=now))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def set_rsvp(session: AsyncSession, *, event_id: int, occurrence: datetime,
                   person_id: int, answer: str, now: datetime) -> None:
    """Record (or change) an answer."""
    existing = (await session.execute(select(Rsvp).where(
        Rsvp.event_id == event_id, Rsvp.occurrence == occurrence,  # type: ignore[arg-type]
        Rsvp.person_id == person_id,  # type: ignore[arg-type]
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
    moving = select(Rsvp.person_id).where(
        Rsvp.event_id == event_id, Rsvp.occurrence == before)  # type: ignore[arg-type]
    await session.execute(delete(Rsvp).where(
        Rsvp.event_id == event_id, Rsvp.occurrence == after,  # type: ignore[arg-type]
        Rsvp.person_id.in_(moving)))  # type: ignore[attr-defined]
    await session.execute(update(Rsvp).where(
        Rsvp.event_id == event_id, Rsvp.occurrence == before,  # type: ignore[arg-type]
    ).values(occurrence=after))


async def rsvps_of(session: AsyncSession, event_id: int) -> list[Rsvp]:
    """Every answer for an event."""
    rows = await session.execute(select(Rsvp).where(Rsvp.event_id == event_id))  # type: ignore[arg-type]
    return list(rows.scalars())


async def rsvps_of_person(session: AsyncSession, person_id: int) -> list[Rsvp]:
    """A person's answers."""
    rows = await session.execute(select(Rsvp).where(Rsvp.person_id == person_id))  # type: ignore[arg-type]
    return list(rows.scalars())


# --- deadlines -------------------------------------------------------------------------------


async def audience_of(session: AsyncSession, deadline_ids: Iterable[int]
                      ) -> dict[int, list[DeadlineAudience]]:
    """Gminy and people each deadline names."""
    ids = list(deadline_ids)
    found: dict[int, list[DeadlineAudience]] = defaultdict(list)
    if ids:
        rows = await session.execute(
            select(DeadlineAudience).where(DeadlineAudience.deadline_id.in_(ids))  # type: ignore[attr-defined]
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
            select(DeadlineDone).where(DeadlineDone.deadline_id.in_(ids))  # type: ignore[attr-defined]
        )
        for row in rows.scalars():
            found[row.deadline_id][row.person_id] = row.done_at
    return found


async def deadlines_to_plan(session: AsyncSession, *, since: datetime,
                            with_cancelled: bool = False) -> list[Deadline]:
    """Deadlines not yet past."""
    conditions = [Deadline.due_at > since]  # type: ignore[operator]
    if not with_cancelled:
        conditions.append(Deadline.status == CalendarStatus.ACTIVE.value)  # type: ignore[arg-type]
    rows = await session.execute(select(Deadline).where(*conditions).order_by(Deadline.due_at))
    return list(rows.scalars())


# --- personal reminders ----------------------------------------------------------------------


async def personal_reminders(session: AsyncSession, *, person_id: int | None = None,
                             since: datetime) -> list[PersonalReminder]:
    """Active personal reminders due after ``since`` (of one person, or everyone's); a
    repeating one whatever its ``due_at`` (the planner moves it on, and after a long stop
    it may lag behind)."""
    conditions = [PersonalReminder.status == CalendarStatus.ACTIVE.value,  # type: ignore[arg-type]
                  or_(PersonalReminder.due_at > since,  # type: ignore[operator]
                      PersonalReminder.rrule != "")]  # type: ignore[arg-type]
    if person_id is not None:
        conditions.append(PersonalReminder.person_id == person_id)  # type: ignore[arg-type]
    rows = await session.execute(
        select(PersonalReminder).where(*conditions).order_by(PersonalReminder.due_at)
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
    query = select(Delivery.id, Delivery.dedupe_key, Delivery.kind, Delivery.state,
                   Delivery.not_before, Delivery.reason, Delivery.person_id,
                   Delivery.account_id, Delivery.platform, Delivery.target).where(
        Delivery.source == source)  # type: ignore[arg-type]
    if since is not None:
        query = query.where(Delivery.not_before >= since)  # type: ignore[arg-type,operator]
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
        update(Delivery).where(Delivery.id == row_id,  # type: ignore[arg-type]
                               Delivery.state.in_(from_states))  # type: ignore[attr-defined]
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def close_rows(session: AsyncSession, row_ids: Iterable[int], *, state: DeliveryState,
                     reason: str) -> int:
    """Cancel (or mark missed) pending rows, saying why."""
    ids = list(row_ids)
    if not ids:
        return 0
    result = await session.execute(
        update(Delivery).where(Delivery.id.in_(ids),  # type: ignore[union-attr]
                               Delivery.state == DeliveryState.PENDING.value)  # type: ignore[arg-type]
        .values(state=state.value, reason=reason[:300])
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def cancel_pending_of_person(session: AsyncSession, *, source: str, person_id: int,
                                   reason: str) -> int:
    """Cancel one person's pending rows of a source (a deadline they reported done)."""
    result = await session.execute(
        update(Delivery).where(Delivery.source == source,  # type: ignore[arg-type]
                               Delivery.person_id == person_id,  # type: ignore[arg-type]
                               Delivery.state == DeliveryState.PENDING.value)  # type: ignore[arg-type]
        .values(state=DeliveryState.CANCELLED.value, reason=reason[:300])
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def overdue_rows(session: AsyncSession, *, now: datetime, kinds: tuple[str, ...],
                       source_prefixes: tuple[str, ...]) -> list[Delivery]:
    """Pending rows of some sources ("event:", "deadline:") already due (the service was
    down, or is catching up)."""
    rows = await session.execute(
        select(Delivery).where(
            Delivery.state == DeliveryState.PENDING.value,  # type: ignore[arg-type]
            Delivery.not_before <= now,  # type: ignore[arg-type,operator]
            Delivery.kind.in_(kinds),  # type: ignore[attr-defined]
            or_(*(Delivery.source.startswith(p) for p in source_prefixes)),  # type: ignore[attr-defined]
        )
    )
    return list(rows.scalars())


async def delivery_summary(session: AsyncSession, source: str
                           ) -> tuple[dict[str, int], list[tuple[int | None, str]]]:
    """Reminder counts by state for a source, and (person, reason) of the failed ones."""
    counts: dict[str, int] = {}
    failures: list[tuple[int | None, str]] = []
    rows = await session.execute(
        select(Delivery.state, Delivery.person_id, Delivery.reason).where(
            Delivery.source == source, Delivery.kind == "reminder",  # type: ignore[arg-type]
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
    stale = delete(ReminderGap).where(ReminderGap.source == source)  # type: ignore[arg-type]
    if person_ids:
        stale = stale.where(ReminderGap.person_id.not_in(sorted(person_ids)))  # type: ignore[attr-defined]
    await session.execute(stale)


async def gaps_of(session: AsyncSession, source: str) -> list[ReminderGap]:
    """Invited people who cannot be reminded, for the organiser."""
    rows = await session.execute(
        select(ReminderGap).where(ReminderGap.source == source)  # type: ignore[arg-type]
        .order_by(ReminderGap.since)
    )
    return list(rows.scalars())


# --- feeds -----------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    """What is stored of a feed token."""
    return hashlib.sha256(token.encode()).hexdigest()


async def feed_by_token(session: AsyncSession, token: str) -> CalendarFeed | None:
    """A live feed by its secret token."""
    feed = (await session.execute(select(CalendarFeed).where(
        CalendarFeed.token_hash == token_hash(token)  # type: ignore[arg-type]
    ))).scalars().first()
    if feed is None or feed.revoked_at is not None:
        return None
    return feed


async def live_feed(session: AsyncSession, *, person_id: int, forum_id: int | None
                    ) -> CalendarFeed | None:
    """The person's current feed (own, or of a forum)."""
    scope = (CalendarFeed.forum_id.is_(None) if forum_id is None  # type: ignore[union-attr]
             else CalendarFeed.forum_id == forum_id)
    rows = await session.execute(select(CalendarFeed).where(
        CalendarFeed.person_id == person_id,  # type: ignore[arg-type]
        scope, CalendarFeed.revoked_at.is_(None),  # type: ignore[union-attr]
    ))
    return rows.scalars().first()


async def events_for_feed(session: AsyncSession, *, forum_ids: Iterable[int] | None,
                          organiser_id: int | None, history_since: datetime,
                          cancelled_since: datetime) -> list[Event]:
    """Events a feed shows: recent and coming ones, and recently cancelled ones (so that
    subscribed calendars remove them)."""
    scope = []
    if forum_ids is not None:
        scope.append(Event.forum_id.in_(list(forum_ids)))  # type: ignore[attr-defined]
    if organiser_id is not None:
        scope.append(Event.organiser_id == organiser_id)  # type: ignore[arg-type]
    if not scope:
        return []
    live = and_(Event.status == CalendarStatus.ACTIVE.value,  # type: ignore[arg-type]
                or_(Event.rrule != "", Event.ends_at > history_since))  # type: ignore[arg-type,operator]
    gone = and_(Event.status == CalendarStatus.CANCELLED.value,  # type: ignore[arg-type]
                Event.updated_at > cancelled_since)  # type: ignore[arg-type,operator]
    rows = await session.execute(
        select(Event).where(or_(*scope), or_(live, gone)).order_by(Event.starts_at, Event.id)
    )
    return list(rows.scalars())


async def deadlines_for_feed(session: AsyncSession, *, history_since: datetime,
                             cancelled_since: datetime) -> list[Deadline]:
    """Deadlines a feed may show (the caller picks whose)."""
    live = and_(Deadline.status == CalendarStatus.ACTIVE.value,  # type: ignore[arg-type]
                Deadline.due_at > history_since)  # type: ignore[arg-type,operator]
    gone = and_(Deadline.status == CalendarStatus.CANCELLED.value,  # type: ignore[arg-type]
                Deadline.updated_at > cancelled_since)  # type: ignore[arg-type,operator]
    rows = await session.execute(select(Deadline).where(or_(live, gone)).order_by(Deadline.due_at))
    return list(rows.scalars())
