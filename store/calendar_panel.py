"""What the office panel's calendar pages read: events and deadlines as one paginated list,
their reminders grouped by moment and state, and ICS files waiting between preview and
confirm.

Filtering, ordering, counting and grouping happen in SQL, so a page costs a few queries
whatever the size of the calendar or of a forum's outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    and_,
    case,
    delete,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql import Select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.calendar_models import CalendarStatus, CalendarUpload, Deadline, Event
from store.db import affected_rows
from store.models import Delivery, DeliveryState

UPLOAD_LIFETIME = timedelta(minutes=30)  # a preview left alone longer is dropped


class Span(StrEnum):
    """Which part of the calendar the list shows."""

    UPCOMING = "upcoming"
    PAST = "past"
    CANCELLED = "cancelled"


class Kind(StrEnum):
    """Events, deadlines, or both ("")."""

    ALL = ""
    EVENT = "event"
    DEADLINE = "deadline"


@dataclass(frozen=True, slots=True)
class CalendarRow:
    """One line of the list: an event or a deadline (times UTC)."""

    kind: str
    id: int
    title: str
    forum_id: int | None
    at: datetime
    ends_at: datetime
    all_day: bool
    rrule: str
    status: str
    organiser_id: int | None

    @property
    def source(self) -> str:
        """The outbox source of its reminders ("event:12")."""
        return f"{self.kind}:{self.id}"


def _rows(now: datetime, *, span: Span, kind: Kind, forum_id: int | None) -> Select[Any]:
    """Events and deadlines as one selectable with the same columns."""
    active = CalendarStatus.ACTIVE.value
    events: Any = select(
        literal("event").label("kind"), col(Event.id).label("id"), col(Event.title).label("title"),
        col(Event.forum_id).label("forum_id"), col(Event.starts_at).label("at"),
        col(Event.ends_at).label("ends_at"), col(Event.all_day).label("all_day"),
        col(Event.rrule).label("rrule"), col(Event.status).label("status"),
        col(Event.organiser_id).label("organiser_id"),
    )
    deadlines: Any = select(
        literal("deadline").label("kind"), col(Deadline.id).label("id"),
        col(Deadline.title).label("title"), col(Deadline.forum_id).label("forum_id"),
        col(Deadline.due_at).label("at"), col(Deadline.due_at).label("ends_at"),
        literal(False).label("all_day"), literal("").label("rrule"),
        col(Deadline.status).label("status"), col(Deadline.organiser_id).label("organiser_id"),
    )
    if span == Span.UPCOMING:  # a series counts as upcoming: its next meeting is ahead
        events = events.where(col(Event.status) == active,
                              or_(col(Event.rrule) != "", col(Event.ends_at) > now))
        deadlines = deadlines.where(col(Deadline.status) == active, col(Deadline.due_at) > now)
    elif span == Span.PAST:
        events = events.where(col(Event.status) == active, col(Event.rrule) == "",
                              col(Event.ends_at) <= now)
        deadlines = deadlines.where(col(Deadline.status) == active,
                                    col(Deadline.due_at) <= now)
    else:
        events = events.where(col(Event.status) != active)
        deadlines = deadlines.where(col(Deadline.status) != active)
    if forum_id is not None:
        events = events.where(col(Event.forum_id) == forum_id)
        deadlines = deadlines.where(col(Deadline.forum_id) == forum_id)
    parts = {Kind.EVENT: [events], Kind.DEADLINE: [deadlines]}.get(kind, [events, deadlines])
    return select(union_all(*parts).subquery())


async def calendar_page(session: AsyncSession, *, now: datetime, span: Span = Span.UPCOMING,
                        kind: Kind = Kind.ALL, forum_id: int | None = None, page: int = 1,
                        per_page: int = 50) -> tuple[list[CalendarRow], int]:
    """One page of the list and how many rows there are in all. Upcoming ones soonest
    first (a series already under way counts as now); past and cancelled ones latest
    first."""
    base = _rows(now, span=span, kind=kind, forum_id=forum_id).subquery()
    total = int(await session.scalar(select(func.count()).select_from(base)) or 0)
    if span == Span.UPCOMING:
        order = [case((base.c.at < now, now), else_=base.c.at).asc(), base.c.at.asc()]
    else:
        order = [base.c.at.desc()]
    query = (select(base).order_by(*order, base.c.kind, base.c.id)
             .offset(max(page - 1, 0) * per_page).limit(per_page))
    rows = [CalendarRow(kind=r.kind, id=int(r.id), title=r.title, forum_id=r.forum_id,
                        at=r.at, ends_at=r.ends_at, all_day=bool(r.all_day), rrule=r.rrule,
                        status=r.status, organiser_id=r.organiser_id)
            for r in await session.execute(query)]
    return rows, total


# --- reminders -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReminderGroup:
    """Reminders (or change notices) of one event or deadline due at one moment, in one
    state: how many messages, to how many people, and when they went out."""

    kind: str  # reminder / notice
    state: str
    at: datetime  # when it is (was) due
    messages: int
    people: int
    first_sent: datetime | None
    last_sent: datetime | None
    sample_key: str  # one dedupe key of the group: it names the reminder (day before, …)


async def reminder_groups(session: AsyncSession, source: str, *, limit: int = 200
                          ) -> list[ReminderGroup]:
    """The reminders and notices of ``source`` ("event:12") by moment and state, in time
    order (at most ``limit`` groups)."""
    query = (
        select(col(Delivery.kind), col(Delivery.state), col(Delivery.not_before),
               func.count(), func.count(func.distinct(col(Delivery.person_id))),
               func.min(col(Delivery.sent_at)), func.max(col(Delivery.sent_at)),
               func.min(col(Delivery.dedupe_key)))
        .where(col(Delivery.source) == source, col(Delivery.kind).in_(("reminder", "notice")))
        .group_by(col(Delivery.kind), col(Delivery.state), col(Delivery.not_before))
        .order_by(col(Delivery.not_before), col(Delivery.kind), col(Delivery.state))
        .limit(limit)
    )
    return [ReminderGroup(kind=kind, state=state, at=at, messages=int(messages),
                          people=int(people), first_sent=first, last_sent=last,
                          sample_key=key)
            for kind, state, at, messages, people, first, last, key
            in await session.execute(query)]


@dataclass(frozen=True, slots=True)
class ReminderTally:
    """Reminders of one event or deadline: still to go and gone out (people reached)."""

    planned: int = 0
    sent: int = 0
    people_reached: int = 0


async def reminder_tallies(session: AsyncSession, sources: list[str]
                           ) -> dict[str, ReminderTally]:
    """For the list: each source's planned and sent reminders, in one query."""
    if not sources:
        return {}
    waiting = (DeliveryState.PENDING.value, DeliveryState.SENDING.value)
    sent = DeliveryState.SENT.value
    query = (
        select(col(Delivery.source),
               func.count(case((col(Delivery.state).in_(waiting), 1))),
               func.count(case((col(Delivery.state) == sent, 1))),
               func.count(func.distinct(case((col(Delivery.state) == sent,
                                              col(Delivery.person_id))))))
        .where(col(Delivery.source).in_(sources), col(Delivery.kind) == "reminder")
        .group_by(col(Delivery.source))
    )
    return {source: ReminderTally(int(planned), int(done), int(people))
            for source, planned, done, people in await session.execute(query)}


async def events_by_uids(session: AsyncSession, uids: list[str]) -> dict[str, Event]:
    """Events by their iCalendar UIDs, a few queries for a whole file."""
    found: dict[str, Event] = {}
    wanted = sorted(set(uids))
    for start in range(0, len(wanted), 500):  # SQLite takes a limited number of parameters
        rows = await session.execute(select(Event).where(
            col(Event.uid).in_(wanted[start:start + 500])))
        for event in rows.scalars():
            found.setdefault(event.uid, event)
    return found


# --- ICS files between preview and confirm ---------------------------------------------------


async def forget_stale_uploads(session: AsyncSession, *, now: datetime) -> int:
    """Drop files left longer than :data:`UPLOAD_LIFETIME` (they may name people)."""
    result = await session.execute(delete(CalendarUpload).where(
        col(CalendarUpload.created_at) < now - UPLOAD_LIFETIME))
    return affected_rows(result)


async def save_upload(session: AsyncSession, upload: CalendarUpload) -> None:
    """Keep a file for its confirm step (and forget the ones left too long)."""
    await forget_stale_uploads(session, now=upload.created_at)
    session.add(upload)


async def find_upload(session: AsyncSession, *, token_hash: str, person_id: int,
                      session_key: str, now: datetime) -> CalendarUpload | None:
    """The file behind a preview, if it is this person's in this session and still fresh."""
    return (await session.execute(select(CalendarUpload).where(and_(
        col(CalendarUpload.token_hash) == token_hash,
        col(CalendarUpload.person_id) == person_id,
        col(CalendarUpload.session_key) == session_key,
        col(CalendarUpload.created_at) >= now - UPLOAD_LIFETIME,
    )))).scalars().first()


async def drop_upload(session: AsyncSession, token_hash: str) -> None:
    """Forget a file (imported, or given up)."""
    await session.execute(delete(CalendarUpload).where(
        col(CalendarUpload.token_hash) == token_hash))


@dataclass(frozen=True, slots=True)
class PlannedReach:
    """Reminders of one event or deadline still to go: messages and distinct people."""

    messages: int = 0
    people: int = 0


async def planned_reach(session: AsyncSession, source: str) -> PlannedReach:
    """How many reminders of ``source`` wait in the outbox, and for how many people."""
    waiting = (DeliveryState.PENDING.value, DeliveryState.SENDING.value)
    row = (await session.execute(
        select(func.count(), func.count(func.distinct(col(Delivery.person_id))))
        .where(col(Delivery.source) == source, col(Delivery.kind) == "reminder",
               col(Delivery.state).in_(waiting)))).one()
    return PlannedReach(messages=int(row[0]), people=int(row[1]))
