"""SQLite called on the event loop's own thread: aiosqlite's interface without its thread.

aiosqlite runs every call (each statement, fetch, commit, rollback) on a thread of its own
and hands the result back through the event loop: ~0.5 ms of CPU per call on this kind of
machine against ~0.1 ms for the call itself — most of what a short transaction costs. With
WAL and ``synchronous=NORMAL`` a commit does not wait for the disk and the service's
statements read a handful of rows by index: calling sqlite3 directly costs the loop less
than the hand-over does.

Two things must never block the loop, and do not:

* **a write lock held elsewhere** (another connection of this pool in a transaction, the
  CLI, a restore): the connection's busy timeout is 0, so a statement that would wait fails
  at once with ``SQLITE_BUSY``; it is retried after an asynchronous sleep (1 ms, doubling
  to 50 ms) until ``busy_seconds`` have passed — the loop goes on meanwhile, and the holder
  can finish. A statement that got ``SQLITE_BUSY`` did not run, so running it again is safe.
* **long work**: backups copy the file on a thread of their own (store/backup.py);
  migrations run on a synchronous engine in a thread (``Database.upgrade``). What remains
  on the loop is the reading of large results (the directory index: ~35,000 people), which
  the loop paid for anyway in turning rows into objects; see ``store/db.py`` for figures.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import aiosqlite

FIRST_RETRY_SECONDS = 0.001
LONGEST_RETRY_SECONDS = 0.05
YIELD_AFTER_SECONDS = 0.002


# Busy and worth waiting for: a lock another connection holds, or a WAL being recovered.
# Not SQLITE_BUSY_SNAPSHOT: a transaction whose read snapshot is older than the last write
# can never write — waiting only delays its failure by ``busy_seconds``.
_RETRIED = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_BUSY_RECOVERY})


def is_busy(exc: sqlite3.OperationalError) -> bool:
    """The statement could not take a lock another connection holds (it did not run) and
    may succeed when it is tried again."""
    return getattr(exc, "sqlite_errorcode", 0) in _RETRIED


class InlineConnection(aiosqlite.Connection):
    """An ``aiosqlite.Connection`` (what SQLAlchemy's aiosqlite dialect drives) whose calls
    run at once on the calling thread; a busy database is waited for asynchronously."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], *,
                 busy_seconds: float) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._busy_seconds = busy_seconds

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        delay = FIRST_RETRY_SECONDS
        deadline: float | None = None
        while True:
            started = time.perf_counter()
            try:
                result = fn(*args, **kwargs)
            except sqlite3.OperationalError as exc:
                if not is_busy(exc):
                    raise
                now = time.monotonic()
                if deadline is None:
                    deadline = now + self._busy_seconds
                if now >= deadline:
                    raise
                await asyncio.sleep(min(delay, deadline - now))
                delay = min(delay * 2, LONGEST_RETRY_SECONDS)
                continue
            if time.perf_counter() - started > YIELD_AFTER_SECONDS:
                # A long call (a large result read): let the other tasks have a turn before
                # this one goes on, as the hand-over from aiosqlite's thread did.
                await asyncio.sleep(0)
            return result

    async def _connect(self) -> InlineConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    def __await__(self) -> Any:
        return self._connect().__await__()  # no worker thread to start

    def stop(self) -> None:
        """Close the sqlite3 connection (there is no thread to stop)."""
        self._running = False
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    async def close(self) -> None:
        """Close the connection."""
        self.stop()


def inline_connector(database: str, *, busy_seconds: float,
                     uri: bool = False) -> Callable[[], Awaitable[InlineConnection]]:
    """An ``async_creator`` for SQLAlchemy's aiosqlite dialect: connections to ``database``
    whose calls run on the event loop's thread. sqlite3 never waits for a lock itself
    (timeout 0); :class:`InlineConnection` retries for ``busy_seconds``."""

    async def connect() -> InlineConnection:
        connection = InlineConnection(
            partial(sqlite3.connect, database, timeout=0, check_same_thread=False, uri=uri),
            busy_seconds=busy_seconds)
        return await connection

    return connect


__all__ = ["InlineConnection", "inline_connector", "is_busy"]
