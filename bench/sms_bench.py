"""SMS figures: one urgent announcement to 2,000 people without a messenger, each with a
mobile number, texted through the real SMS adapter (SMSAPI's official client in a bounded
thread pool) and the outbox's delivery worker, to the fake SMSAPI, which ENFORCES its
published limit (``--rate`` requests a second, a sliding second; past it HTTP 429).

Prints the minimum that limit allows for N texts (N / rate, as bench/announcements_bench.py
counts it; also ``ceil(N / rate) - 1``, were the first second's texts sent in one burst),
the time from the worker's start to the last text accepted, their ratio (target ≤ 1.1), the
429s, and lost / duplicate texts counted from what the fake took (each person's number must
appear exactly once).

    .venv/bin/python bench/sms_bench.py                     # SQLite in a temp dir
    .venv/bin/python bench/sms_bench.py --database-url postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/sms_bench.py --people 500 --rate 50

The outbox rows need ``commands.model.Platform.SMS``; without it (before the SMS channel is
wired in) the bench says so and sends the same texts straight through the adapter, as the
worker would, 128 at a time — the pacing measured is the adapter's either way.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import sys
import tempfile
import time
import uuid
import warnings
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from adapters.sms.config import parse_config  # noqa: E402
from adapters.sms.messenger import SmsMessenger  # noqa: E402
from commands.announcements.sms import (  # noqa: E402
    SmsRecipient,
    SmsSettings,
    ack_link,
    sms_deliveries,
    sms_recipients,
    sms_text,
)
from commands.clock import SystemClock  # noqa: E402
from commands.model import (  # noqa: E402
    ConversationKind,
    ConversationRef,
    OutboundMessage,
    Platform,
)
from scheduler.delivery import DeliverySettings, DeliveryWorker  # noqa: E402
from store.announcement_models import Announcement  # noqa: E402
from store.db import Database  # noqa: E402
from store.models import Person  # noqa: E402
from store.outbox import enqueue  # noqa: E402
from store.sms import set_mobile  # noqa: E402
from tests.fakes.smsapi import FakeSmsapi  # noqa: E402


async def prepare(db: Database, people: int
                  ) -> tuple[Announcement, list[SmsRecipient], SmsSettings, float]:
    """People with mobile numbers and one sent urgent announcement; returns it, who gets an
    SMS, the settings and the seconds finding them took."""
    now = datetime.now(UTC)
    async with db.session() as session:
        await session.execute(insert(Person), [
            {"name": f"Osoba {n}", "email": f"osoba{n}@bench.example.pl", "source": "import",
             "created_at": now, "updated_at": now} for n in range(people)])
        ids = [int(i) for i in (await session.execute(
            text("SELECT id FROM person ORDER BY id"))).scalars()]
        for n, person_id in enumerate(ids):
            await set_mobile(session, person_id, f"+4860{n:07d}")
        announcement = Announcement(author_id=ids[0], urgent=True, state="sent", number=1,
                                    audience="{}", sent_at=now,
                                    text="Awaria wodociągu: woda pitna tylko z beczkowozów.")
        session.add(announcement)
        await session.commit()
        started = time.perf_counter()
        recipients = await sms_recipients(session, ids, [], {})
        settings = SmsSettings(public_url="https://lacznik.example.pl",
                               link_secret=b"bench-secret-" * 3)
        return announcement, recipients, settings, time.perf_counter() - started


async def run(url: str, schema: str | None, people: int, rate: int) -> None:
    db = Database(url, schema=schema) if schema else Database(url)
    await db.upgrade()
    announcement, recipients, settings, planning = await prepare(db, people)
    through_outbox = hasattr(Platform, "SMS")
    async with fake_in_a_process(rate) as base_url:
        config = parse_config({"token": FakeSmsapi().token, "api_base_url": base_url,
                               "sender": "Lacznik", "requests_per_second": rate,
                               "public_url": settings.public_url,
                               "delivery_reports": False})  # the sends alone are measured
        messenger = SmsMessenger(config)
        written = 0.0
        if through_outbox:
            started = time.perf_counter()
            rows = sms_deliveries(announcement, recipients, settings, datetime.now(UTC))
            async with db.session() as session:
                await enqueue(session, rows)
                await session.commit()
            written = time.perf_counter() - started
            worker = DeliveryWorker(db=db, clock=SystemClock(), messengers={"sms": messenger},
                                    settings=DeliverySettings())
            started = time.perf_counter()
            while await worker.run_once():
                pass
            await worker.close()
        else:
            print("commands.model.Platform has no SMS yet: sending through the adapter "
                  "directly (128 at a time, as the worker would)")
            gate = asyncio.Semaphore(128)

            async def one(recipient: SmsRecipient) -> None:
                ref = ConversationRef(Platform.CONSOLE, recipient.number,
                                      ConversationKind.PERSONAL)
                link = ack_link(settings, int(announcement.id or 0), recipient.person_id)
                message = OutboundMessage(text=sms_text(recipient.lang, announcement, link))
                async with gate:
                    await messenger.send(ref, message)

            started = time.perf_counter()
            await asyncio.gather(*(one(recipient) for recipient in recipients))
        total = time.perf_counter() - started
        await messenger.close()
        async with aiohttp.ClientSession() as http, \
                http.get(f"{base_url}_fake/received") as answer:
            taken = await answer.json()
    await db.dispose()
    received = Counter(to for to, _parts in taken["messages"])
    expected = {f"4860{n:07d}" for n in range(people)}
    lost = len(expected - set(received))
    duplicates = sum(count - 1 for count in received.values() if count > 1)
    floor = people / rate  # as bench/announcements_bench.py: the texts at the limit's rate
    burst_floor = math.ceil(people / rate) - 1  # a sliding second allows a burst at the start
    parts = Counter(n for _to, n in taken["messages"])
    print(f"{people} texts at the fake's published {rate}/s "
          f"({'outbox + delivery worker' if through_outbox else 'adapter only'}, "
          f"{'PostgreSQL' if schema else 'SQLite'})")
    print(f"  planning the SMS rows: {planning:.2f} s; writing them: {written:.2f} s")
    print(f"  minimum the limit allows: {floor:.1f} s ({burst_floor} s if the first second's "
          f"{rate} went at once)")
    print(f"  worker start → last text accepted: {total:.2f} s (× {total / floor:.3f} of the "
          f"minimum; × {total / max(burst_floor, 1):.3f} of the burst minimum)")
    print(f"  429s: {taken['rate_limited']}; lost: {lost}; duplicates: {duplicates}; "
          f"segments per text: {dict(parts)}")


@contextlib.asynccontextmanager
async def fake_in_a_process(rate: int) -> AsyncIterator[str]:
    """The fake SMSAPI in a process of its own (as the provider is another machine: its
    clock of arrivals is not held up by our event loop); yields its base URL."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve-fake", "--rate", str(rate),
        stdout=asyncio.subprocess.PIPE)
    assert child.stdout is not None
    try:
        yield (await child.stdout.readline()).decode().strip()
    finally:
        child.terminate()
        await child.wait()


async def serve_fake(rate: int) -> None:
    """Run the fake until terminated; its base URL is the first line on stdout."""
    async with FakeSmsapi(requests_per_second=rate, points=1e9) as fake:
        print(fake.base_url, flush=True)
        await asyncio.Event().wait()


def main() -> None:
    warnings.filterwarnings("ignore", category=DeprecationWarning)  # sqlmodel's exec() hint
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--rate", type=int, default=100, help="the fake's requests a second")
    parser.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve_fake(args.rate))
        return
    schema = None
    url = args.database_url
    if url.startswith("postgresql"):
        schema = f"sms_bench_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as folder:
        if not url:
            url = f"sqlite:///{folder}/bench.db"
        try:
            asyncio.run(run(url, schema, args.people, args.rate))
        finally:
            if schema:
                from sqlalchemy import create_engine

                engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
                with engine.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                engine.dispose()


if __name__ == "__main__":
    main()
