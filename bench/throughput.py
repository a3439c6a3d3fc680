"""Throughput on one fake Telegram: a minimal python-telegram-bot bot beside Łącznik.

Issue 17 point 6. In one invocation, one bot after the other (never both at once), the same
protocol-faithful fake Bot API (``tests/fakes/telegram_api.py``) in this process receives the
replies, and a load generator here POSTs updates to each bot's webhook with its secret token,
through at most ``--connections`` connections at once (Telegram's default ``max_connections``
is 40). Each bot runs in its own subprocess (same interpreter, same default asyncio event
loop policy), so its CPU time is its own:

* **minimal** — python-telegram-bot's ``Application`` (default settings) behind an aiohttp
  webhook route that checks the secret and puts the update on ``update_queue`` (PTB's custom
  webhook recipe; tornado, PTB's built-in server, is not installed), answering every text
  message with a fixed text;
* **lacznik** — the real service wiring: ``load_config`` of a written ``lacznik.toml``,
  ``bots.cli.setup_logging`` as a headless ``lacznik run`` (level info), ``build_app``,
  ``Service(app, build_components(app))`` with the Telegram adapter in webhook mode, SQLite with
  the sample directory; every update is a directory question ("kto od śmieci w Wieliczce?")
  from a linked person in their private chat, which the bot knows from earlier.

Rates step up (``--rates``, ``--seconds`` each); each step uses chats of its own (each chat
at most ``--chat-rate`` updates/s, below Łącznik's per-chat pacing of 3 messages per 3 s).
Per update, latency is POST started → the fake received the ``sendMessage`` (the chat's
n-th reply answers its n-th update). An update without a reply once the step has drained is
lost. Stepping stops after the first step that misses "p99 ≤ 1 s, nothing lost"
(``--keep-going`` runs all of them).

Inside each bot process: CPU time (``getrusage``, all threads; the loop thread's own), log
records, GC pauses, and an event-loop lag monitor (a task sleeping 10 ms records its
overshoot; Linux's schedstat says how much of it the loop thread spent waiting for a CPU the
machine's other processes had; a watchdog thread captures the loop thread's stack while the
loop is stuck for more than 100 ms, so a stall names its culprit). In Łącznik also: SQL
statements, commits and rollbacks (SQLAlchemy engine events) with the wall time each
statement kind was awaited (SQLite's write lock shows there), database sessions and commits
by the code that opened or made them, and the wall time awaited in each stage of an update
(``LACZNIK_STAGES``: webhook, core, outbound path, rate limiter, ``send_message``) — in the
profile run, and in the steps with ``--instrumented`` only: they cost Łącznik ~13 % of its CPU
(SQLAlchemy's event dispatch, a frame walk per session and commit), which the minimal bot does
not pay. These wrappers live in the bench process only; the product code runs unchanged.

Then (unless ``--no-profile``) another process runs Łącznik (``--profile minimal,lacznik``:
each bot) under cProfile at ``--profile-rate`` for ``--profile-seconds`` and prints the top
entries by cumulative and by own time, own time grouped by library, the inclusive time of
some plain functions on the request path, and the SQL statements per update.

    cd /work/main && .venv/bin/python -m bench.throughput            # 3-5 minutes
    cd /work/main && .venv/bin/python -m bench.throughput --quick    # under 2 minutes
        [--rates 25,50,100] [--seconds 10] [--bots minimal,lacznik] [--keep-going]
        [--profile-rate 25] [--profile-seconds 10] [--no-profile] [--connections 40]
        [--instrumented] [--gc-freeze] [--database postgresql://postgres@127.0.0.1:5432/test]

Łącznik also reports how many objects the garbage collector tracks once it has started and
how long one full collection takes then (the pause a generation-2 collection puts on the
loop); ``--gc-freeze`` measures the service with ``bots.memory.settle_heap()`` (collect,
then ``gc.freeze()``) after start-up.

Targets (issue 17): Łącznik's highest clean rate ≥ 0.5 × the minimal bot's; Łącznik's reply
p99 ≤ 250 ms at 50 updates/s. On a machine shared with other work, latencies follow its load:
each step prints the 1-minute load average and the share of time the bot's loop thread was
runnable but waiting for a CPU; CPU per update and the ratio of the two bots are the steadier
figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import io
import json
import logging
import os
import pstats
import re
import resource
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict, deque
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, ClientTimeout, TCPConnector, web

from tests.fakes.telegram_api import FakeTelegramServer, load_payload

SECRET = "bench-throughput-secret"
WEBHOOK_URL = "https://bench.example/telegram/webhook"  # what setWebhook is told
MINIMAL_PATH = "/webhook"
LACZNIK_PATH = "/telegram/webhook"
EMAIL = "w.fras@wieliczka.example.pl"  # a Wieliczka coordinator in the sample data
FIRST_CHAT = 10_000_000
QUESTIONS = (
    "kto od śmieci w Wieliczce?", "/kto oświata Skawina", "kto od dróg w Zielonkach",
    "zamówienia publiczne Kraków", "/kto ochrona powietrza Niepołomice",
    "transport Zabierzów", "kto zajmuje się funduszami europejskimi w Wieliczce",
)
FIXED_REPLY = "Dziękuję, wiadomość dotarła."
LACZNIK_STAGES = (  # awaited wall time of each, per update (see Instruments.watch_stages)
    "adapters.telegram.webhook:WebhookReceiver.handle",
    "adapters.telegram.component:TelegramComponent.receive",
    "commands.core:Core.handle_recorded",
    "scheduler.outbound:OutboundPath.send_staged",  # the one way out (issue 17 point 2)
    "adapters.ratelimit:KeyedRateLimiter.acquire",
    "telegram:Bot.send_message",
)
BOTS = ("minimal", "lacznik")
CLEAN_P99 = 1.0  # seconds: a step is "sustained" with reply p99 at most this and no loss
LAG_TICK = 0.010
STALL = 0.100  # the watchdog captures the loop thread's stack once stuck this long
REPO = Path(__file__).resolve().parents[1]
WARMUP = 40  # updates before the first step (connections, caches, the directory index)


# ==================================================================================== figures


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of ``values``; 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


@dataclass
class Step:
    """One rate step of one bot, as the load generator and the bot process saw it."""

    rate: int
    sent: int = 0
    answered: int = 0
    errors: int = 0  # webhook POSTs not answered 200
    offered: float = 0.0  # achieved POST rate
    latencies: list[float] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)  # from the bot process
    parent_cpu: float = 0.0
    wall: float = 0.0  # seconds between the bot's two marks
    load: float = 0.0  # the machine's 1-minute load average at the end (others share it)

    @property
    def lost(self) -> int:
        return self.sent - self.answered

    @property
    def clean(self) -> bool:
        return self.lost == 0 and bool(self.latencies) and pct(self.latencies, 99) <= CLEAN_P99


# ================================================================== inside a bot process


class Instruments:
    """What a bot process measures about itself between two ``mark`` commands."""

    def __init__(self) -> None:
        self.sql: Counter[str] = Counter()
        self.sql_times: defaultdict[str, list[float]] = defaultdict(list)  # wall, per kind
        self.commit_times: list[float] = []  # AsyncSession.commit() awaited, wall
        self.stages: defaultdict[str, list[float]] = defaultdict(list)  # awaited, wall
        self.statements = 0
        self.commits = 0
        self.rollbacks = 0
        self.log_records = 0
        self.sessions: Counter[str] = Counter()  # by the code that opened them
        self.commit_sites: Counter[str] = Counter()  # AsyncSession.commit() by caller
        self.lags: list[float] = []
        self.waits: list[float] = []  # of each lag, time the loop thread sat in the run queue
        self.stalls: list[tuple[float, float, str]] = []  # (lag, run-queue wait, loop stack)
        self.gc_pauses: list[tuple[float, int]] = []  # (seconds, generation)
        self._gc_started = 0.0
        self._cpu = _cpu()
        self._loop_cpu = time.thread_time()  # of the loop thread (marks are made there)
        self._run_queue = RunQueue()  # of the loop thread: made there
        self._queued = self._run_queue()
        self._heartbeat = time.monotonic()
        self._captured: str | None = None
        self._loop_thread = threading.get_ident()
        self._stop = threading.Event()

    # --- hooks --------------------------------------------------------------------------

    def watch_engine(self, sync_engine: Any) -> None:
        """Count statements, commits and rollbacks on a SQLAlchemy (sync) engine."""
        from sqlalchemy import event

        def on_execute(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            self.statements += 1
            self.sql[" ".join(statement.split())[:110]] += 1
            conn.info["bench_started"] = time.perf_counter()

        def after_execute(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            # Wall time of the statement as the session waited for it: aiosqlite's thread,
            # SQLite's lock (busy_timeout), the GIL.
            started = conn.info.pop("bench_started", None)
            if started is not None:
                kind = " ".join(statement.split()[:3])[:40]
                self.sql_times[kind].append(time.perf_counter() - started)

        def on_commit(_conn: Any) -> None:
            self.commits += 1

        def on_rollback(_conn: Any) -> None:
            self.rollbacks += 1

        event.listen(sync_engine, "before_cursor_execute", on_execute)
        event.listen(sync_engine, "after_cursor_execute", after_execute)
        event.listen(sync_engine, "commit", on_commit)
        event.listen(sync_engine, "rollback", on_rollback)

    def watch_sessions(self, db: Any) -> None:
        """Count ``db.session()`` and ``AsyncSession.commit()`` calls by the code calling them
        (this process only; the product code is unchanged)."""
        from sqlalchemy.ext.asyncio import AsyncSession

        open_session = db.session

        def session(*args: Any, **kwargs: Any) -> Any:
            self.sessions[_caller(sys._getframe(1))] += 1
            return open_session(*args, **kwargs)

        db.session = session
        commit = AsyncSession.commit

        async def counted_commit(session: AsyncSession) -> None:
            self.commit_sites[_caller(sys._getframe(1))] += 1
            started = time.perf_counter()
            try:
                await commit(session)
            finally:
                self.commit_times.append(time.perf_counter() - started)

        AsyncSession.commit = counted_commit  # type: ignore[method-assign,assignment]  # bench only

    def watch_stages(self, targets: tuple[str, ...]) -> None:
        """Time every await of these ``module:Class.method`` coroutines (wall time, so it
        includes waiting: a semaphore, the rate limiter, the HTTP round trip). A target
        that no longer exists (the code moved) is skipped and named on stderr."""
        import importlib

        for target in targets:
            module_name, _, path = target.partition(":")
            class_name, _, method_name = path.partition(".")
            try:
                owner = getattr(importlib.import_module(module_name), class_name)
                original = getattr(owner, method_name)
            except (ImportError, AttributeError):
                print(f"bench: no {target} to time", file=sys.stderr)
                continue
            setattr(owner, method_name, self._timed(original, f"{class_name}.{method_name}"))

    def _timed(self, original: Callable[..., Any], label: str) -> Callable[..., Any]:
        times = self.stages

        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                times[label].append(time.perf_counter() - started)

        return timed

    def watch_logging(self) -> None:
        """Count log records that reach the root logger's handlers."""
        instruments = self

        class Counting(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                instruments.log_records += 1

        logging.getLogger().addHandler(Counting())

    def watch_gc(self) -> None:
        """Time every garbage collection (a full one can stall the loop)."""
        def callback(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                self._gc_started = time.perf_counter()
            else:
                self.gc_pauses.append((time.perf_counter() - self._gc_started,
                                       info.get("generation", -1)))

        gc.callbacks.append(callback)

    async def lag_monitor(self) -> None:
        """Sleep ``LAG_TICK`` again and again; the overshoot is the loop's lag. The loop
        thread's run-queue wait (Linux schedstat) over the same tick tells a stall of our own
        making from one where the machine's other processes had the CPU."""
        threading.Thread(target=self._watchdog, name="stall-watchdog", daemon=True).start()
        while True:
            before, queued = time.monotonic(), self._run_queue()
            await asyncio.sleep(LAG_TICK)
            now = time.monotonic()
            self._heartbeat = now
            lag, wait = now - before - LAG_TICK, self._run_queue() - queued
            self.lags.append(lag)
            self.waits.append(wait)
            if self._captured is not None:
                if lag >= STALL:
                    self.stalls.append((lag, wait, self._captured))
                self._captured = None

    def _watchdog(self) -> None:
        while not self._stop.wait(STALL / 4):
            if self._captured is None and time.monotonic() - self._heartbeat > STALL:
                frame = sys._current_frames().get(self._loop_thread)
                if frame is not None:
                    self._captured = "".join(traceback.format_stack(frame)[-14:])

    # --- reports ------------------------------------------------------------------------

    def mark(self) -> dict[str, Any]:
        """Everything since the previous mark; counters start again."""
        cpu, loop_cpu, queued = _cpu(), time.thread_time(), self._run_queue()
        worst = sorted(zip(self.lags, self.waits, strict=True), reverse=True)[:5]
        report = {
            "cpu": cpu - self._cpu, "loop_cpu": loop_cpu - self._loop_cpu,
            "run_queue": queued - self._queued, "worst_lags": worst,
            "statements": self.statements, "commits": self.commits,
            "rollbacks": self.rollbacks, "log_records": self.log_records,
            "lags": self.lags, "stalls": sorted(self.stalls, reverse=True)[:5],
            "gc_pauses": sorted(self.gc_pauses, reverse=True)[:5], "gc_count": len(self.gc_pauses),
            "sql": self.sql.most_common(25), "sessions": self.sessions.most_common(15),
            "commit_sites": self.commit_sites.most_common(15),
            "commit_times": _spread(self.commit_times),
            "sql_times": {kind: _spread(times) for kind, times in self.sql_times.items()},
            "stages": {label: _spread(times) for label, times in self.stages.items()},
        }
        self.commit_times, self.sql_times = [], defaultdict(list)
        self.stages.clear()
        self._cpu, self._loop_cpu, self._queued = cpu, loop_cpu, queued
        self.waits = []
        self.sql, self.sessions, self.commit_sites = Counter(), Counter(), Counter()
        self.statements = self.commits = self.rollbacks = self.log_records = 0
        self.lags, self.stalls, self.gc_pauses = [], [], []
        return report


def _spread(times: list[float]) -> list[float]:
    """count, p50, p99, max (seconds) of some durations."""
    return [len(times), pct(times, 50), pct(times, 99), max(times, default=0.0)]


def _caller(frame: Any) -> str:
    """The first two frames of our own code at or above ``frame``, innermost first."""
    found: list[str] = []
    while frame is not None and len(found) < 2:
        name = frame.f_code.co_filename
        if "/asyncio/" in name:  # the task's first frame is behind: the rest is the loop
            break
        if name.startswith(f"{REPO}/") and "/.venv/" not in name and "/bench/" not in name:
            found.append(f"{name.removeprefix(f'{REPO}/')}:{frame.f_code.co_name}")
        frame = frame.f_back
    return " ← ".join(found) or "?"


class RunQueue:
    """Seconds one thread has been runnable but not running, from Linux's schedstat (0
    elsewhere): the share of a stall that other processes took. Open it in that thread."""

    def __init__(self) -> None:
        try:
            self._fd: int | None = os.open("/proc/thread-self/schedstat", os.O_RDONLY)
        except OSError:
            self._fd = None

    def __call__(self) -> float:
        if self._fd is None:
            return 0.0
        return int(os.pread(self._fd, 128, 0).split()[1]) / 1e9


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _serve_commands(instruments: Instruments, profile_out: str | None) -> None:
    """Answer the load generator's commands on stdin, one JSON line each on stdout."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    profiler: cProfile.Profile | None = None
    while line := (await reader.readline()).decode().strip():
        if line == "mark":
            _say(instruments.mark())
        elif line == "profile-on":
            profiler = cProfile.Profile()
            instruments.mark()
            profiler.enable()
            _say({"profiling": True})
        elif line == "profile-off" and profiler is not None:
            profiler.disable()
            if profile_out:
                profiler.dump_stats(profile_out)
            _say(instruments.mark())
        elif line == "quit":
            break


def _say(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def serve_minimal(args: argparse.Namespace) -> None:
    """python-telegram-bot's Application answering every text with a fixed text, its updates
    arriving at an aiohttp webhook route (PTB's custom-webhook recipe)."""
    import hmac

    from telegram import Update
    from telegram.ext import Application, ContextTypes, MessageHandler, filters

    instruments = Instruments()
    instruments.watch_gc()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    instruments.watch_logging()

    async def answer(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None:
            await update.message.reply_text(FIXED_REPLY)

    application = (Application.builder().token(args.token).base_url(f"{args.fake_url}/bot")
                   .updater(None).build())
    application.add_handler(MessageHandler(filters.TEXT, answer))
    secret = SECRET.encode()

    async def webhook(request: web.Request) -> web.Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode()
        if not hmac.compare_digest(given, secret):
            return web.Response(status=403)
        data = await request.json()
        await application.update_queue.put(Update.de_json(data, application.bot))
        return web.Response()

    server = web.Application()
    server.router.add_post(MINIMAL_PATH, webhook)
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    async with application:
        await application.bot.set_webhook(WEBHOOK_URL, secret_token=SECRET)
        await application.start()
        monitor = asyncio.create_task(instruments.lag_monitor())
        _say({"port": port, "path": MINIMAL_PATH, "policy": _policy()})
        await _serve_commands(instruments, args.profile_out)
        monitor.cancel()
        await application.stop()
    await runner.cleanup()


async def serve_lacznik(args: argparse.Namespace) -> None:
    """The service as ``lacznik run`` builds it, with the instruments attached."""
    from bots.app import build_app
    from bots.cli import setup_logging
    from bots.components import build_components
    from bots.config import load_config
    from bots.service import Service
    from commands.model import ConversationKind, ConversationRef, Platform
    from store.people import link_account, person_by_email

    instruments = Instruments()
    instruments.watch_gc()
    config = load_config(Path(args.config))
    setup_logging(argparse.Namespace(command="run", verbose=False), config)
    instruments.watch_logging()
    app = build_app(config)
    if args.instrumented:
        instruments.watch_engine(app.db.engine.sync_engine)
        instruments.watch_sessions(app.db)
        instruments.watch_stages(LACZNIK_STAGES)
    service = Service(app, build_components(app))
    await service.start()
    async with app.db.session() as session:
        person = await person_by_email(session, EMAIL)
        assert person is not None and person.id is not None, "sample data without " + EMAIL
        for chat in range(args.first_chat, args.first_chat + args.chats):
            # People who have written to the bot before: their private chat is known (else
            # the first question of each of a step's new chats also stores it).
            private = ConversationRef(Platform.TELEGRAM, str(chat), ConversationKind.PERSONAL)
            await link_account(session, platform="telegram", tenant_id="",
                               external_id=str(chat), person_id=person.id,
                               private_ref=private.to_json())
        await session.commit()
    await app.directory.index()  # built at the first question otherwise: not what we measure
    objects = len(gc.get_objects())
    full = _full_collection()
    frozen = None
    if args.gc_freeze:  # bots.memory.settle_heap, as the composition root calls it
        from bots.memory import settle_heap
        settle_heap()
        frozen = _full_collection()
    monitor = asyncio.create_task(instruments.lag_monitor())
    _say({"port": service.port, "path": LACZNIK_PATH, "policy": _policy(),
          "objects": objects, "full_gc": full, "frozen_gc": frozen})
    try:
        await _serve_commands(instruments, args.profile_out)
    finally:
        monitor.cancel()
        await service.stop()


def _full_collection() -> float:
    """Seconds one full (generation 2) collection takes now, once start-up's garbage is
    gone: the pause the loop gets whenever the collector decides on one."""
    gc.collect()
    started = time.perf_counter()
    gc.collect()
    return time.perf_counter() - started


def _policy() -> str:
    return type(asyncio.get_event_loop_policy()).__name__


def lacznik_config(folder: Path, tg: FakeTelegramServer, database: str) -> Path:
    """A ``lacznik.toml`` for the bench: ``database``, Telegram webhook to the fake."""
    path = folder / "lacznik.toml"
    path.write_text(f"""
[database]
url = "{database}"

[server]
host = "127.0.0.1"
port = {_free_port()}

[console]
enabled = false

[logging]
level = "info"

[telegram]
token = "{tg.token}"
api_base_url = "{tg.url}"
mode = "webhook"
webhook_url = "{WEBHOOK_URL}"
webhook_secret = "{SECRET}"
max_messages_per_second = 1000  # Telegram's 30/s is the platform's limit, not ours to measure
""", encoding="utf-8")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# ====================================================================== the load generator


class BotProcess:
    """A bot in its own Python process, driven through stdin/stdout JSON lines."""

    def __init__(self, proc: asyncio.subprocess.Process, log: Path) -> None:
        self.proc, self.log = proc, log
        self.url = ""
        self.policy = ""
        self.objects = 0  # tracked by the GC once started (Łącznik)
        self.full_gc: float | None = None  # seconds of a full collection then
        self.frozen_gc: float | None = None  # the same after gc.freeze() (--gc-freeze)

    @classmethod
    async def start(cls, kind: str, extra: list[str], log: Path) -> BotProcess:
        with log.open("wb") as stderr:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bench.throughput", "--serve", kind, *extra,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=stderr,
                cwd=REPO)
        bot = cls(proc, log)
        try:
            ready = await asyncio.wait_for(bot._read(), 120)
        except Exception:
            proc.kill()
            tail = (await asyncio.to_thread(log.read_text, errors="replace")).splitlines()[-20:]
            raise RuntimeError(f"{kind} did not start:\n" + "\n".join(tail)) from None
        bot.url = f"http://127.0.0.1:{ready['port']}{ready['path']}"
        bot.policy = ready["policy"]
        bot.objects = ready.get("objects", 0)
        bot.full_gc = ready.get("full_gc")
        bot.frozen_gc = ready.get("frozen_gc")
        return bot

    async def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = await self.proc.stdout.readline()
        if not line:
            raise RuntimeError("bot process ended")
        result: dict[str, Any] = json.loads(line)
        return result

    async def command(self, what: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(what.encode() + b"\n")
        await self.proc.stdin.drain()
        return await asyncio.wait_for(self._read(), 60)

    async def stop(self) -> None:
        assert self.proc.stdin is not None
        with contextlib.suppress(ConnectionError):
            self.proc.stdin.write(b"quit\n")
            await self.proc.stdin.drain()
            self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), 30)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()


def update_for(chat: int, n: int, update_id: int) -> dict[str, Any]:
    """A private text message (a sample payload) from ``chat`` with the n-th question (``n``
    also orders the chat's message ids)."""
    update = load_payload("private_text_message.json")
    update["update_id"] = update_id
    message = update["message"]
    message["chat"]["id"] = message["from"]["id"] = chat
    message["from"]["language_code"] = "pl"
    message["message_id"] = 1000 + n
    message["date"] = int(time.time())
    message["text"] = QUESTIONS[n % len(QUESTIONS)]
    if message["text"].startswith("/"):
        message["entities"] = [{"offset": 0, "length": 4, "type": "bot_command"}]
    return update


class Load:
    """POSTs updates to one webhook at a steady rate and matches the fake's sendMessages."""

    def __init__(self, tg: FakeTelegramServer, url: str, connections: int) -> None:
        self.tg, self.url = tg, url
        self.connections = connections
        self.update_ids = iter(range(int(time.time()), 1 << 62))

    async def step(self, rate: int, seconds: float, chats: range) -> Step:
        """``rate`` updates/s for ``seconds`` from ``chats`` in turn; waits for the replies."""
        step = Step(rate)
        total = max(1, round(rate * seconds))
        first_call = len(self.tg.calls)
        posted: dict[int, list[float]] = defaultdict(list)
        statuses: list[int] = []
        headers = {"Content-Type": "application/json",
                   "X-Telegram-Bot-Api-Secret-Token": SECRET}
        bodies = [(chats[n % len(chats)],  # the questions in turn, whatever the step's length
                   json.dumps(update_for(chats[n % len(chats)], n, next(self.update_ids)),
                              ensure_ascii=False).encode())
                  for n in range(total)]
        cpu = _cpu()

        async def post(session: ClientSession, chat: int, body: bytes) -> None:
            posted[chat].append(time.monotonic())
            try:
                async with session.post(self.url, data=body, headers=headers) as response:
                    await response.read()
                    statuses.append(response.status)
            except Exception:
                statuses.append(0)

        connector = TCPConnector(limit=self.connections)
        async with ClientSession(connector=connector, timeout=ClientTimeout(total=60)) as session:
            tasks: set[asyncio.Task[None]] = set()
            start = time.monotonic()
            for n, (chat, body) in enumerate(bodies):
                delay = start + n / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                task = asyncio.create_task(post(session, chat, body))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            step.offered = total / max(time.monotonic() - start, 1e-9)
            step.sent = total
            # Replies keep coming after the last POST: wait until all are in, or nothing new
            # arrived for a while (the rest is lost).
            deadline = time.monotonic() + max(10.0, 3 * seconds)
            seen, quiet_since = 0, time.monotonic()
            while time.monotonic() < deadline:
                replies = self._count_replies(first_call)
                if replies >= total and not tasks:
                    break
                if replies != seen:
                    seen, quiet_since = replies, time.monotonic()
                elif time.monotonic() - quiet_since > 5.0 and not tasks:
                    break
                await asyncio.sleep(0.1)
            await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(0.3)  # a reply still on its way
        step.parent_cpu = _cpu() - cpu
        step.errors = sum(status != 200 for status in statuses)
        replied: dict[int, deque[float]] = defaultdict(deque)
        for call in self.tg.calls[first_call:]:
            if call.method == "sendMessage" and call.status == 200:
                replied[int(call.params["chat_id"])].append(call.timestamp)
        for chat, times in posted.items():
            answers = replied.get(chat, deque())
            for at, answered in zip(times, answers, strict=False):
                step.latencies.append(answered - at)
            step.answered += min(len(times), len(answers))
        return step

    def _count_replies(self, first_call: int) -> int:
        return sum(1 for call in self.tg.calls[first_call:] if call.method == "sendMessage")


@dataclass
class BotRun:
    """One bot's steps."""

    name: str
    policy: str = ""
    steps: list[Step] = field(default_factory=list)
    idle_cpu: float = 0.0  # CPU seconds per second with no updates (timers, the lag monitor)
    objects: int = 0  # tracked by the GC once started
    full_gc: float | None = None  # seconds of one full collection once started
    frozen_gc: float | None = None  # the same after gc.freeze() (--gc-freeze)

    def best(self) -> int:
        """The highest rate with p99 ≤ 1 s and nothing lost (below the first failing step)."""
        best = 0
        for step in self.steps:
            if not step.clean:
                break
            best = step.rate
        return best

    def at(self, rate: int) -> Step | None:
        return next((s for s in self.steps if s.rate == rate), None)


def chat_ranges(rates: list[int], seconds: float, chat_rate: float) -> Iterator[range]:
    """Fresh chats for every step (a late reply of one step never counts for the next)."""
    first = FIRST_CHAT + WARMUP
    for rate in rates:
        count = max(1, min(round(rate * seconds), round(rate / chat_rate)))
        yield range(first, first + count)
        first += count


@contextlib.asynccontextmanager
async def fresh_database(server: str | None, folder: Path) -> AsyncIterator[str]:
    """A new SQLite file in ``folder``; with ``--database postgresql://…``, a new database
    on that server, dropped afterwards."""
    if not server:
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server)
    name = f"bench_throughput_{os.getpid()}_{folder.name}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    async with await psycopg.AsyncConnection.connect(admin, autocommit=True) as connection:
        await connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        async with await psycopg.AsyncConnection.connect(admin, autocommit=True) as connection:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def run_bot(name: str, tg: FakeTelegramServer, folder: Path, args: argparse.Namespace,
                  ) -> BotRun:
    """Start one bot (Łącznik on a fresh database), warm it up, run the steps, stop it."""
    (folder / name).mkdir(exist_ok=True)
    if name != "lacznik":
        return await _run_bot(name, tg, folder, args, [])
    async with fresh_database(args.database, folder / name) as database:
        chats = chat_ranges(args.rates, args.seconds, args.chat_rate)
        last = list(chats)[-1].stop
        extra = ["--config", str(lacznik_config(folder / name, tg, database)),
                 "--first-chat", str(FIRST_CHAT), "--chats", str(last - FIRST_CHAT)]
        return await _run_bot(name, tg, folder, args, extra)


async def _run_bot(name: str, tg: FakeTelegramServer, folder: Path, args: argparse.Namespace,
                   extra: list[str]) -> BotRun:
    chats = list(chat_ranges(args.rates, args.seconds, args.chat_rate))
    extra = ["--fake-url", tg.url, "--token", tg.token,
             *(["--instrumented"] if args.instrumented else []),
             *(["--gc-freeze"] if args.gc_freeze else []), *extra]
    print(f"\n{name}: starting …", flush=True)
    bot = await BotProcess.start(name, extra, folder / name / "stderr.log")
    run = BotRun(name, bot.policy, objects=bot.objects, full_gc=bot.full_gc,
                 frozen_gc=bot.frozen_gc)
    try:
        load = Load(tg, bot.url, args.connections)
        await load.step(20, WARMUP / 20, range(FIRST_CHAT, FIRST_CHAT + WARMUP))
        await bot.command("mark")
        await asyncio.sleep(2.0)
        run.idle_cpu = (await bot.command("mark"))["cpu"] / 2.0
        for rate, step_chats in zip(args.rates, chats, strict=True):
            await bot.command("mark")
            started = time.monotonic()
            step = await load.step(rate, args.seconds, step_chats)
            step.stats = await bot.command("mark")
            step.wall = time.monotonic() - started
            step.load = os.getloadavg()[0]
            run.steps.append(step)
            print(row(step), flush=True)
            if not step.clean and not args.keep_going:
                break
            await asyncio.sleep(1.0)
    finally:
        await bot.stop()
    return run


async def profile_bot(name: str, tg: FakeTelegramServer, folder: Path,
                      args: argparse.Namespace) -> tuple[str, Step, Path]:
    """One bot under cProfile at one steady rate (Łącznik on a fresh database)."""
    out = folder / f"profile-{name}" / f"{name}.prof"
    out.parent.mkdir(exist_ok=True)
    if name != "lacznik":
        return name, await _profile(name, tg, out, [], args), out
    async with fresh_database(args.database, out.parent) as database:
        extra = ["--config", str(lacznik_config(out.parent, tg, database))]
        return name, await _profile(name, tg, out, extra, args), out


async def _profile(name: str, tg: FakeTelegramServer, out: Path, extra: list[str],
                   args: argparse.Namespace) -> Step:
    seconds = args.profile_seconds
    chats = range(FIRST_CHAT + WARMUP, FIRST_CHAT + WARMUP
                  + max(1, round(args.profile_rate / args.chat_rate)))
    extra = ["--fake-url", tg.url, "--token", tg.token, "--profile-out", str(out), *extra,
             "--instrumented", *(["--gc-freeze"] if args.gc_freeze else []),
             "--first-chat", str(FIRST_CHAT), "--chats", str(chats.stop - FIRST_CHAT)]
    print(f"\n{name} under cProfile at {args.profile_rate}/s for {seconds:g} s …", flush=True)
    bot = await BotProcess.start(name, extra, out.parent / "stderr.log")
    try:
        load = Load(tg, bot.url, args.connections)
        await load.step(20, WARMUP / 20, range(FIRST_CHAT, FIRST_CHAT + WARMUP))
        await bot.command("profile-on")
        step = await load.step(args.profile_rate, seconds, chats)
        step.stats = await bot.command("profile-off")
    finally:
        await bot.stop()
    return step


# ================================================================================ printing


def row(step: Step) -> str:
    stats, answered = step.stats, max(step.answered, 1)
    lags = stats.get("lags", [])
    starved = stats.get("run_queue", 0) / max(step.wall, 1e-9) * 100
    return (f"  {step.rate:>5}/s  offered {step.offered:6.1f}/s  sent {step.sent:>5}  "
            f"answered {step.answered:>5}  lost {step.lost:>4}  errors {step.errors:>3}  "
            f"p50 {pct(step.latencies, 50) * 1000:7.1f} ms  "
            f"p99 {pct(step.latencies, 99) * 1000:7.1f} ms  "
            f"cpu/update {stats.get('cpu', 0) / answered * 1000:5.2f} ms "
            f"(loop thread {stats.get('loop_cpu', 0) / answered * 1000:5.2f})  "
            f"sql {stats.get('statements', 0) / answered:4.1f}  "
            f"commits {stats.get('commits', 0) / answered:4.1f}  "
            f"logs {stats.get('log_records', 0) / answered:4.1f}  "
            f"lag max {max(lags, default=0) * 1000:5.0f} ms  "
            f"loop thread waiting for a CPU {starved:4.1f} %  load {step.load:4.1f}  "
            f"{'ok' if step.clean else 'FAIL'}")


def report(runs: list[BotRun], args: argparse.Namespace) -> None:
    print("\n=== summary (reply latency = webhook POST started → fake got sendMessage) ===")
    for run in runs:
        heap = ""
        if run.objects and run.full_gc is not None:
            heap = (f", {run.objects:,} objects tracked by the GC once started: a full "
                    f"collection takes {run.full_gc * 1000:.0f} ms")
            if run.frozen_gc is not None:
                heap += f", {run.frozen_gc * 1000:.1f} ms after gc.freeze()"
        print(f"\n{run.name} (event loop policy {run.policy}{heap}):")
        for step in run.steps:
            print(row(step))
        clean = [s for s in run.steps if s.clean]
        cpu = sum(s.stats.get("cpu", 0) for s in clean)
        idle = sum(s.wall for s in clean) * run.idle_cpu
        answered = sum(s.answered for s in clean)
        parent = sum(s.parent_cpu for s in clean)
        print(f"  highest rate with p99 ≤ {CLEAN_P99:g} s and nothing lost: {run.best()}/s")
        if answered:
            print(f"  CPU per answered update over the clean steps (bot process, all threads): "
                  f"{cpu / answered * 1000:.2f} ms, {(cpu - idle) / answered * 1000:.2f} ms "
                  f"without the idle {run.idle_cpu * 100:.1f} % of a CPU; load generator + "
                  f"fake: {parent / answered * 1000:.2f} ms")
    by_name = {run.name: run for run in runs}
    minimal, lacznik = by_name.get("minimal"), by_name.get("lacznik")
    if minimal and lacznik:
        ratio = lacznik.best() / minimal.best() if minimal.best() else float("nan")
        print(f"\nratio Łącznik / minimal (highest clean rate): {lacznik.best()} / "
              f"{minimal.best()} = {ratio:.2f}  (target ≥ 0.5)")
    if minimal and lacznik:
        for rate in (50, 100):
            mine, theirs = lacznik.at(rate), minimal.at(rate)
            if mine is None or theirs is None or not (mine.answered and theirs.answered):
                continue
            ours = mine.stats.get("cpu", 0) / mine.answered
            base = theirs.stats.get("cpu", 0) / theirs.answered
            print(f"CPU per answered update at {rate}/s: Łącznik {ours * 1000:.2f} ms, minimal "
                  f"{base * 1000:.2f} ms (× {ours / max(base, 1e-9):.1f}); what one core "
                  f"could take at that cost: {1 / max(ours, 1e-9):.0f} vs "
                  f"{1 / max(base, 1e-9):.0f} updates/s (the steadier ratio on a busy machine: "
                  f"{base / max(ours, 1e-9):.2f})")
    if lacznik and (at50 := lacznik.at(50)) is not None:
        print(f"Łącznik p99 at 50 updates/s: {pct(at50.latencies, 99) * 1000:.1f} ms "
              f"(p50 {pct(at50.latencies, 50) * 1000:.1f} ms, max "
              f"{max(at50.latencies, default=0) * 1000:.1f} ms; target ≤ 250 ms)")
        loop_report(at50)
        if args.instrumented:
            sql_report(at50)
    database = "PostgreSQL" if args.database else "SQLite"
    print(f"\n(python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {database}; "
          f"{args.seconds:g} s per step, {args.connections} webhook connections)")


def loop_report(step: Step) -> None:
    stats = step.stats
    lags = stats.get("lags", [])
    worst = ", ".join(f"{lag * 1000:.0f} ({wait * 1000:.0f})"
                      for lag, wait in stats.get("worst_lags", []))
    print(f"  event-loop lag at {step.rate}/s ({len(lags)} ticks of {LAG_TICK * 1000:.0f} ms): "
          f"p50 {pct(lags, 50) * 1000:.1f} ms, p99 {pct(lags, 99) * 1000:.1f} ms, "
          f"worst {worst} ms "
          f"(in brackets: of that, the loop thread waited for a CPU); "
          f"GC runs {stats.get('gc_count', 0)}, longest "
          f"{', '.join(f'{p * 1000:.1f} (gen {g})' for p, g in stats.get('gc_pauses', []))} ms")
    for lag, wait, stack in stats.get("stalls", []):
        print(f"  stall of {lag * 1000:.0f} ms ({wait * 1000:.0f} ms waiting for a CPU); "
              f"the loop thread was at:")
        for line in stack.rstrip().splitlines():
            print(f"      {line}")


def sql_report(step: Step) -> None:
    stats, answered = step.stats, max(step.answered, 1)
    print(f"  per answered update: {stats.get('statements', 0) / answered:.2f} SQL statements, "
          f"{stats.get('commits', 0) / answered:.2f} commits, "
          f"{stats.get('rollbacks', 0) / answered:.2f} rollbacks, "
          f"{stats.get('log_records', 0) / answered:.2f} log records")
    for statement, count in stats.get("sql", [])[:15]:
        print(f"    {count / answered:5.2f} × {statement}")
    print("  database sessions opened, per answered update, by caller:")
    for where, count in stats.get("sessions", []):
        print(f"    {count / answered:5.2f} × {where}")
    print("  AsyncSession.commit() per answered update, by caller:")
    for where, count in stats.get("commit_sites", []):
        print(f"    {count / answered:5.2f} × {where}")
    timings = sorted(stats.get("stages", {}).items(), key=lambda kv: -kv[1][3])
    timings += [("AsyncSession.commit()", stats.get("commit_times"))]
    timings += sorted(stats.get("sql_times", {}).items(), key=lambda kv: -kv[1][0])[:8]
    print("  wall time awaited (ms): calls per update, p50, p99, max")
    for kind, spread in timings:
        if spread and spread[0]:
            count, p50, p99, longest = spread
            print(f"    {kind:<40} {count / answered:5.2f}  {p50 * 1000:6.2f}  "
                  f"{p99 * 1000:7.2f}  {longest * 1000:7.2f}")


IDLE = "method 'poll' of 'select.epoll' objects"  # the loop waiting: not a cost
_GROUPS = (  # (label, path fragments), first match wins: where own time goes
    ("bench instruments (not the bot)", ("bench/throughput.py", "posix.pread")),
    ("socket send/recv (GIL hand-offs)", ("_socket.socket",)),
    ("SimpleQueue.put (to aiosqlite's thread)", ("_queue.SimpleQueue",)),
    ("greenlet (SQLAlchemy async bridge)", ("greenlet",)),
    ("sqlalchemy", ("/sqlalchemy/",)), ("sqlmodel", ("/sqlmodel/",)),
    ("aiosqlite/sqlite3", ("/aiosqlite/", "sqlite3")), ("telegram (PTB)", ("/telegram/",)),
    ("httpx/httpcore", ("/httpx/", "/httpcore/", "/h11/", "/anyio/")),
    ("aiohttp", ("/aiohttp/", "/multidict/", "/yarl/")), ("logging", ("/logging/",)),
    ("json", ("/json/", "_json")), ("asyncio", ("/asyncio/", "select", "_asyncio")),
    ("Łącznik commands/", ("/commands/",)), ("Łącznik store/", ("/store/",)),
    ("Łącznik adapters/", ("/adapters/",)), ("Łącznik bots/ scheduler/", ("/bots/", "/scheduler/")),
)


def profile_report(name: str, step: Step, path: Path) -> None:
    answered = max(step.answered, 1)
    print(f"\n=== {name} under cProfile at {step.rate}/s: {step.answered}/{step.sent} answered, "
          f"p50 {pct(step.latencies, 50) * 1000:.1f} ms, p99 {pct(step.latencies, 99) * 1000:.1f}"
          f" ms (profiler overhead included); loop thread only ===")
    if step.stats.get("statements"):
        sql_report(step)
    stats = pstats.Stats(str(path))
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]  # pstats keeps it untyped
    idle = sum(entry[2] for (name, _, function), entry in raw.items()
               if IDLE in f"{name}:{function}")
    total = (sum(entry[2] for entry in raw.values()) - idle) or 1e-9
    print(f"  profiled busy time of the loop thread: {total * 1000 / answered:.2f} ms per answered "
          f"update (waiting in epoll left out: {idle:.2f} s)")
    for key in ("cumulative", "tottime"):
        buffer = io.StringIO()
        stats.stream = buffer  # type: ignore[attr-defined]  # where print_stats writes
        stats.sort_stats(key).print_stats(15)
        note = (" — coroutines' cumulative times are inflated by cProfile (await chains "
                "re-entered, greenlet switches)" if key == "cumulative" else "")
        print(f"\n  top 15 by {key} (times are for all {step.answered} updates){note}:")
        lines = buffer.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        for line in lines[start:]:
            if line.strip():
                print("   " + _shorten(line))
    parts_report(raw, answered, total)
    groups: Counter[str] = Counter()
    others: Counter[str] = Counter()
    for (filename, _line, function), entry in raw.items():
        where = f"{filename}:{function}"
        if IDLE in where:
            continue
        label = next((name for name, parts in _GROUPS if any(p in where for p in parts)),
                     "other")
        groups[label] += entry[2]
        if label == "other":
            others[f"{_shorten(filename)}:{function}"] += entry[2]
    print("\n  own time by library (share of profiled time, ms per answered update):")
    for label, seconds in groups.most_common():
        print(f"    {label:<40} {seconds / total * 100:5.1f} %  "
              f"{seconds * 1000 / answered:6.3f} ms")
    print("  the largest of \"other\":")
    for where, seconds in others.most_common(6):
        print(f"    {seconds / total * 100:5.1f} %  {where}")


PROFILE_PARTS = (  # (label, file fragment, function) of plain functions: inclusive time
    ("translate_update (raw update → event)", "/translate.py", "translate_update"),
    ("directory answer_all (the answer itself)", "directory/answers.py", "answer_all"),
    ("render_message (HTML chunks)", "/render.py", "render_message"),
    ("PTB Message.de_json (sendMessage's result)", "telegram/_message.py", "de_json"),
    ("SQLAlchemy: statement compile", "sqlalchemy/sql/compiler.py", "__init__"),
    ("logging: Logger.handle", "logging/__init__.py", "handle"),
    ("json.loads", "json/__init__.py", "loads"),
    ("json.dumps", "json/__init__.py", "dumps"),
)


def parts_report(raw: dict[Any, Any], answered: int, total: float) -> None:
    """Inclusive time of some plain (not async) functions on the request path. Coroutines
    are left out: cProfile mis-times them (every resumption re-enters the await chain), and
    so are SQLAlchemy's session methods (they run in greenlets that switch back to the loop
    mid-call, so the loop's time lands in them)."""
    print("\n  inclusive time of plain functions on the request path (ms per answered "
          "update, share of busy time):")
    for label, fragment, function in PROFILE_PARTS:
        seconds = sum(entry[3] for (name, _, func), entry in raw.items()
                      if fragment in name and func == function)
        if seconds:
            print(f"    {label:<48} {seconds * 1000 / answered:6.3f} ms  "
                  f"{seconds / total * 100:5.1f} %")


def _shorten(line: str) -> str:
    """A pstats line with library paths cut to the package (``sqlalchemy/orm/session.py``)."""
    line = re.sub(r"\S*/(?:site-packages|lib/python3\.\d+)/", "", line)
    return line.replace(f"{REPO}/", "")


# ====================================================================================== main


async def bench(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING)
    runs: list[BotRun] = []
    with tempfile.TemporaryDirectory(prefix="throughput-") as tmp:
        folder = Path(tmp)
        async with FakeTelegramServer() as tg:
            for name in args.bots:
                runs.append(await run_bot(name, tg, folder, args))
            profiled = [await profile_bot(name, tg, folder, args) for name in args.profile]
            report(runs, args)
            for name, step, path in profiled:
                profile_report(name, step, path)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rates", type=_ints, default=None,
                        help="updates/s per step, comma-separated "
                             "(default 25,50,100,150,200,300,400,500,600)")
    parser.add_argument("--seconds", type=float, default=None, help="length of a step (10)")
    parser.add_argument("--quick", action="store_true",
                        help="short steps, a short profile: the whole run in under 3 minutes")
    parser.add_argument("--bots", type=lambda s: [b for b in s.split(",") if b in BOTS],
                        default=list(BOTS), help="minimal,lacznik (or none: the profile only)")
    parser.add_argument("--keep-going", action="store_true",
                        help="run every step, not only up to the first failing one")
    parser.add_argument("--connections", type=int, default=40,
                        help="webhook connections at once (Telegram's max_connections)")
    parser.add_argument("--chat-rate", type=float, default=0.5,
                        help="updates/s per chat (step chats = rate / this)")
    parser.add_argument("--profile-rate", type=int, default=25,
                        help="updates/s under cProfile (it about halves what Łącznik sustains)")
    parser.add_argument("--profile-seconds", type=float, default=None)
    parser.add_argument("--profile", type=lambda s: [b for b in s.split(",") if b in BOTS],
                        default=["lacznik"], help="bots to run under cProfile afterwards "
                        "(lacznik; minimal,lacznik for both)")
    parser.add_argument("--no-profile", dest="profile", action="store_const", const=[])
    parser.add_argument("--database", help="a PostgreSQL server URL (postgresql://user@host/db):"
                        " Łącznik gets a new database there, dropped afterwards (default: a new "
                        "SQLite file)")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="bots.memory.settle_heap() in Łącznik once started (gc.collect() "
                             "then gc.freeze(): the directory index and the rest of start-up "
                             "leave the collector's view)")
    parser.add_argument("--instrumented", action="store_true",
                        help="SQL, session and stage instruments in Łącznik's steps too (they "
                             "cost it ~13 %% of CPU, which the minimal bot does not pay; the "
                             "profile run always has them)")
    # the bot processes
    parser.add_argument("--serve", choices=("minimal", "lacznik"), help=argparse.SUPPRESS)
    parser.add_argument("--fake-url", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    parser.add_argument("--first-chat", type=int, default=FIRST_CHAT, help=argparse.SUPPRESS)
    parser.add_argument("--chats", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    quick = args.quick
    args.rates = args.rates or ([25, 50, 100, 200, 300, 400, 600, 800, 1000] if quick
                                else [25, 50, 100, 150, 200, 300, 400, 500, 600, 800, 1000, 1200])
    args.seconds = args.seconds or (3.0 if quick else 10.0)
    args.profile_seconds = args.profile_seconds or (4.0 if quick else 10.0)
    return args


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    serve: dict[str, Callable[[argparse.Namespace], Any]] = {
        "minimal": serve_minimal, "lacznik": serve_lacznik}
    if args.serve:
        asyncio.run(serve[args.serve](args))
        return
    asyncio.run(bench(args))


if __name__ == "__main__":
    main()
