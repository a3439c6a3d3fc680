"""SQLModel tables. The database is the truth; in-memory indexes are rebuilt from it.

Times are stored as timezone-aware UTC. Platform ids are text: Telegram chat ids need 52
bits and Slack/Teams ids are strings anyway.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import Column, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def _ts(*, nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


class Role(StrEnum):
    """Roles that unlock privileged commands. ``member`` is every linked person."""

    ADMIN = "admin"
    FORUM_MODERATOR = "forum_moderator"
    GMINA_COORDINATOR = "gmina_coordinator"
    MEMBER = "member"


class Gmina(SQLModel, table=True):
    """A municipality. ``teryt`` is the TERC code (7 digits) when known."""

    id: int | None = Field(default=None, primary_key=True)
    teryt: str | None = Field(default=None, unique=True, max_length=7)
    name: str = Field(index=True, max_length=120)
    kind: str = Field(default="", max_length=20)  # urban / rural / urban-rural
    powiat: str = Field(default="", max_length=120)
    wojewodztwo: str = Field(default="", max_length=60)
    demo: bool = False  # created by the demo; removed with it unless real data uses it


class GminaForm(SQLModel, table=True):
    """One normalised inflected form of a gmina's name ("wieliczce", "swiatnikach gornych")."""

    __table_args__ = (UniqueConstraint("form", "gmina_id"),)

    id: int | None = Field(default=None, primary_key=True)
    form: str = Field(index=True, max_length=200)
    gmina_id: int = Field(foreign_key="gmina.id", index=True, ondelete="CASCADE")


class Topic(SQLModel, table=True):
    """A subject area ("gospodarka odpadami"). ``builtin`` ones come from the thesaurus."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=80)
    name_pl: str = Field(max_length=200)
    name_en: str = Field(default="", max_length=200)
    builtin: bool = False


class TopicSynonym(SQLModel, table=True):
    """A word or phrase that means the topic, added by an admin on top of the thesaurus."""

    __table_args__ = (UniqueConstraint("topic_id", "phrase"),)

    id: int | None = Field(default=None, primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", index=True, ondelete="CASCADE")
    phrase: str = Field(max_length=200)
    lang: str = Field(default="pl", max_length=5)


class Person(SQLModel, table=True):
    """A member of staff. Contact details are personal data: shown only to linked users."""

    # The directory table pages by name (the office panel): migration 0005b creates it.
    __table_args__ = (Index("ix_person_name", "name", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, unique=True, max_length=254)
    position: str = Field(default="", max_length=300)
    phone: str = Field(default="", max_length=60)
    preferred_contact: str = Field(default="", max_length=200)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    gmina_id: int | None = Field(default=None, foreign_key="gmina.id", index=True,
                                 ondelete="SET NULL")
    organisation: str = Field(default="", max_length=200)  # e.g. "Biuro SMK" for office staff
    language: str | None = Field(default=None, max_length=5)
    mobile: str = Field(default="", max_length=20)  # E.164; only for urgent SMS
    confirmed_on: date | None = None
    source: str = Field(default="import", max_length=20)  # import / sample / self / admin
    # A person of the demo (fictional): removed, with all they did, by the first real import.
    # ``source`` is no marker: it changes when a person edits their own entry.
    demo: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class ContactEntry(SQLModel, table=True):
    """A person handles a topic in a gmina."""

    __table_args__ = (
        UniqueConstraint("person_id", "topic_id", "gmina_id"),
        Index("ix_contactentry_gmina_topic", "gmina_id", "topic_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    topic_id: int = Field(foreign_key="topic.id", index=True, ondelete="CASCADE")
    gmina_id: int = Field(foreign_key="gmina.id", ondelete="CASCADE")


class MessengerAccount(SQLModel, table=True):
    """An account on a messenger, linked to a person once verified.

    ``private_ref`` is the stored conversation reference of the person's private chat with the
    bot (JSON of :class:`commands.model.ConversationRef`), used to message them on our own.
    """

    __table_args__ = (UniqueConstraint("platform", "tenant_id", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    tenant_id: str = Field(default="", max_length=100)
    external_id: str = Field(max_length=200)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True,
                                  ondelete="SET NULL")
    display_name: str = Field(default="", max_length=200)
    private_ref: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    reachable: bool = True
    unreachable_reason: str = Field(default="", max_length=300)
    linked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class Conversation(SQLModel, table=True):
    """A group, channel or team the bot is in, with its stored reference."""

    __table_args__ = (UniqueConstraint("platform", "conversation_key"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    conversation_key: str = Field(max_length=400)
    kind: str = Field(max_length=20)
    title: str = Field(default="", max_length=300)
    ref: str = Field(sa_column=Column(Text, nullable=False))
    registered: bool = False  # an admin allowed the bot to work here
    active: bool = True
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class RoleGrant(SQLModel, table=True):
    """A role of a person, optionally scoped to a forum or a gmina."""

    __table_args__ = (UniqueConstraint("person_id", "role", "forum_id", "gmina_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=30)
    forum_id: int | None = Field(default=None, foreign_key="forum.id", ondelete="CASCADE")
    gmina_id: int | None = Field(default=None, foreign_key="gmina.id", ondelete="CASCADE")


class Forum(SQLModel, table=True):
    """A thematic forum of the association (PZP, Transport, …)."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=40)
    name_pl: str = Field(max_length=200)
    name_en: str = Field(default="", max_length=200)
    topic_id: int | None = Field(default=None, foreign_key="topic.id", ondelete="SET NULL")
    demo: bool = False  # a forum of the demo: removed with its questions and events


class ForumMember(SQLModel, table=True):
    """A person belongs to a forum."""

    forum_id: int = Field(foreign_key="forum.id", primary_key=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")


class AuditLog(SQLModel, table=True):
    """Who did what privileged thing, when. Never holds message bodies or contact data."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False, index=True))
    actor: str = Field(max_length=300)
    action: str = Field(max_length=80)
    target: str = Field(default="", max_length=300)
    details: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class ProcessedEvent(SQLModel, table=True):
    """Platform deliveries already handled; the primary key makes retries a no-op everywhere."""

    platform: str = Field(primary_key=True, max_length=20)
    event_id: str = Field(primary_key=True, max_length=200)
    at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False, index=True))
    # False while the core handles it: a redelivery then waits, or takes over a stale claim
    # (store/inbound.py), so an update whose handling the database cut short is not lost.
    done: bool = True


class LinkCode(SQLModel, table=True):
    """A one-time code that links a messenger account to a person. Only its hash is stored."""

    code_hash: str = Field(primary_key=True, max_length=64)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    platform: str = Field(default="", max_length=20)  # "" = any messenger
    expires_at: datetime = Field(sa_column=_ts(nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class Meta(SQLModel, table=True):
    """Small named counters, e.g. ``directory_version`` so every instance sees a change."""

    key: str = Field(primary_key=True, max_length=60)
    value: int = 0


class DeliveryState(StrEnum):
    """Where one outbox row stands."""

    PENDING = "pending"  # waiting for its time (not_before) or for a worker
    SENDING = "sending"  # claimed by a worker (lease until claimed_until)
    SENT = "sent"
    FAILED = "failed"  # will not be retried (unreachable, rejected); reason says why
    DEAD = "dead"  # retried max_attempts times
    MISSED = "missed"  # fell due while nobody could send and is no longer useful
    CANCELLED = "cancelled"


class Delivery(SQLModel, table=True):
    """The transactional outbox: one row per recipient per messenger, written before sending.

    ``dedupe_key`` is unique, so producing the same delivery twice (a retried command, two
    instances) creates one row. ``payload`` is the message as JSON; ``target`` the stored
    conversation reference.
    """

    __table_args__ = (
        Index("ix_delivery_due", "state", "not_before"),
        Index("ix_delivery_posted", "platform", "conversation_key", "message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(unique=True, max_length=300)
    kind: str = Field(max_length=30)  # reminder / announcement / relay / notice
    source: str = Field(default="", max_length=100, index=True)  # e.g. "announcement:12"
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True,
                                  ondelete="SET NULL")
    account_id: int | None = Field(default=None, foreign_key="messengeraccount.id",
                                   ondelete="SET NULL")
    platform: str = Field(max_length=20)
    target: str = Field(sa_column=Column(Text, nullable=False))
    # The target conversation's key: with ``message_id`` it maps a reply in a group thread
    # back to what the bot posted there (forum questions), across restarts.
    conversation_key: str = Field(default="", max_length=400)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(default=DeliveryState.PENDING.value, max_length=12)
    not_before: datetime = Field(sa_column=_ts(nullable=False))
    useful_until: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    attempts: int = 0
    claimed_by: str = Field(default="", max_length=100)
    claimed_until: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    message_id: str = Field(default="", max_length=300)  # the platform's id, for edits
    reason: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


# Feature tables live in their own modules; importing them here registers them on the metadata
# that migrations and the tests use.
from store import announcement_models as _announcement_models  # noqa: E402,F401
from store import calendar_models as _calendar_models  # noqa: E402,F401
from store import forum_models as _forum_models  # noqa: E402,F401
from store import freshness_models as _freshness_models  # noqa: E402,F401
from store import invitation_models as _invitation_models  # noqa: E402,F401
from store import panel_models as _panel_models  # noqa: E402,F401
from store import prompt_models as _prompt_models  # noqa: E402,F401
from store import sms_models as _sms_models  # noqa: E402,F401
