"""Recording inbound deliveries: each platform update is handled to the end exactly once.

A delivery is claimed (``done`` false) before the core handles it and marked done after.
A redelivery of a done update is a duplicate; of a claimed one it waits (``BUSY``: the
adapter answers so that the platform delivers it again) unless the claim is older than the
lease — then the handling that claimed it was cut short (the database went away mid-way)
and this delivery takes it over.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import Executable
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.availability import is_outage
from store.db import Database, affected_rows, table_of
from store.models import ProcessedEvent, utcnow

LEASE = timedelta(seconds=30)
"""How long a claim holds off redeliveries: far longer than any handling takes."""


class Claim(StrEnum):
    """What a delivery found."""

    FIRST = "first"  # handle it
    DONE = "done"  # handled before: a duplicate
    BUSY = "busy"  # being handled right now (or just cut short): deliver again later


async def claim_delivery(session: AsyncSession, platform: str, event_id: str, *,
                         lease: timedelta = LEASE) -> Claim:
    """Claim ``(platform, event_id)`` for handling; the caller commits."""
    key = event_id[:200]
    now = utcnow()
    # One statement on the usual path (a first delivery): INSERT … ON CONFLICT DO NOTHING
    # RETURNING, instead of a savepoint around an insert that may fail.
    if await _insert_claims(session, [(platform, key)], now):
        return Claim.FIRST
    return await _claim_existing(session, platform, key, now, lease)


async def _claim_existing(session: AsyncSession, platform: str, key: str, now: datetime,
                          lease: timedelta) -> Claim:
    """The claim of a delivery whose row the INSERT met: done, busy, or taken over."""
    row = await session.get(ProcessedEvent, (platform, key), populate_existing=True)
    if row is None:  # forgotten by housekeeping meanwhile: an old duplicate
        return Claim.DONE
    if row.done:
        return Claim.DONE
    if aware(row.at) > now - lease:
        return Claim.BUSY
    taken = await session.execute(
        update(ProcessedEvent)
        .where(col(ProcessedEvent.platform) == platform,
               col(ProcessedEvent.event_id) == key,
               col(ProcessedEvent.done).is_(False),
               col(ProcessedEvent.at) == row.at)
        .values(at=now)
        .execution_options(synchronize_session=False)
    )
    return Claim.FIRST if affected_rows(taken) == 1 else Claim.BUSY


async def finish_delivery(session: AsyncSession, platform: str, event_id: str) -> None:
    """The delivery was handled to the end; the caller commits."""
    await session.execute(_finish(), {"b_platform": platform, "b_event_id": event_id[:200]})


# The statements of every update are built once: building them and working out their cache
# keys cost more than running them (bench/throughput.py).
@functools.cache
def _finish() -> Executable:
    table = table_of(ProcessedEvent)
    return (update(table)
            .where(table.c.platform == bindparam("b_platform", type_=table.c.platform.type),
                   table.c.event_id == bindparam("b_event_id", type_=table.c.event_id.type))
            .values(done=True))


def aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back: they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


T = TypeVar("T")
Write = Callable[[AsyncSession], Awaitable[None]]
"""What an update writes with its done mark (its reply's outbox rows), in that transaction."""


class InboundLedger:
    """Claims and done marks of the updates in flight, written together (group commit).

    Every update costs a claim (committed before it is handled) and a done mark (committed with
    its reply's outbox rows). Those asked for during one turn of the event loop are written in
    one transaction the next turn: one multi-row ``INSERT … ON CONFLICT DO NOTHING`` for the
    claims, one ``UPDATE`` per done mark run as one executemany with the replies' rows, one
    commit. Alone (a quiet hour) an update is written as before; under load a commit serves
    several. A claim that meets an existing row (a redelivery, a take-over) goes the careful
    way, :func:`claim_delivery`, one by one. When a group cannot be written, each update in it
    gets the error, as if it had been written alone (an outage: the platform delivers again).
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._claims: list[tuple[str, str, asyncio.Future[Claim]]] = []
        self._done: list[tuple[str, str, Write | None, asyncio.Future[None]]] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def claim(self, platform: str, event_id: str) -> Claim:
        """Claim ``(platform, event_id)`` for handling (see :func:`claim_delivery`);
        committed when this returns."""
        claimed: asyncio.Future[Claim] = asyncio.get_running_loop().create_future()
        self._claims.append((platform, event_id[:200], claimed))
        if len(self._claims) == 1:
            self._soon(self._write_claims)
        return await claimed

    async def finish(self, platform: str, event_id: str, write: Write | None = None) -> None:
        """Mark the delivery done, running ``write`` (the reply's outbox rows) in the same
        transaction; committed when this returns."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._done.append((platform, event_id[:200], write, done))
        if len(self._done) == 1:
            self._soon(self._write_done)
        await done

    def _soon(self, write: Callable[[], Coroutine[Any, Any, None]]) -> None:
        # A task of its own, started next turn: what the other updates ask for in this turn
        # joins the group, and a caller cancelled meanwhile does not cancel the others' write.
        task = asyncio.get_running_loop().create_task(write())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _write_claims(self) -> None:
        group, self._claims = self._claims, []
        first: dict[tuple[str, str], asyncio.Future[Claim]] = {}
        careful: list[tuple[str, str, asyncio.Future[Claim]]] = []
        for platform, key, claimed in group:
            if (platform, key) in first:  # the same update twice at once: one handles it
                careful.append((platform, key, claimed))
            else:
                first[platform, key] = claimed
        try:
            async with self._db.session() as session:
                inserted = await _insert_claims(session, list(first), utcnow())
                await session.commit()
        except Exception as exc:  # each caller gets what its own write would have raised
            _fail([claimed for *_, claimed in group], exc)
            return
        for (platform, key), claimed in first.items():
            if (platform, key) in inserted:
                _settle(claimed, Claim.FIRST)
            else:
                careful.append((platform, key, claimed))
        for platform, key, claimed in careful:
            try:  # the row exists (inserted above or before): no second INSERT
                async with self._db.session() as session:
                    outcome = await _claim_existing(session, platform, key, utcnow(), LEASE)
                    await session.commit()
            except Exception as exc:
                _fail([claimed], exc)
            else:
                _settle(claimed, outcome)

    async def _write_done(self) -> None:
        group, self._done = self._done, []
        try:
            await self._write_done_group(group)
        except Exception as exc:
            if len(group) == 1 or is_outage(exc):  # the database is away: for all of them
                _fail([done for *_, done in group], exc)
                return
            # One update's rows may be what failed (a bug, bad data): each alone, so that the
            # others are not answered with its error.
            for item in group:
                try:
                    await self._write_done_group([item])
                except Exception as alone:
                    _fail([item[3]], alone)
                else:
                    _settle(item[3], None)
        else:
            for *_, done in group:
                _settle(done, None)

    async def _write_done_group(
            self, group: list[tuple[str, str, Write | None, asyncio.Future[None]]]) -> None:
        async with self._db.session() as session:
            await session.execute(_finish(), [{"b_platform": platform, "b_event_id": key}
                                              for platform, key, _, _ in group])
            for _, _, write, _ in group:
                if write is not None:
                    await write(session)
            await session.commit()


async def _insert_claims(session: AsyncSession, keys: list[tuple[str, str]], now: datetime
                         ) -> set[tuple[str, str]]:
    """Insert claims for ``keys`` where none exists yet; the keys really inserted."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    result = await session.execute(
        _claim_many(dialect),
        [{"platform": platform, "event_id": key, "at": now, "done": False}
         for platform, key in keys])
    return {(row.platform, row.event_id) for row in result}


@functools.cache
def _claim_many(dialect: str) -> Executable:
    table = table_of(ProcessedEvent)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (insert(table).on_conflict_do_nothing(index_elements=["platform", "event_id"])
            .returning(table.c.platform, table.c.event_id))


def _settle(future: asyncio.Future[T], value: T) -> None:
    if not future.done():  # a caller cancelled meanwhile: nobody waits
        future.set_result(value)


def _fail(futures: list[asyncio.Future[Any]], exc: BaseException) -> None:
    for future in futures:
        if not future.done():
            future.set_exception(exc)
