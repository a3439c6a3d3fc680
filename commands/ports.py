"""What the core needs from a messenger to write on its own (reminders, announcements, relays).

Adapters implement :class:`Messenger`; they translate platform errors once, at their boundary,
into the few neutral kinds below, so retry policy lives in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from commands.model import ConversationRef, OutboundMessage, Platform, SentMessage


class DeliveryError(Exception):
    """A send failed. ``reason`` is short, stable and safe to show to an author."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RateLimited(DeliveryError):
    """The platform said "too many requests": wait ``retry_after`` seconds for this target."""

    def __init__(self, retry_after: float, reason: str = "rate_limited") -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Unreachable(DeliveryError):
    """The target cannot be reached (blocked the bot, left, archived, no stored reference).

    Retrying will not help; the account or conversation is marked unreachable with ``reason``.
    """


class Rejected(DeliveryError):
    """The platform refused this message (bad request, too large): retrying will not help."""


class TransientFailure(DeliveryError):
    """A passing fault (5xx, timeout, connection reset): retry with backoff."""


class Moved(DeliveryError):
    """The conversation moved (a Telegram group became a supergroup): use ``new_ref``."""

    def __init__(self, new_ref: ConversationRef) -> None:
        super().__init__("moved")
        self.new_ref = new_ref


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a messenger can do, declared (not discovered from exceptions)."""

    max_text_length: int
    buttons: bool = True
    threads: bool = True
    edit: bool = True
    silent: bool = True  # can deliver without sound/alert
    alert: bool = True  # can ask for the strongest notification
    delete: bool = False  # can remove a message it sent (relayed answers deleted at source)


class Messenger(Protocol):
    """Own-initiative sending on one platform."""

    platform: Platform
    capabilities: Capabilities

    async def send(self, ref: ConversationRef, message: OutboundMessage) -> SentMessage:
        """Deliver ``message`` to ``ref`` (a person's private chat, a group, a thread).

        ``message.priority`` decides the notification: QUIET without sound/alert, URGENT with
        the platform's strongest allowed one. Raises a :class:`DeliveryError` subclass.
        """
        ...

    async def edit(self, sent: SentMessage, message: OutboundMessage) -> None:
        """Replace the content of a message the bot sent earlier."""
        ...

    async def delete(self, sent: SentMessage) -> None:
        """Remove a message the bot sent (only called when ``capabilities.delete``)."""
        ...


# --- the one way out ---------------------------------------------------------------------------

SEND, EDIT, DELETE = "send", "edit", "delete"


class OutboundKind(StrEnum):
    """What an outbound message is, carried on its outbox row (never guessed from its text)."""

    REPLY = "reply"  # an answer to a person's message or button press (ordered per chat)
    NOTICE = "notice"
    ANNOUNCEMENT = "announcement"
    RELAY = "relay"  # a forum question or answer copied to another messenger
    RELAY_EDIT = "relay-edit"  # a relayed copy edited or removed
    AUTHOR_COPY = "author-copy"  # the author's copy of an announcement, brought up to date
    REMINDER = "reminder"
    LINK_CODE = "link_code"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One thing to do on a platform: post ``message``, replace message ``message_id`` with
    it, or delete ``message_id`` (``message`` then replaces it where deleting is refused).
    ``reply_to`` is the Telegram/Teams hook: the message a send answers in its chain."""

    message: OutboundMessage
    op: str = SEND
    message_id: str = ""
    reply_to: str = ""


@dataclass(frozen=True, slots=True)
class Planned:
    """An :class:`Outgoing` and where it goes: what an adapter makes of the core's reply."""

    ref: ConversationRef
    item: Outgoing


@dataclass(frozen=True, slots=True)
class Staged:
    """Rows written to the outbox (a reply: in the transaction that recorded its update),
    held by this process so that it sends them at once: ``rows`` are (row id, planned)."""

    rows: tuple[tuple[int, Planned], ...] = ()
    kind: str = "reply"  # a reply refused as an edit is sent anew; other kinds are not


class Outbound(Protocol):
    """The one way out: every message the bot sends is an outbox row first.

    Replies are staged in the session that marks their update done (the caller commits),
    then sent at once by :meth:`send_staged`; what the platform does not take stays in the
    outbox for the delivery worker. Own-initiative messages, edits and deletions are
    written with :meth:`post` and sent by the worker as soon as the commit lands.
    """

    def register(self, platform: str, messenger: Messenger) -> None:
        """The messenger that sends ``platform``'s replies at once (tried once: a failure
        leaves the row to the worker rather than holding the next update)."""
        ...

    async def stage(self, session: AsyncSession, planned: Sequence[Planned], *,
                    event_id: str, asked_at: datetime, person_id: int | None = None,
                    account_id: int | None = None) -> Staged:
        """Write reply rows for ``planned`` in ``session`` (in order; the caller commits),
        with the sender's ``person_id`` and ``account_id`` where known."""
        ...

    async def send_staged(self, staged: Staged | None) -> list[str]:
        """Send staged rows now, in order; failures are left to the worker (never raises).
        Each row's outcome: ``sent``, ``failed`` (refused, unreachable) or ``queued``."""
        ...

    async def send_now(self, planned: Sequence[Planned], *, kind: OutboundKind | str,
                       key: str, source: str = "", replaces: bool = False) -> list[str]:
        """Write ``planned`` in a transaction of its own and send it at once (replies outside
        an update's transaction, edits and deletions of relayed copies, the author's copy of
        an announcement); what the platform does not take now, the worker does later.
        ``replaces``: rows of ``source`` still pending are cancelled (newer content wins).
        Each row's outcome as :meth:`send_staged`'s. Never raises."""
        ...

    async def post(self, session: AsyncSession, planned: Sequence[Planned], *,
                   kind: OutboundKind, key: str, source: str = "",
                   account_id: int | None = None) -> int:
        """Write own-initiative rows (edits, deletions, messages) in ``session``; the worker
        sends them once the caller commits. Returns the rows written."""
        ...
