"""What the core needs from a messenger to write on its own (reminders, announcements, relays).

Adapters implement :class:`Messenger`; they translate platform errors once, at their boundary,
into the few neutral kinds below, so retry policy lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

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
