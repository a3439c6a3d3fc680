"""The local console: talk to the bot in a terminal, or script it with JSON lines.

Buttons are shown as numbered choices; typing the number presses the button.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from commands.context import Reply
from commands.core import Core
from commands.model import (
    ActionInvoked,
    Button,
    ConversationKind,
    ConversationRef,
    MessageReceived,
    Platform,
    Sender,
)
from commands.render import render_plain


@dataclass(slots=True)
class ConsoleSession:
    """One person talking to the bot in a terminal."""

    core: Core
    user: str  # e-mail of the person the console speaks as (the console user is trusted)
    lang: str | None = None
    _buttons: list[Button] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def conversation(self) -> ConversationRef:
        """The console's one private conversation."""
        return ConversationRef(Platform.CONSOLE, "console", ConversationKind.PERSONAL)

    async def say(self, text: str) -> list[str]:
        """Send one line; returns the bot's replies as plain text."""
        sender = Sender(Platform.CONSOLE, self.user, self.user, locale=self.lang)
        number = next(self._ids)
        stripped = text.strip()
        if stripped.isdigit() and 1 <= int(stripped) <= len(self._buttons):
            button = self._buttons[int(stripped) - 1]
            event: MessageReceived | ActionInvoked = ActionInvoked(
                platform=Platform.CONSOLE, event_id=f"console-{number}",
                conversation=self.conversation, sender=sender, action=button.action,
                value=button.value,
            )
        else:
            event = MessageReceived(
                platform=Platform.CONSOLE, event_id=f"console-{number}",
                conversation=self.conversation, sender=sender, text=text,
            )
        reply = await self.core.handle(event)
        return self._render(reply)

    def _render(self, reply: Reply) -> list[str]:
        out = [render_plain(message) for message in reply.messages]
        if reply.notice and not reply.messages:
            out.append(reply.notice)
        buttons = [b for m in reply.messages for b in m.buttons]
        if reply.messages:
            self._buttons = buttons
        return out


async def stdin_lines() -> AsyncIterator[str]:
    """Lines from standard input without blocking the event loop."""
    while True:
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return
        yield line.rstrip("\n")


async def run_console(
    session: ConsoleSession,
    lines: AsyncIterator[str],
    write: Callable[[str], None],
    *,
    jsonl: bool = False,
    prompt: str = "> ",
) -> None:
    """Read lines until the input ends; write replies (plain, or one JSON object a line)."""
    if not jsonl:
        write(prompt)
    async for line in lines:
        if not line.strip():
            if not jsonl:
                write(prompt)
            continue
        replies = await session.say(line)
        if jsonl:
            write(json.dumps({"message": line, "replies": replies}, ensure_ascii=False) + "\n")
        else:
            write("\n".join(replies) + "\n\n" + prompt)
