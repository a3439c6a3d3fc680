"""Slack latency on loopback: slash-command ack and command → answer posted.

The real adapter (slack-bolt, slack_sdk) behind an aiohttp server, the fake Slack from the
test suite, the sample directory in a fresh SQLite file (or ``--database URL``). Every request
is a signed ``/kto`` directory question from a linked person; its answer arrives at the fake's
``response_url``. Sequential requests give latency without queueing; ``--concurrency`` also
measures throughput under load.

    cd /work/main && /tmp/venv/bin/python -m bench.slack_latency [--requests 300]
        [--concurrency 8] [--database postgresql://postgres@127.0.0.1:5432/bench]

Targets (issue 4): ack p99 ≤ 100 ms; command received → answer posted p99 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from adapters.slack import build_slack_component
from bots.app import build_app
from bots.config import Config, DatabaseConfig
from tests.fakes.slack_api import FakeSlackServer, sign

SECRET = "bench-signing-secret-0123456789"
USER = "U0WIOLA"
EMAIL = "w.fras@wieliczka.example.pl"  # in the sample directory: linked by verified e-mail
QUESTIONS = (
    "odpady Wieliczka", "oświata Skawina", "kto od dróg w Zielonkach",
    "zamówienia publiczne Kraków", "ochrona powietrza Niepołomice", "transport Zabierzów",
    "pomoc społeczna Michałowice", "planowanie przestrzenne Liszki",
)


def _percentiles(values: list[float]) -> str:
    ordered = sorted(values)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    return (f"p50 {at(0.50) * 1000:6.1f} ms   p90 {at(0.90) * 1000:6.1f} ms   "
            f"p99 {at(0.99) * 1000:6.1f} ms   max {ordered[-1] * 1000:6.1f} ms   "
            f"mean {statistics.fmean(ordered) * 1000:6.1f} ms")


class Bench:
    """One running adapter against one fake Slack."""

    def __init__(self, fake: FakeSlackServer, url: str, http: aiohttp.ClientSession) -> None:
        self.fake = fake
        self.url = url
        self.http = http
        self.sent = 0

    async def ask(self, question: str) -> tuple[float, float]:
        """One slash command; (ack seconds, command → answer posted seconds)."""
        self.sent += 1
        number = self.sent
        response_url = self.fake.response_url(channel="C111", user=USER)
        body = urlencode({
            "team_id": "T111", "channel_id": "C111", "user_id": USER, "command": "/kto",
            "text": question, "response_url": response_url,
            "trigger_id": f"{number}.bench", "api_app_id": "A111",
        })
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
        start = time.time()
        async with self.http.post(self.url, data=body.encode(), headers=headers) as resp:
            await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"HTTP {resp.status}")
        acked = time.time()
        answered = await self._answer(response_url)
        return acked - start, answered - start

    async def _answer(self, response_url: str) -> float:
        while True:
            post = next((p for p in self.fake.response_posts if p.url == response_url), None)
            if post is not None:
                if "Nie znam" in str(post.body.get("text")):
                    raise RuntimeError("the asker is not linked")
                return post.timestamp
            await self.fake.wait_for_responses(len(self.fake.response_posts) + 1, timeout=10)


async def run(requests: int, concurrency: int, database: str | None) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        os.environ.pop(name, None)  # loopback only
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        url = database or f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = build_app(Config(database=DatabaseConfig(url=url)))
        await app.prepare(with_sample=True)
        async with FakeSlackServer() as fake:
            fake.add_user(USER, email=EMAIL, real_name="Wioletta Fraś")
            component = build_slack_component(app, {
                "bot_token": fake.bot_token, "signing_secret": SECRET,
                "api_base_url": fake.api_url})
            application = web.Application()
            application.router.add_routes(component.routes())
            runner = web.AppRunner(application, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            port = runner.addresses[0][1]
            await component.start()
            try:
                async with aiohttp.ClientSession() as http:
                    bench = Bench(fake, f"http://127.0.0.1:{port}/slack/events", http)
                    for question in QUESTIONS * 3:  # warm caches, link the asker
                        await bench.ask(question)
                    await _sequential(bench, requests)
                    if concurrency > 1:
                        await _concurrent(bench, requests, concurrency)
            finally:
                await component.stop()
                await runner.cleanup()
                await app.close()


async def _sequential(bench: Bench, requests: int) -> None:
    acks, answers = [], []
    for index in range(requests):
        ack, answer = await bench.ask(QUESTIONS[index % len(QUESTIONS)])
        acks.append(ack)
        answers.append(answer)
    print(f"sequential, {requests} slash commands")
    print(f"  HTTP ack                        {_percentiles(acks)}")
    print(f"  command → answer posted         {_percentiles(answers)}")


async def _concurrent(bench: Bench, requests: int, concurrency: int) -> None:
    acks, answers = [], []
    queue = iter(range(requests))

    async def worker() -> None:
        for index in queue:
            ack, answer = await bench.ask(QUESTIONS[index % len(QUESTIONS)])
            acks.append(ack)
            answers.append(answer)

    start = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.monotonic() - start
    print(f"{concurrency} concurrent askers, {requests} slash commands "
          f"({requests / elapsed:.0f} answered/s)")
    print(f"  HTTP ack                        {_percentiles(acks)}")
    print(f"  command → answer posted         {_percentiles(answers)}")


def main() -> None:
    """Parse the arguments and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    asyncio.run(run(args.requests, args.concurrency, args.database))


if __name__ == "__main__":
    main()
