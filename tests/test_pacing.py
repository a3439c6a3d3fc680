"""Pacing of fan-outs: the shared rate limiter and the delivery worker keep a rate-limited
platform busy at its allowed pace, and a paused conversation holds up no other.

(Regression tests for the changes made while measuring issue 7's figures; the end-to-end
view is in ``tests/test_announcements_e2e.py`` and ``bench/announcements_bench.py``.)
"""

from __future__ import annotations

import asyncio
import time

import pytest

from adapters.console.messenger import ConsoleMessenger
from adapters.ratelimit import KeyedRateLimiter, Window
from adapters.telegram.messenger import telegram_limiter
from bots.app import App
from commands.model import (
    ConversationKind,
    ConversationRef,
    OutboundMessage,
    Platform,
    SentMessage,
    message_to_json,
)
from scheduler.delivery import DeliverySettings, DeliveryWorker
from store.outbox import NewDelivery, enqueue, state_counts

REF = ConversationRef(Platform.CONSOLE, "console", ConversationKind.PERSONAL)


async def test_a_paused_conversation_holds_up_no_other() -> None:
    limiter = KeyedRateLimiter(per_key=lambda _key: (), overall=(Window(1, 0.05),))
    limiter.pause("busy", 1.0)  # the platform answered 429 Retry-After: 1 for this chat
    began = time.monotonic()
    busy = asyncio.create_task(limiter.acquire("busy"))
    await asyncio.sleep(0)  # it is waiting now
    await limiter.acquire("calm")
    calm_waited = time.monotonic() - began
    await busy
    assert calm_waited < 0.2  # not behind the paused chat's turn
    assert time.monotonic() - began >= 0.95  # the paused chat waited its Retry-After


async def test_telegram_calls_are_spaced_evenly_under_the_overall_limit() -> None:
    limiter = telegram_limiter(per_second=200)  # 30/s in production; faster for the test
    spacing = 1.02 / 200
    granted: list[float] = []

    async def one(chat: int) -> None:
        await limiter.acquire(chat)
        granted.append(time.monotonic())

    began = time.monotonic()
    await asyncio.gather(*(one(chat) for chat in range(1, 41)))
    # The k-th call goes no earlier than k spacings after the first: evenly spaced a little
    # under the limit, never a train of calls at once (a train reaches Telegram spread out
    # by the event loop and overlaps the next train: 429s).
    assert all(at - began >= k * spacing * 0.99 for k, at in enumerate(sorted(granted)))
    assert granted[-1] - began < 40 * spacing + 0.5  # and no slower than that


async def test_a_call_woken_late_is_booked_again_so_that_calls_do_not_bunch() -> None:
    now = [0.0]
    stalls = [0.5]  # the first wake-up comes half a second late (a busy event loop)

    async def sleep(seconds: float) -> None:
        now[0] += seconds + (stalls.pop() if stalls else 0.0)

    limiter = KeyedRateLimiter(per_key=lambda _key: (), overall=(Window(1, 0.1),),
                               clock=lambda: now[0], sleep=sleep, late_after=0.02)
    went = []
    for chat in ("a", "b", "c"):
        await limiter.acquire(chat)
        went.append(now[0])
    assert went == pytest.approx([0.0, 0.6, 0.7])  # "c" keeps its distance from the late "b"


class HeldMessenger(ConsoleMessenger):
    """A console whose send of one message waits until another message was sent (a copy
    held up by its platform while the worker should go on with the rest)."""

    def __init__(self, *, held: str, until: str) -> None:
        super().__init__()
        self._held, self._until = held, until
        self._released = asyncio.Event()

    async def send(self, ref: ConversationRef, message: OutboundMessage) -> SentMessage:
        """Hold ``held`` until ``until`` went out (2 s at most)."""
        if message.text == self._held:
            await asyncio.wait_for(self._released.wait(), 2.0)
        sent = await super().send(ref, message)
        if message.text == self._until:
            self._released.set()
        return sent


async def test_one_slow_send_does_not_stop_the_worker_claiming_more(bare_app: App) -> None:
    now = bare_app.clock.now()
    async with bare_app.db.session() as session:
        await enqueue(session, [
            NewDelivery(dedupe_key=f"pace:{i}", kind="notice", platform="console",
                        target=REF.to_json(), source="pace", not_before=now,
                        payload=message_to_json(OutboundMessage(text=f"wiadomość {i}")))
            for i in range(8)])
        await session.commit()
    console = HeldMessenger(held="wiadomość 0", until="wiadomość 6")
    worker = DeliveryWorker(db=bare_app.db, clock=bare_app.clock, messengers={"console": console},
                            settings=DeliverySettings(batch=4), worker_id="pace")
    assert await worker.run_once() == 8
    shown = [d.text for d in console.transcript]
    assert shown.index("wiadomość 6") < shown.index("wiadomość 0")  # later rows went on
    async with bare_app.db.session() as session:
        assert await state_counts(session, source="pace") == {"sent": 8}
