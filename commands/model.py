"""The platform-neutral model: what comes in from a messenger and what goes out to one.

Designed from all three messengers at once:

* a conversation is a Telegram chat (optionally a forum topic), a Slack channel or DM (optionally
  a thread) or a Teams personal chat, group chat or channel (optionally a reply chain);
* a sender is an account on one platform, scoped by a tenant (Slack team, Teams tenant);
* outbound messages are data: text, contact cards, buttons and a priority. Adapters alone turn
  them into HTML, Block Kit or Adaptive Cards, and escape every piece of text on the way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class Platform(StrEnum):
    """Messengers the bot speaks on."""

    CONSOLE = "console"
    TELEGRAM = "telegram"
    SLACK = "slack"
    TEAMS = "teams"
    SMS = "sms"  # urgent notices to people's mobiles (send only: nobody writes to the bot)


class ConversationKind(StrEnum):
    """Whether a conversation is one-to-one with the bot or shared by several people."""

    PERSONAL = "personal"
    GROUP = "group"
    CHANNEL = "channel"


@dataclass(frozen=True, slots=True)
class ConversationRef:
    """Where a message lives, stored so that the bot can write there later on its own.

    ``thread_id`` is a Telegram forum topic id (only for real topic messages), a Slack
    ``thread_ts`` or a Teams channel reply-chain root. ``service_url`` is needed by Teams for
    proactive sends. ``extra`` carries the little a platform needs beyond that.
    """

    platform: Platform
    conversation_id: str
    kind: ConversationKind
    thread_id: str | None = None
    tenant_id: str | None = None
    service_url: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    def in_thread(self, thread_id: str | None) -> ConversationRef:
        """The same conversation, addressed at another thread (or at no thread)."""
        return replace(self, thread_id=thread_id)

    @property
    def key(self) -> str:
        """A stable text key of the conversation itself (without the thread)."""
        return f"{self.platform}:{self.tenant_id or ''}:{self.conversation_id}"

    def to_json(self) -> str:
        """Serialise for storage."""
        data: dict[str, Any] = {
            "platform": self.platform.value,
            "conversation_id": self.conversation_id,
            "kind": self.kind.value,
            "thread_id": self.thread_id,
            "tenant_id": self.tenant_id,
            "service_url": self.service_url,
            "extra": dict(self.extra),
        }
        return json.dumps(data, sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ConversationRef:
        """Read back what :meth:`to_json` wrote."""
        data = json.loads(text)
        return cls(
            platform=Platform(data["platform"]),
            conversation_id=data["conversation_id"],
            kind=ConversationKind(data["kind"]),
            thread_id=data.get("thread_id"),
            tenant_id=data.get("tenant_id"),
            service_url=data.get("service_url"),
            extra=dict(data.get("extra") or {}),
        )


@dataclass(frozen=True, slots=True)
class Sender:
    """Who wrote: an account on one platform.

    ``locale`` is the platform's language hint (Telegram ``language_code``, Teams ``locale``,
    Slack user locale); ``email`` is set only when the platform vouches for it.
    ``private_ref`` is where this sender can be reached privately, if the adapter can open
    that chat itself (Slack: a DM by user id; Teams: a 1:1 chat created on the first send) —
    so a person who only ever wrote in a group still gets answers, reminders and
    announcements. Telegram cannot: a bot may write only to people who started it.
    """

    platform: Platform
    user_id: str
    display_name: str = ""
    tenant_id: str | None = None
    locale: str | None = None
    email: str | None = None
    is_bot: bool = False
    private_ref: ConversationRef | None = None


def _freeze(raw: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(raw or {}))


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundEvent:
    """Common fields of everything an adapter hands to the core.

    ``event_id`` is the platform's delivery id (Telegram ``update_id``, Slack ``event_id``,
    Teams activity id) used to process platform retries once. ``raw`` is the original payload,
    read-only, for the adapter's own use.
    """

    platform: Platform
    event_id: str
    conversation: ConversationRef
    sender: Sender
    raw: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "raw", _freeze(self.raw))


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file or image in a message: a link where the platform gives one, else just a name."""

    name: str
    url: str | None = None
    mime: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageReceived(InboundEvent):
    """A text message or a command.

    ``addressed`` says the bot was spoken to directly: a private chat, an @mention, a slash
    command or a reply to the bot. In groups the bot acts on addressed messages, and on replies
    in the threads of forum questions it relayed there (``reply_to_message_id`` / the
    conversation's ``thread_id`` point at the question's post).
    """

    text: str
    message_id: str | None = None
    reply_to_message_id: str | None = None
    addressed: bool = True
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageEdited(InboundEvent):
    """Someone edited a message (relayed answers are edited in their mirrors too)."""

    message_id: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageDeleted(InboundEvent):
    """Someone deleted a message (the mirrors of a relayed answer are removed)."""

    message_id: str


def private_refs(event: InboundEvent) -> tuple[str | None, str | None]:
    """Where the sender's private chat is, as stored JSON: ``(the conversation itself if it is
    personal, else None; the sender's own fallback if not)``. The fallback is to be kept only
    while nothing better is known."""
    if event.conversation.kind == ConversationKind.PERSONAL:
        return event.conversation.in_thread(None).to_json(), None
    fallback = event.sender.private_ref
    return None, fallback.in_thread(None).to_json() if fallback else None


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionInvoked(InboundEvent):
    """A button on one of the bot's messages was pressed."""

    action: str
    value: str
    message_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BotAdded(InboundEvent):
    """The bot was added to (or installed in) a conversation."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BotRemoved(InboundEvent):
    """The bot was removed from a conversation, or a person blocked it."""


class Priority(StrEnum):
    """How loudly a message may reach a person."""

    QUIET = "quiet"  # no sound / no alert
    NORMAL = "normal"
    URGENT = "urgent"  # the platform's strongest allowed notification


class ButtonStyle(StrEnum):
    """A hint for platforms that colour buttons."""

    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


CALLBACK_LIMIT_BYTES = 64
"""Telegram's ``callback_data`` limit; the tightest of the three platforms."""


@dataclass(frozen=True, slots=True)
class Button:
    """A choice the user can press. ``action`` routes to a handler, ``value`` is its argument."""

    label: str
    action: str
    value: str = ""
    style: ButtonStyle = ButtonStyle.DEFAULT

    def __post_init__(self) -> None:
        if len(self.callback_data.encode()) > CALLBACK_LIMIT_BYTES:
            raise ValueError(f"button data over {CALLBACK_LIMIT_BYTES} bytes: {self.action!r}")
        if "|" in self.action:
            raise ValueError("'|' is reserved in button actions")

    @property
    def callback_data(self) -> str:
        """``action|value`` — compact enough for every platform."""
        return f"{self.action}|{self.value}"

    @staticmethod
    def parse(data: str) -> tuple[str, str]:
        """Split callback data back into ``(action, value)``."""
        action, _, value = data.partition("|")
        return action, value


@dataclass(frozen=True, slots=True)
class ContactCard:
    """One person in the directory, as an answer shows them."""

    name: str
    gmina: str
    position: str = ""
    topics: tuple[str, ...] = ()
    email: str = ""
    phone: str = ""
    preferred_contact: str = ""
    notes: str = ""
    confirmed_on: date | None = None
    stale: bool = False


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """A message as data. ``text`` is plain text: adapters escape it for their format.

    ``title`` is shown bold where the platform can; ``footer`` small where it can.
    ``kind`` says what the message is, for an adapter that adds to some kinds (Slack's
    typing hints: :data:`KIND_UNLINKED`, :data:`KIND_HELP`); adapters never compare texts.
    """

    text: str = ""
    title: str = ""
    cards: tuple[ContactCard, ...] = ()
    buttons: tuple[Button, ...] = ()
    footer: str = ""
    priority: Priority = Priority.NORMAL
    lang: str = "pl"
    reply_to: str | None = None  # a message to answer in its thread / reply chain
    attachments: tuple[Attachment, ...] = ()
    kind: str = ""

    def with_buttons(self, *buttons: Button) -> OutboundMessage:
        """A copy with more buttons."""
        return replace(self, buttons=self.buttons + buttons)


KIND_UNLINKED = "unlinked"  # "link your account first" (Slack adds how to type /start)
KIND_HELP = "help"  # the command overview (Slack adds how to type commands)


@dataclass(frozen=True, slots=True)
class SentMessage:
    """What an adapter reports after a send: where it went and the platform's message id."""

    conversation: ConversationRef
    message_id: str


def message_to_json(message: OutboundMessage) -> str:
    """Serialise an outbound message for the outbox."""
    return json.dumps(message_to_data(message), ensure_ascii=False)


def message_to_data(message: OutboundMessage) -> dict[str, Any]:
    """What :func:`message_to_json` writes, before it is written (to add keys to it)."""
    return {
        "text": message.text,
        "title": message.title,
        "footer": message.footer,
        "priority": message.priority.value,
        "lang": message.lang,
        "buttons": [[b.label, b.action, b.value, b.style.value] for b in message.buttons],
        "reply_to": message.reply_to,
        "attachments": [[a.name, a.url, a.mime] for a in message.attachments],
        "kind": message.kind,
        "cards": [
            {
                "name": c.name, "gmina": c.gmina, "position": c.position,
                "topics": list(c.topics), "email": c.email, "phone": c.phone,
                "preferred_contact": c.preferred_contact, "notes": c.notes,
                "confirmed_on": c.confirmed_on.isoformat() if c.confirmed_on else None,
                "stale": c.stale,
            }
            for c in message.cards
        ],
    }


def message_from_json(text: str) -> OutboundMessage:
    """Read back what :func:`message_to_json` wrote."""
    data = json.loads(text)
    cards = tuple(
        ContactCard(
            name=c["name"], gmina=c["gmina"], position=c["position"], topics=tuple(c["topics"]),
            email=c["email"], phone=c["phone"], preferred_contact=c["preferred_contact"],
            notes=c["notes"],
            confirmed_on=date.fromisoformat(c["confirmed_on"]) if c["confirmed_on"] else None,
            stale=c["stale"],
        )
        for c in data.get("cards", [])
    )
    buttons = tuple(
        Button(label, action, value, ButtonStyle(style))
        for label, action, value, style in data.get("buttons", [])
    )
    return OutboundMessage(
        text=data.get("text", ""), title=data.get("title", ""), cards=cards, buttons=buttons,
        footer=data.get("footer", ""), priority=Priority(data.get("priority", "normal")),
        lang=data.get("lang", "pl"), reply_to=data.get("reply_to"),
        attachments=tuple(Attachment(n, u, m) for n, u, m in data.get("attachments", [])),
        kind=str(data.get("kind") or ""),
    )
