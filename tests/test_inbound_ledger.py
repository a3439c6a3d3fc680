"""Claims and done marks of updates in flight are written together (``store.inbound``
``InboundLedger``), and each update still gets exactly what it would have alone: handled once,
a duplicate recognised, a failing reply nobody else's problem. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import event, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.db import Database
from store.inbound import Claim, InboundLedger
from store.models import ProcessedEvent


def _commits(db: Database) -> list[int]:
    seen: list[int] = []
    event.listen(db.engine.sync_engine, "commit", lambda _conn: seen.append(1))
    return seen


async def _done(db: Database) -> dict[str, bool]:
    async with db.session() as session:
        rows = await session.execute(select(col(ProcessedEvent.event_id),
                                            col(ProcessedEvent.done)))
        return {event_id: done for event_id, done in rows}


async def test_updates_arriving_together_are_claimed_and_finished_in_one_commit_each(
        database: Database) -> None:
    ledger = InboundLedger(database)
    commits = _commits(database)
    claims = await asyncio.gather(*(ledger.claim("telegram", str(n)) for n in range(10)))
    assert claims == [Claim.FIRST] * 10 and len(commits) == 1
    await asyncio.gather(*(ledger.finish("telegram", str(n)) for n in range(10)))
    assert len(commits) == 2
    assert await _done(database) == {str(n): True for n in range(10)}
    # redelivered later, one by one: each is a duplicate
    assert [await ledger.claim("telegram", str(n)) for n in range(3)] == [Claim.DONE] * 3


async def test_the_same_update_twice_at_once_is_handled_once(database: Database) -> None:
    ledger = InboundLedger(database)
    first, second, other = await asyncio.gather(
        ledger.claim("slack", "Ev1"), ledger.claim("slack", "Ev1"), ledger.claim("teams", "Ev1"))
    assert sorted([first, second]) == sorted([Claim.FIRST, Claim.BUSY])
    assert other == Claim.FIRST  # another platform's id that happens to be the same


async def test_a_done_update_in_a_group_of_new_ones_is_a_duplicate(database: Database) -> None:
    ledger = InboundLedger(database)
    assert await ledger.claim("telegram", "old") == Claim.FIRST
    await ledger.finish("telegram", "old")
    claims = await asyncio.gather(ledger.claim("telegram", "new-1"),
                                  ledger.claim("telegram", "old"),
                                  ledger.claim("telegram", "new-2"))
    assert list(claims) == [Claim.FIRST, Claim.DONE, Claim.FIRST]


async def test_one_updates_failing_reply_leaves_the_others_written(database: Database) -> None:
    ledger = InboundLedger(database)
    await asyncio.gather(*(ledger.claim("telegram", name) for name in ("a", "b", "c")))
    written: list[str] = []

    def rows_of(name: str) -> Callable[[AsyncSession], Awaitable[None]]:
        async def write(session: AsyncSession) -> None:
            if name == "b":
                raise ValueError("a reply that cannot be stored")
            count = await session.scalar(select(func.count()).select_from(ProcessedEvent)
                                         .where(col(ProcessedEvent.event_id) == name))
            written.append(f"{name}:{count}")
        return write

    outcomes = await asyncio.gather(
        *(ledger.finish("telegram", name, rows_of(name)) for name in ("a", "b", "c")),
        return_exceptions=True)
    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], ValueError)
    assert await _done(database) == {"a": True, "b": False, "c": True}
    assert "a:1" in written and "c:1" in written


async def test_a_caller_that_gives_up_does_not_stop_the_others(database: Database) -> None:
    ledger = InboundLedger(database)
    waiting = asyncio.ensure_future(ledger.claim("telegram", "gone"))
    staying = asyncio.ensure_future(ledger.claim("telegram", "stays"))
    await asyncio.sleep(0)
    waiting.cancel()
    assert await staying == Claim.FIRST
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert set(await _done(database)) == {"gone", "stays"}  # claimed all the same
