"""How many transactions and SQL statements one Telegram webhook directory question costs.

The real Telegram adapter in webhook mode against the fake Bot API, the sample directory in a
fresh SQLite file (or ``--database URL``); a linked person asks directory questions in their
private chat. Every statement the engine executes and every COMMIT is counted from the POST
until the answer's ``sendMessage`` has been recorded as sent.

    cd /work/main && .venv/bin/python -m bench.transactions_per_update [--questions 50]
        [--burst] [--database postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import tempfile
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import event

from bench.telegram_latency import FIRST_USER, SECRET, component, link_users, question
from bots.app import build_app
from bots.config import Config, DatabaseConfig
from bots.service import Service
from tests.fakes.telegram_api import FakeTelegramServer

USERS = 5  # people asking, each several questions


class Counts:
    """Statements and commits seen on one engine."""

    def __init__(self) -> None:
        self.statements = 0
        self.commits = 0
        self.writes = 0
        self.log: list[str] = []

    def statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.statements += 1
        head = statement.split(None, 1)[0].upper()
        if head in ("INSERT", "UPDATE", "DELETE"):
            self.writes += 1
        self.log.append(" ".join(statement.split())[:110])

    def commit(self, _conn: Any) -> None:
        self.commits += 1
        self.log.append("COMMIT")


async def measure(url: str, questions: int, show: bool, burst: bool) -> None:
    users = 50 if burst else USERS
    app = build_app(Config(database=DatabaseConfig(url=url)))
    await app.prepare(with_sample=True)
    await link_users(app, users)
    ids = itertools.count(1)
    async with FakeTelegramServer() as tg:
        bot = component(app, tg, mode="webhook",
                        webhook_url="https://bench.example/telegram/webhook",
                        webhook_secret=SECRET)
        await bot.start()
        runner = web.AppRunner(Service(app, [bot]).web_app())
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        hook = f"http://127.0.0.1:{runner.addresses[0][1]}/telegram/webhook"
        try:
            for user in range(users):  # warm-up: caches, each chat's reference stored
                status, _ = await tg.post_webhook(hook, question(FIRST_USER + user, 0,
                                                                 next(ids)), SECRET)
                assert status == 200
                await bot.drain()
            await asyncio.sleep(0.3)
            counts = Counts()
            engine = app.db.engine.sync_engine
            event.listen(engine, "before_cursor_execute", counts.statement)
            event.listen(engine, "commit", counts.commit)
            before = len(tg.calls_to("sendMessage"))
            if burst:  # all at once, from users chats: what a busy minute looks like
                statuses = await asyncio.gather(*(
                    tg.post_webhook(hook, question(FIRST_USER + n % users, n, next(ids)), SECRET)
                    for n in range(questions)))
                assert all(status == 200 for status, _ in statuses)
                await tg.wait_for_calls("sendMessage", before + questions, timeout=60)
                await bot.drain()
            for n in range(0 if burst else questions):
                before = len(tg.calls_to("sendMessage"))
                status, _ = await tg.post_webhook(
                    hook, question(FIRST_USER + n % users, n, next(ids)), SECRET)
                assert status == 200
                await tg.wait_for_calls("sendMessage", before + 1)
                await bot.drain()
            await asyncio.sleep(0.5)  # what is recorded after the send (batched)
            event.remove(engine, "before_cursor_execute", counts.statement)
            event.remove(engine, "commit", counts.commit)
        finally:
            await bot.stop()
            await runner.cleanup()
    await app.close()
    print(f"{url.split(':')[0]}: {questions} questions{' in a burst' if burst else ''}: "
          f"{counts.commits / questions:.2f} commits, "
          f"{counts.statements / questions:.2f} SQL statements "
          f"({counts.writes / questions:.2f} writes) per update")
    if show:
        print("\n".join(counts.log[: len(counts.log) // questions + 2]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--database", default="")
    parser.add_argument("--show", action="store_true", help="print one update's statements")
    parser.add_argument("--burst", action="store_true", help="post every question at once")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'bench.db'}"
        asyncio.run(measure(url, args.questions, args.show, args.burst))


if __name__ == "__main__":
    main()
