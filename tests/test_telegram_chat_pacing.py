"""``[telegram] chat_messages_per_three_seconds`` paces what one chat receives."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from adapters.telegram import build_telegram_component
from bots.app import App
from commands.model import ConversationKind, ConversationRef, OutboundMessage, Platform
from tests.fakes.telegram_api import FakeTelegramServer

CHAT = 4242


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(username="LacznikTestBot") as server:
        yield server


async def _send_three(app: App, tg: FakeTelegramServer, **settings: object) -> float:
    component = build_telegram_component(
        app, {"token": tg.token, "api_base_url": tg.url, **settings})
    await component.start()
    try:
        ref = ConversationRef(Platform.TELEGRAM, str(CHAT), ConversationKind.PERSONAL)
        began = time.monotonic()
        for number in range(3):
            await component.messenger.send(ref, OutboundMessage(text=f"wiadomość {number}"))
        return time.monotonic() - began
    finally:
        await component.stop()


async def test_three_messages_reach_a_chat_at_once_by_default(
        app: App, tg: FakeTelegramServer) -> None:
    assert await _send_three(app, tg) < 2.0
    assert [m["text"] for m in tg.sent_messages(CHAT)] == [
        "wiadomość 0", "wiadomość 1", "wiadomość 2"]


async def test_one_message_per_three_seconds_when_configured(
        app: App, tg: FakeTelegramServer) -> None:
    # The third message waits for the second window of 3 s: two waits of ~3 s each.
    assert await _send_three(app, tg, chat_messages_per_three_seconds=1) >= 5.8
    assert len(tg.sent_messages(CHAT)) == 3
