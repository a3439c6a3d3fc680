"""Telegram figures on loopback: update received → ``sendMessage`` issued, and throughput.

The real adapter (python-telegram-bot, our long-polling loop or the webhook route on aiohttp)
against the fake Bot API from the test suite, the sample directory in a fresh SQLite file (or
``--database URL``). Every update is a directory question ("kto od śmieci w Wieliczce?") from
a linked person in a private chat.

* latency: one question at a time (20/s, below Telegram's 30 messages/s), from the moment
  the adapter holds the update (the getUpdates answer or the webhook POST) until the fake
  receives the ``sendMessage``; also "queued → sent" (including the long-poll hand-over);
* the core alone (no Telegram, no HTTP), for scale;
* throughput: ``--rate`` updates/s pushed for ``--seconds`` from ``--users`` chats; every
  update must get its answer (losses are counted). Telegram allows ~30 messages/s overall, so
  this run raises ``max_messages_per_second`` (paid-broadcast territory) to measure the
  adapter, not the limit; a second, shorter run keeps Telegram's limits (the fake enforces
  them) and shows that nothing is lost and no 429 happens, the replies just drain at 30/s.

    cd /work/main && /tmp/venv/bin/python -m bench.telegram_latency [--questions 400]
        [--rate 200] [--seconds 10] [--database postgresql://postgres@127.0.0.1:5432/bench]

Targets (issue 3): received → sendMessage p99 ≤ 50 ms; 200 updates/s sustained without loss.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
import statistics
import tempfile
import time
from collections import defaultdict, deque
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aiohttp import web

from adapters.telegram import TelegramComponent, parse_config
from bots.app import App, build_app
from bots.config import Config, DatabaseConfig
from bots.service import Service
from commands.model import ConversationKind, ConversationRef, MessageReceived, Platform, Sender
from store.people import link_account, person_by_email
from tests.fakes.telegram_api import FakeTelegramServer, FloodLimits, load_payload

EMAIL = "w.fras@wieliczka.example.pl"
FIRST_USER = 10_000_000
QUESTIONS = (
    "kto od śmieci w Wieliczce?", "/kto oświata Skawina", "kto od dróg w Zielonkach",
    "zamówienia publiczne Kraków", "/kto ochrona powietrza Niepołomice",
    "transport Zabierzów", "kto zajmuje się funduszami europejskimi w Wieliczce",
)
SECRET = "bench-secret"
PACE = 20  # latency questions per second


class TimedComponent(TelegramComponent):
    """The adapter, noting when each raw update reached it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arrived: dict[int, float] = {}

    async def receive(self, update: Mapping[str, Any]) -> bool:
        self.arrived.setdefault(int(update.get("update_id", -1)), time.monotonic())
        return await super().receive(update)


def question(user: int, n: int, update_id: int) -> dict[str, Any]:
    update = load_payload("private_text_message.json")
    update["update_id"] = update_id
    message = update["message"]
    message["chat"]["id"] = message["from"]["id"] = user
    message["from"]["language_code"] = "pl"
    message["text"] = QUESTIONS[n % len(QUESTIONS)]
    if message["text"].startswith("/"):
        message["entities"] = [{"offset": 0, "length": 4, "type": "bot_command"}]
    return update


async def pace(previous: float) -> None:
    """Questions one by one, at most ``PACE`` per second: Telegram allows ~30 messages/s
    overall, and a faster sequential run would measure our own limiter's waiting."""
    delay = previous + 1 / PACE - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] * 1000


def summary(name: str, values: list[float]) -> str:
    return (f"{name}: n={len(values)} p50={pct(values, 50):.1f} ms p90={pct(values, 90):.1f} ms "
            f"p99={pct(values, 99):.1f} ms max={max(values) * 1000:.1f} ms "
            f"mean={statistics.fmean(values) * 1000:.1f} ms")


def slowest(values: list[float], count: int = 5) -> str:
    return ", ".join(f"{v * 1000:.0f}" for v in sorted(values)[-count:])


async def link_users(app: App, count: int) -> None:
    async with app.db.session() as session:
        person = await person_by_email(session, EMAIL)
        assert person is not None and person.id is not None
        for user in range(FIRST_USER, FIRST_USER + count):
            await link_account(session, platform="telegram", tenant_id="",
                               external_id=str(user), person_id=person.id)
        await session.commit()


def component(app: App, tg: FakeTelegramServer, **settings: Any) -> TimedComponent:
    config = parse_config({"token": tg.token, "api_base_url": tg.url, **settings})
    return TimedComponent(core=app.core, db=app.db, config=config)


def sends_by_chat(tg: FakeTelegramServer) -> dict[int, deque[float]]:
    sent: dict[int, deque[float]] = defaultdict(deque)
    for call in tg.calls_to("sendMessage"):
        if call.status == 200:
            sent[int(call.params["chat_id"])].append(call.timestamp)
    return sent


async def latency_polling(app: App, questions: int, ids: itertools.count[int]) -> None:
    async with FakeTelegramServer() as tg:
        bot = component(app, tg)
        await bot.start()
        try:
            queued: list[tuple[int, float]] = []
            for n in range(questions):
                await pace(queued[-1][1] if queued else 0.0)
                user = FIRST_USER + n
                before = len(tg.calls_to("sendMessage"))
                update = tg.push_update(question(user, n, next(ids)), keep_id=True)
                assert update is not None
                queued.append((update["update_id"], time.monotonic()))
                await tg.wait_for_calls("sendMessage", before + 1)
            sent = sends_by_chat(tg)
            received = [sent[FIRST_USER + n][0] - bot.arrived[uid]
                        for n, (uid, _) in enumerate(queued)]
            end_to_end = [sent[FIRST_USER + n][0] - at for n, (_, at) in enumerate(queued)]
        finally:
            await bot.stop()
    print(summary("polling  received → sendMessage", received))
    print(f"         slowest (ms): {slowest(received)}")
    print(summary("polling  queued at Telegram → sendMessage", end_to_end))


async def latency_webhook(app: App, questions: int, ids: itertools.count[int]) -> None:
    async with FakeTelegramServer() as tg:
        bot = component(app, tg, mode="webhook", webhook_url="https://bench.example/telegram/webhook",
                        webhook_secret=SECRET)
        await bot.start()
        runner = web.AppRunner(Service(app, [bot]).web_app())
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/telegram/webhook"
        try:
            posted: list[float] = []
            update_ids = [next(ids) for _ in range(questions)]
            for n, update_id in enumerate(update_ids):
                await pace(posted[-1] if posted else 0.0)
                before = len(tg.calls_to("sendMessage"))
                update = question(FIRST_USER + n, n, update_id)
                posted.append(time.monotonic())
                status, _ = await tg.post_webhook(url, update, SECRET)
                assert status == 200
                await tg.wait_for_calls("sendMessage", before + 1)
            sent = sends_by_chat(tg)
            received = [sent[FIRST_USER + n][0] - bot.arrived[update_id]
                        for n, update_id in enumerate(update_ids)]
            end_to_end = [sent[FIRST_USER + n][0] - posted[n] for n in range(questions)]
        finally:
            await bot.stop()
            await runner.cleanup()
    print(summary("webhook  received → sendMessage", received))
    print(f"         slowest (ms): {slowest(received)}")
    print(summary("webhook  POST sent → sendMessage", end_to_end))


async def throughput(app: App, *, rate: int, seconds: float, users: int,
                     telegram_limits: bool, ids: itertools.count[int]) -> None:
    total = int(rate * seconds)
    limits = FloodLimits() if telegram_limits else None
    async with FakeTelegramServer(enforce_limits=telegram_limits, limits=limits) as tg:
        settings = {} if telegram_limits else {"max_messages_per_second": 1000}
        bot = component(app, tg, **settings)
        await bot.start()
        try:
            expected: dict[int, int] = defaultdict(int)
            pushed: dict[int, int] = {}  # update_id → chat
            start = time.monotonic()
            for n in range(total):
                due = start + n / rate
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                user = FIRST_USER + n % users
                update = tg.push_update(question(user, n, next(ids)), keep_id=True)
                assert update is not None
                pushed[update["update_id"]] = user
                expected[user] += 1
            offered = total / (time.monotonic() - start)
            # Checked a few times a second: the fake's wait_for_calls rescans every call on
            # every request, which at this rate would eat the CPU we are measuring.
            for _ in range(int((seconds * 2 + total / 25) / 0.25)):
                if len(tg.calls_to("sendMessage")) >= total:
                    break
                await asyncio.sleep(0.25)
            await bot.drain()  # whatever is still queued gets its chance; losses counted below
            await asyncio.sleep(0.5)  # anything more would be a duplicate
            ingested = (max(bot.arrived.values()) - min(bot.arrived.values())) or 1e-9
            sent = sends_by_chat(tg)
            answered = sum(min(len(sent[u]), expected[u]) for u in expected)
            extra = sum(max(0, len(sent[u]) - expected[u]) for u in expected)
            arrivals: dict[int, deque[float]] = defaultdict(deque)
            for update_id, user in sorted(pushed.items()):
                arrivals[user].append(bot.arrived[update_id])
            waits = [s - a for u in expected for a, s in zip(arrivals[u], sent[u], strict=False)]
            done = max((t for times in sent.values() for t in times), default=start) - start
        finally:
            await bot.stop()
    kind = "Telegram limits on (30/s overall, 1/s per chat)" if telegram_limits else (
        "overall limit raised to 1000/s")
    print(f"throughput, {kind}: offered {offered:.0f} updates/s for {total} updates from "
          f"{users} chats; received {len(bot.arrived)} at {len(bot.arrived) / ingested:.0f}/s; "
          f"answered {answered}/{total} (lost {total - answered}, duplicates {extra}); "
          f"last answer after {done:.1f} s = {answered / max(done, 1e-9):.0f} answers/s; "
          f"429s: {tg.ratelimited_count}")
    if waits:
        print(summary("         received → sendMessage under load", waits))


async def core_alone(app: App, questions: int, ids: itertools.count[int]) -> None:
    """The same questions straight into the core: what no adapter can beat."""
    ref = ConversationRef(Platform.TELEGRAM, str(FIRST_USER), ConversationKind.PERSONAL)
    sender = Sender(Platform.TELEGRAM, str(FIRST_USER), "bench", locale="pl")
    started = time.monotonic()
    for n in range(questions):
        await app.core.handle(MessageReceived(
            platform=Platform.TELEGRAM, event_id=str(next(ids)), conversation=ref,
            sender=sender, text=QUESTIONS[n % len(QUESTIONS)]))
    elapsed = time.monotonic() - started
    print(f"core alone (no Telegram, one at a time): {questions / elapsed:.0f} questions/s, "
          f"{elapsed / questions * 1000:.1f} ms each")


async def run(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = build_app(Config(database=DatabaseConfig(url=url)))
        await app.prepare(with_sample=True)
        await link_users(app, max(args.questions, args.users))
        started = time.monotonic()
        await app.directory.index()  # the first question after start-up builds the index
        print(f"directory index built in {(time.monotonic() - started) * 1000:.0f} ms "
              f"(once per start-up or directory change; not in the figures below)")
        # Fresh update ids across runs: the core's dedupe lives in the database.
        ids = itertools.count(int(time.time()))
        try:
            await core_alone(app, args.questions, ids)
            await latency_polling(app, args.questions, ids)
            await latency_webhook(app, args.questions, ids)
            await throughput(app, rate=args.rate, seconds=args.seconds, users=args.users,
                             telegram_limits=False, ids=ids)
            await throughput(app, rate=args.rate, seconds=args.limited_seconds, users=args.users,
                             telegram_limits=True, ids=ids)
        finally:
            await app.close()
    print(f"(python {os.sys.version.split()[0]}, {os.cpu_count()} CPUs, database "
          f"{'PostgreSQL' if args.database else 'SQLite'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=400, help="latency samples per mode")
    parser.add_argument("--rate", type=int, default=200, help="updates per second offered")
    parser.add_argument("--seconds", type=float, default=10.0, help="throughput run length")
    parser.add_argument("--limited-seconds", type=float, default=3.0,
                        help="length of the run with Telegram's limits enforced")
    parser.add_argument("--users", type=int, default=400, help="distinct private chats")
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
