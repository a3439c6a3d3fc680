"""Issue 14.4: every message the bot sends survives a messenger outage.

The real adapters (python-telegram-bot, Bolt's sender, our Bot Framework client) run against
the messenger fakes, which answer every send with a 5xx for a minute of the app's clock. The
questions are recorded and answered by the core meanwhile; the answers the platform did not
take wait in the outbox and go out once it is back — in order, each once. An answer older
than ``[delivery] reply_max_age_seconds`` is replaced by one notice asking to ask again.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from commands.texts import t
from tests.world import Staff, World

# Three questions with answers told apart by their first line.
QUESTIONS = (
    ("kto od śmieci w Wieliczce?", "gospodarka odpadami — Wieliczka"),
    ("kto od oświaty w Skawinie?", "oświata — Skawina"),
    ("kto od zamówień publicznych w Niepołomicach?", "zamówienia publiczne — Niepołomice"),
)
OUTAGE = timedelta(seconds=60)
TOO_LATE_NOTICE = t("pl", "sec.reply_too_late")

ASKER = Staff("r.nowak@wieliczka.example.pl", "Renata Nowak", telegram=7001, slack="U0RNOWAK",
              teams="29:rnowak")


def in_order(texts: list[str]) -> list[str]:
    """Which answers ``texts`` hold, in the order they arrived (each once per arrival)."""
    arrived = []
    for text in texts:
        arrived += [answer for _, answer in QUESTIONS if text.startswith(answer)
                    or f"\n{answer}" in text[:200]]
    return arrived


async def telegram_asks(world: World, staff: Staff, text: str) -> None:
    """A private message handed to the adapter as the webhook does (polling itself is down
    with the rest of the Bot API during the outage)."""
    assert staff.telegram is not None
    user = {"id": staff.telegram, "is_bot": False, "first_name": "Renata", "language_code": "pl"}
    update: dict[str, Any] = {"update_id": time.monotonic_ns() % 1_000_000_000, "message": {
        "message_id": time.monotonic_ns() % 1_000_000_000, "date": int(time.time()),
        "chat": {"id": staff.telegram, "type": "private", "first_name": "Renata"},
        "from": user, "text": text}}
    assert await world.telegram.receive(update)
    await world.telegram.drain()


def telegram_texts(world: World, staff: Staff) -> list[str]:
    assert staff.telegram is not None
    return [m["text"] for m in world.tg.sent_messages(staff.telegram)]


async def test_telegram_answers_wait_out_a_minute_long_outage(world: World) -> None:
    await world.link(ASKER)
    world.tg.outage(3600)  # 502 Bad Gateway on every call until ended below
    for question, _ in QUESTIONS:
        await telegram_asks(world, ASKER, question)
    assert telegram_texts(world, ASKER) == []
    assert (await world.outbox())["pending"] == 3
    await world.deliver()  # the worker tries while the outage lasts: nothing is lost
    assert (await world.outbox())["pending"] == 3
    world.clock.advance(OUTAGE)
    world.tg.outage(None)  # Telegram is back
    await world.deliver()
    assert in_order(telegram_texts(world, ASKER)) == [answer for _, answer in QUESTIONS]
    assert (await world.outbox())["sent"] == 3
    await world.deliver()  # nothing is sent twice
    assert len(telegram_texts(world, ASKER)) == 3


async def test_telegram_answer_too_old_is_replaced_by_one_notice(world: World) -> None:
    await world.link(ASKER)
    world.tg.outage(3600)
    for question, _ in QUESTIONS[:2]:
        await telegram_asks(world, ASKER, question)
    world.clock.advance(timedelta(minutes=11))  # past reply_max_age_seconds (600)
    world.tg.outage(None)
    await telegram_asks(world, ASKER, QUESTIONS[2][0])  # asked after the outage
    await world.deliver()
    texts = telegram_texts(world, ASKER)
    assert texts[0].startswith(TOO_LATE_NOTICE)
    assert in_order(texts) == [QUESTIONS[2][1]]  # the late ones never arrive, the new one does
    assert len(texts) == 2
    assert (await world.outbox())["missed"] == 1
