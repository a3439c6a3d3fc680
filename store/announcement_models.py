"""Tables of announcements: the announcement, and each recipient's acknowledgement."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.models import _ts, utcnow


class Announcement(SQLModel, table=True):
    """An announcement from draft (preview shown) to sent.

    ``author_ref`` / ``author_message_id`` point at the author's own copy (the confirmed
    preview), whose counters are updated in place.
    """

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(foreign_key="person.id", index=True)
    urgent: bool = False
    text: str = Field(sa_column=Column(Text, nullable=False))
    audience: str = Field(sa_column=Column(Text, nullable=False))  # JSON of the parsed audience
    audience_label: str = Field(default="", max_length=500)
    state: str = Field(default="draft", max_length=12)  # draft / sent / cancelled
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    author_ref: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    author_message_id: str = Field(default="", max_length=300)
    # The number people see ("Ogłoszenie nr 7", /raport 7): given when it is sent, one after
    # another, so a preview that is cancelled uses none.
    number: int | None = Field(default=None, unique=True, index=True)


class AnnouncementRecipient(SQLModel, table=True):
    """One person an announcement is for; acknowledging on any messenger counts everywhere."""

    __table_args__ = (UniqueConstraint("announcement_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    announcement_id: int = Field(foreign_key="announcement.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    platforms: str = Field(default="", max_length=100)  # where copies went, "telegram,teams"
    acknowledged_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    acknowledged_on: str = Field(default="", max_length=20)
    pings: int = 0
    last_ping_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    escalated_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
