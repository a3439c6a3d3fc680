"""What the invitation campaign and the digest need from an e-mail sender.

The sender (adapters/email) turns a :class:`Mail` into a MIME message and raises the neutral
delivery errors of :mod:`commands.ports`: :class:`~commands.ports.TransientFailure` for a
4xx answer or a lost connection (the caller retries), :class:`~commands.ports.Unreachable`
when the server refuses the recipient (550/551/553 on RCPT: no such mailbox, that person
only), and :class:`ServerUnavailable` when it refuses us (any other 5xx, e.g. 554 after DATA:
the batch stops, nobody is marked failed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from commands.ports import TransientFailure

# The Telegram bot's @username (from getMe), or None when Telegram is not configured.
BotUsername = Callable[[], Awaitable[str | None]]


class ServerUnavailable(TransientFailure):
    """The mail server cannot be used at all right now (no connection, our login or our
    sender address refused): no e-mail of the batch can go, so the batch stops."""


@dataclass(frozen=True, slots=True)
class Mail:
    """One e-mail to one person. ``html`` is an alternative whose user values are escaped
    already; ``unsubscribe_url`` goes into ``List-Unsubscribe`` (one-click, RFC 8058)."""

    to: str
    to_name: str
    subject: str
    text: str
    lang: str
    unsubscribe_url: str
    html: str = ""


class MailSender(Protocol):
    """Sends e-mails, reusing one connection for a batch (``async with sender: …``)."""

    async def __aenter__(self) -> MailSender: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def send(self, mail: Mail) -> None:
        """Hand ``mail`` to the server; raises a :class:`commands.ports.DeliveryError`."""
        ...
