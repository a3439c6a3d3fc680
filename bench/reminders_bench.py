"""Reminder figures: 10,000 reminders due in the same minute, through the real planner, the
outbox, APScheduler and the delivery worker, to a messenger without limits (an in-process
recorder that appends every message it "delivers" to a file).

Prints, for a clean run, for a run whose process is stopped half way as a deploy stops it
(SIGTERM) and started again, and for one whose process is killed (SIGKILL) half way and started
again: how many were sent, how many twice, how many lost, and lateness against the due time
(p50 / p99 / max).

    .venv/bin/python bench/reminders_bench.py                    # SQLite in a temp dir
    .venv/bin/python bench/reminders_bench.py --database-url postgresql://postgres@127.0.0.1/test
    .venv/bin/python bench/reminders_bench.py --count 2000       # smaller

The service runs in a child process (``--serve``); the parent only prepares the database,
watches the outbox and kills the child. Quiet hours are switched off so the bench can run at
any hour. After a kill, rows the dead process had claimed return when their lease ends: the
child uses a 15 s lease here (1 minute in the service, renewed while a worker lives), which
bounds the extra lateness.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import func, insert, select, text  # noqa: E402

from bots.app import App, build_app  # noqa: E402
from bots.config import Config, DatabaseConfig  # noqa: E402
from commands.calendar.service import EventDraft  # noqa: E402
from commands.clock import SystemClock  # noqa: E402
from commands.model import (  # noqa: E402
    ConversationKind,
    ConversationRef,
    OutboundMessage,
    Platform,
    SentMessage,
)
from commands.ports import Capabilities  # noqa: E402
from scheduler.delivery import DeliverySettings, DeliveryWorker  # noqa: E402
from scheduler.reminders import ReminderPlannerComponent  # noqa: E402
from scheduler.runner import SchedulerComponent  # noqa: E402
from store.db import Database  # noqa: E402
from store.models import Delivery, DeliveryState, Forum, ForumMember, MessengerAccount, Person  # noqa: E402

LEASE_SECONDS = 15
SETTINGS = {"meeting": ["1min"], "materials": [], "quiet_hours": "00:00-00:00",
            "quiet_weekends": False, "quiet_holidays": False, "grace_hours": 1}


class Recorder:
    """A messenger without limits that appends ``conversation \\t epoch`` per message to a
    file with one ``write`` each, so a SIGKILL loses nothing it reported as delivered."""

    platform = Platform.CONSOLE
    capabilities = Capabilities(max_text_length=100_000)

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    async def send(self, ref: ConversationRef, message: OutboundMessage) -> SentMessage:
        os.write(self._fd, f"{ref.conversation_id}\t{message.title}\t{time.time():.4f}\n"
                 .encode())
        return SentMessage(ref, "1")

    async def edit(self, sent: SentMessage, message: OutboundMessage) -> None:
        raise NotImplementedError


def make_app(url: str, schema: str | None) -> App:
    config = Config(database=DatabaseConfig(url=url), extra={"reminders": SETTINGS})
    return build_app(config, clock=SystemClock(), db=Database(url, schema=schema))


async def prepare(url: str, schema: str | None, count: int) -> None:
    """A forum with ``count`` members, each with a messenger account."""
    app = make_app(url, schema)
    await app.prepare(with_sample=False)
    now = datetime.now(UTC)
    async with app.db.session() as session:
        session.add(Forum(key="BENCH", name_pl="Forum testowe", name_en="Bench forum"))
        await session.flush()
        forum_id = (await session.execute(select(Forum.id).where(Forum.key == "BENCH"))).scalar()
        await session.execute(insert(Person), [
            {"name": f"Osoba {i}", "email": f"osoba{i}@bench.example.pl", "position": "",
             "phone": "", "preferred_contact": "", "notes": "", "organisation": "bench",
             "source": "sample", "created_at": now, "updated_at": now}
            for i in range(count)])
        ids = list((await session.execute(select(Person.id).order_by(Person.id))).scalars())
        await session.execute(insert(ForumMember), [
            {"forum_id": forum_id, "person_id": pid} for pid in ids])
        await session.execute(insert(MessengerAccount), [
            {"platform": "console", "tenant_id": "", "external_id": str(pid), "person_id": pid,
             "display_name": "", "reachable": True, "unreachable_reason": "",
             "private_ref": ConversationRef(Platform.CONSOLE, f"p{pid}",
                                            ConversationKind.PERSONAL).to_json(),
             "updated_at": now, "linked_at": now} for pid in ids])
        await session.commit()
    await app.close()


async def plan(url: str, schema: str | None, title: str) -> tuple[str, datetime, float]:
    """An event whose "1 minute before" reminder falls due for everyone at one moment (the
    next full minute at least 20 s away). Returns its source, the due moment and the planning
    time."""
    app = make_app(url, schema)
    now = datetime.now(UTC)
    due = (now + timedelta(seconds=80)).replace(second=0, microsecond=0)
    start = due + timedelta(minutes=1)
    assert app.calendar is not None
    async with app.db.session() as session:
        forum = (await session.execute(select(Forum).where(Forum.key == "BENCH"))).scalar_one()
    began = time.perf_counter()
    event, report = await app.calendar.create_event(
        forum=forum, draft=EventDraft(title=title, start=start, end=start + timedelta(hours=1)),
        organiser_id=None, actor="bench")
    took = time.perf_counter() - began
    await app.close()
    print(f"  planned {report.inserted} reminders in {took:.2f} s, due {due:%H:%M:%S} UTC")
    return f"event:{event.id}", due, took


async def serve(url: str, schema: str | None, record: Path) -> None:
    """The service's time-driven part, as ``lacznik run`` runs it (planner, then scheduler),
    with the service's delivery settings except a shorter lease (see the module doc)."""
    app = make_app(url, schema)
    app.messengers["console"] = Recorder(record)
    worker = DeliveryWorker(db=app.db, clock=app.clock, messengers=app.messengers,
                            settings=DeliverySettings(lease=timedelta(seconds=LEASE_SECONDS)))
    assert app.calendar is not None
    components = [
        ReminderPlannerComponent(reminders=app.calendar.reminders,
                                 interval=timedelta(minutes=10)),
        SchedulerComponent(db=app.db, clock=app.clock, worker=worker,
                           announcements=app.core.services.announcements,
                           forums=app.core.services.forums),
    ]
    for component in components:
        await component.start()
    # As ``lacznik run``: SIGTERM stops the components, letting sends under way be recorded.
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    for component in reversed(components):
        await component.stop()


def spawn(url: str, schema: str | None, record: Path) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-W", "ignore", __file__, "--serve", "--database-url", url,
            "--record", str(record)]
    if schema:
        args += ["--schema", schema]
    return subprocess.Popen(args, cwd=REPO)


async def sent_count(db: Database, source: str) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.source == source, Delivery.state == DeliveryState.SENT.value)) or 0)


async def wait_for_sent(db: Database, source: str, target: int, *, poll: float) -> None:
    """Watch the outbox (another process sends) until ``target`` rows are sent."""
    while True:
        if await sent_count(db, source) >= target:
            return
        await asyncio.sleep(poll)


def figures(record: Path, title: str, due: datetime, count: int) -> dict[str, float]:
    lines = [line.split("\t") for line in record.read_text().splitlines()]
    mine = [(conv, float(at)) for conv, head, at in lines if head.endswith(title)]
    per_person = Counter(conv for conv, _ in mine)
    lateness = sorted(at - due.timestamp() for _, at in mine)
    quantiles = statistics.quantiles(lateness, n=100) if len(lateness) > 1 else lateness * 99
    return {
        "sent": len(per_person), "twice": sum(1 for c in per_person.values() if c > 1),
        "lost": count - len(per_person), "p50": quantiles[49], "p99": quantiles[98],
        "max": lateness[-1] if lateness else float("nan"),
    }


async def run(url: str, schema: str | None, count: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="reminders-bench-"))
    record = workdir / "delivered.tsv"
    print(f"database: {url}{f' (schema {schema})' if schema else ''}; {count} people")
    await prepare(url, schema, count)
    db = Database(url, schema=schema)
    try:
        await clean_run(db, url, schema, record, count)
        await interrupted_run(db, url, schema, record, count, signal.SIGTERM)
        await interrupted_run(db, url, schema, record, count, signal.SIGKILL)
    finally:
        await db.dispose()


async def clean_run(db: Database, url: str, schema: str | None, record: Path, count: int
                    ) -> None:
    """All due in one minute, one service process."""
    title = f"Spotkanie {uuid.uuid4().hex[:6]}"
    print("clean run:")
    source, due, _ = await plan(url, schema, title)
    child = spawn(url, schema, record)
    try:
        await wait_for_sent(db, source, count, poll=0.5)
    finally:
        child.terminate()
        child.wait()
    report("clean", figures(record, title, due, count))


async def interrupted_run(db: Database, url: str, schema: str | None, record: Path,
                          count: int, sig: signal.Signals) -> None:
    """The same, with the process stopped by ``sig`` half way and started again."""
    title = f"Spotkanie {uuid.uuid4().hex[:6]}"
    how = "stopped (SIGTERM)" if sig == signal.SIGTERM else "killed (SIGKILL)"
    print(f"{how} half way and started again:")
    source, due, _ = await plan(url, schema, title)
    child = spawn(url, schema, record)
    await wait_for_sent(db, source, count // 2, poll=0.02)
    child.send_signal(sig)
    child.wait()
    print(f"  {how.split()[0]} with {await sent_count(db, source)} of {count} settled as sent")
    child = spawn(url, schema, record)
    try:
        await wait_for_sent(db, source, count, poll=0.5)
    finally:
        child.terminate()
        child.wait()
    report("SIGTERM" if sig == signal.SIGTERM else "kill -9", figures(record, title, due, count))


def report(name: str, f: dict[str, float]) -> None:
    print(f"  {name}: sent {f['sent']:.0f}, twice {f['twice']:.0f}, lost {f['lost']:.0f}; "
          f"lateness vs due time p50 {f['p50']:.2f} s, p99 {f['p99']:.2f} s, "
          f"max {f['max']:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--schema", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--record", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    if args.serve:
        asyncio.run(serve(args.database_url, args.schema, args.record))
        return
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='reminders-db-')}/b.db"
    schema = None
    if url.startswith("postgresql"):
        schema = f"reminders_bench_{uuid.uuid4().hex[:8]}"
    try:
        asyncio.run(run(url, schema, args.count))
    finally:
        if schema:
            from sqlalchemy import create_engine

            engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
            with engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            engine.dispose()


if __name__ == "__main__":
    main()
