"""Own-initiative sending in the local console: reminders and announcements appear there."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from commands.model import ConversationRef, OutboundMessage, Platform, SentMessage
from commands.ports import Capabilities
from commands.render import render_plain


@dataclass(frozen=True, slots=True)
class ConsoleDelivery:
    """One message the console showed (kept so a session can scroll back)."""

    conversation: ConversationRef
    message_id: str
    text: str
    edited: bool = False


class ConsoleMessenger:
    """Writes messages to the terminal (or any ``write`` callback) and keeps a transcript."""

    platform = Platform.CONSOLE
    capabilities = Capabilities(max_text_length=100_000, delete=True)

    def __init__(self, *, write: Callable[[str], None] | None = None) -> None:
        self._write = write
        self._ids = itertools.count(1)
        self.transcript: list[ConsoleDelivery] = []

    async def send(self, ref: ConversationRef, message: OutboundMessage) -> SentMessage:
        """Show ``message`` now."""
        message_id = str(next(self._ids))
        text = render_plain(message)
        self.transcript.append(ConsoleDelivery(ref, message_id, text))
        if self._write is not None:
            marker = "‼ " if message.priority.value == "urgent" else ""
            self._write(f"\n{marker}{text}\n")
        return SentMessage(ref, message_id)

    async def edit(self, sent: SentMessage, message: OutboundMessage) -> None:
        """Show the new version of an earlier message."""
        text = render_plain(message)
        self.transcript.append(ConsoleDelivery(sent.conversation, sent.message_id, text, True))
        if self._write is not None:
            self._write(f"\n(zmieniono / edited) {text}\n")

    async def delete(self, sent: SentMessage) -> None:
        """Mark an earlier message as removed."""
        self.transcript.append(ConsoleDelivery(sent.conversation, sent.message_id,
                                               "(usunięto / deleted)", True))
        if self._write is not None:
            self._write("\n(usunięto / deleted)\n")
