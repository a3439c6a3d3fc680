"""Tables of the calendar: events, deadlines, personal reminders, answers and feeds.

Reminders themselves are rows of the outbox (:class:`store.models.Delivery`, kind
``reminder``); these tables hold what they are computed from. Times are timezone-aware UTC;
recurrences are expanded in Europe/Warsaw so that 9:00 stays 9:00 across DST changes.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, DateTime, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.models import utcnow


def _ts(*, nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


class CalendarStatus(StrEnum):
    """Whether an event, deadline or personal reminder still stands."""

    ACTIVE = "active"
    CANCELLED = "cancelled"


class Event(SQLModel, table=True):
    """A forum meeting, possibly recurring.

    ``starts_at``/``ends_at`` are the first occurrence (iCalendar DTSTART/DTEND); ``rrule`` is
    an RFC 5545 rule without DTSTART; ``exdates`` lists cancelled occurrences as UTC
    ``YYYYMMDDTHHMMSSZ`` separated by spaces. ``sequence`` goes up on every change (iCalendar
    SEQUENCE) and is part of every reminder's identity, so a change re-plans cleanly.
    ``updated_at`` is the moment of the last change: reminders due before it are never sent
    late.
    """

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True, max_length=255)
    forum_id: int = Field(foreign_key="forum.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    location: str = Field(default="", max_length=500)
    online_url: str = Field(default="", max_length=1000)
    materials: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    organiser_id: int | None = Field(default=None, foreign_key="person.id",
                                     ondelete="SET NULL")
    starts_at: datetime = Field(sa_column=_ts(index=True))
    ends_at: datetime = Field(sa_column=_ts())
    all_day: bool = False
    rrule: str = Field(default="", max_length=500)
    exdates: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    sequence: int = 0
    status: str = Field(default=CalendarStatus.ACTIVE.value, max_length=12)
    source: str = Field(default="command", max_length=100)  # command / ics:<file name>
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    planned_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class EventOverride(SQLModel, table=True):
    """One occurrence of a recurring event moved elsewhere (iCalendar RECURRENCE-ID)."""

    __table_args__ = (UniqueConstraint("event_id", "recurrence_id"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    recurrence_id: datetime = Field(sa_column=_ts())  # the original start
    starts_at: datetime = Field(sa_column=_ts())
    ends_at: datetime = Field(sa_column=_ts())
    title: str = Field(default="", max_length=300)  # "" = the event's
    location: str = Field(default="", max_length=500)  # "" = the event's


class RsvpAnswer(StrEnum):
    """"Będę" / "Nie będę"."""

    YES = "yes"
    NO = "no"


class Rsvp(SQLModel, table=True):
    """A person's answer for one occurrence of an event."""

    __table_args__ = (UniqueConstraint("event_id", "occurrence", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    occurrence: datetime = Field(sa_column=_ts())  # the occurrence's original start
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    answer: str = Field(max_length=5)
    answered_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Deadline(SQLModel, table=True):
    """Something that must be delivered by a moment, by a forum, gminy or people."""

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True, max_length=255)
    forum_id: int | None = Field(default=None, foreign_key="forum.id", index=True,
                                 ondelete="CASCADE")
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    due_at: datetime = Field(sa_column=_ts(index=True))
    organiser_id: int | None = Field(default=None, foreign_key="person.id",
                                     ondelete="SET NULL")
    sequence: int = 0
    status: str = Field(default=CalendarStatus.ACTIVE.value, max_length=12)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    planned_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class DeadlineAudience(SQLModel, table=True):
    """Who a deadline is for besides (or within) its forum: a gmina or a person."""

    id: int | None = Field(default=None, primary_key=True)
    deadline_id: int = Field(foreign_key="deadline.id", index=True, ondelete="CASCADE")
    gmina_id: int | None = Field(default=None, foreign_key="gmina.id", ondelete="CASCADE")
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="CASCADE")


class DeadlineDone(SQLModel, table=True):
    """A person reported a deadline as done: no more reminders for them."""

    deadline_id: int = Field(foreign_key="deadline.id", primary_key=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    done_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class PersonalReminder(SQLModel, table=True):
    """"/przypomnij jutro o 9 wysłać sprawozdanie" — for one person, at an exact moment.

    A repeating one ("/przypomnij w każdy poniedziałek o 9 …") has an RFC 5545 ``rrule``
    expanded in Warsaw time from ``repeat_from`` (its first occurrence, which keeps the
    chosen time of day across DST); ``due_at`` is then its next occurrence, moved on by the
    planner.
    """

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    text: str = Field(max_length=500)
    due_at: datetime = Field(sa_column=_ts(index=True))
    rrule: str = Field(default="", max_length=200)
    repeat_from: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    lang: str = Field(default="pl", max_length=5)
    status: str = Field(default=CalendarStatus.ACTIVE.value, max_length=12)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    planned_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class QuietPreference(SQLModel, table=True):
    """A person's own quiet hours; empty / None fields fall back to the configuration."""

    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    quiet_start: str = Field(default="", max_length=5)  # "HH:MM"
    quiet_end: str = Field(default="", max_length=5)
    weekends: bool | None = None
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class ReminderGap(SQLModel, table=True):
    """An invited person who cannot be reminded (no linked, reachable messenger).

    Kept per source ("event:12", "deadline:3") so the organiser sees it; removed when the
    person links a messenger and their reminders are planned.
    """

    __table_args__ = (UniqueConstraint("source", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=100, index=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    reason: str = Field(default="no_messenger", max_length=100)
    since: datetime = Field(default_factory=utcnow, sa_column=_ts())


class CalendarFeed(SQLModel, table=True):
    """A secret .ics address: a person's own calendar, or a forum's seen by that person.

    Only a SHA-256 hash of the token is stored; the address is shown once when issued.
    """

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    forum_id: int | None = Field(default=None, foreign_key="forum.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    revoked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    last_used_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class CalendarUpload(SQLModel, table=True):
    """An uploaded .ics file kept for its confirm step. Found by the hash of a random token,
    and only for the person and panel session that uploaded it; dropped when imported or
    after :data:`UPLOAD_LIFETIME`. No link to the person row: it lives minutes, not as data
    about them."""

    __tablename__ = "calendarupload"

    token_hash: str = Field(primary_key=True, max_length=64)
    person_id: int = Field(index=True)
    session_key: str = Field(max_length=64)  # a hash naming the panel session
    file_name: str = Field(max_length=300)
    default_forum_id: int | None = None
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    # the dry run's outcome as JSON: showing the preview again compares nothing
    preview: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
