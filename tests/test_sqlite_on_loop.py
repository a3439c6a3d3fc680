"""SQLite on the event loop's thread: a write lock held by another process (the CLI, a
restore) is waited for without stopping the loop, and the write goes through once it is
released; without a release the statement fails after the busy time, as sqlite3 would."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from store.db import Database


async def _database(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'lacznik.db'}")
    async with db.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)"))
    return db


async def _ticks(stop: asyncio.Event, gaps: list[float]) -> None:
    last = time.monotonic()
    while not stop.is_set():
        await asyncio.sleep(0.005)
        now = time.monotonic()
        gaps.append(now - last)
        last = now


async def test_a_write_waits_for_another_writer_without_stopping_the_loop(
        tmp_path: Path) -> None:
    db = await _database(tmp_path)
    assert db.sqlite_on_loop
    other = sqlite3.connect(tmp_path / "lacznik.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the other process holds the write lock
    other.execute("INSERT INTO note (body) VALUES ('theirs')")
    asyncio.get_running_loop().call_later(0.3, other.execute, "COMMIT")
    stop, gaps = asyncio.Event(), list[float]()
    ticker = asyncio.create_task(_ticks(stop, gaps))
    started = time.monotonic()
    async with db.session() as session:
        await session.execute(text("INSERT INTO note (body) VALUES ('ours')"))
        await session.commit()
    waited = time.monotonic() - started
    stop.set()
    await ticker
    other.close()
    async with db.session() as session:
        bodies = sorted((await session.execute(text("SELECT body FROM note"))).scalars())
    await db.dispose()
    assert bodies == ["ours", "theirs"]
    assert waited >= 0.25
    assert max(gaps) < 0.1  # the loop kept running while the write waited


async def test_a_lock_never_released_fails_after_the_busy_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("store.db.SQLITE_BUSY_SECONDS", 0.2)
    db = await _database(tmp_path)
    other = sqlite3.connect(tmp_path / "lacznik.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        async with db.session() as session:
            with pytest.raises(OperationalError, match="locked"):
                await session.execute(text("INSERT INTO note (body) VALUES ('ours')"))
    finally:
        other.execute("ROLLBACK")
        other.close()
        await db.dispose()
