"""Issue 17.2 / 14.4, the review of the one way out: a reply sent at once is sent once, and
the replies of one conversation reach the person in the order they were written — when an
earlier one waits in the outbox, in this process or another instance's.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlmodel import col

from commands.clock import ManualClock
from commands.model import (
    ConversationKind,
    ConversationRef,
    OutboundMessage,
    Platform,
    SentMessage,
)
from commands.ports import (
    Capabilities,
    Outgoing,
    Planned,
    Rejected,
    Staged,
    TransientFailure,
    Unreachable,
)
from scheduler.delivery import DeliverySettings, DeliveryWorker
from scheduler.outbound import OutboundPath
from store.db import Database
from store.models import Delivery, Person
from store.sqlite_inline import InlineConnection

CHAT = ConversationRef(Platform.TELEGRAM, "42", ConversationKind.PERSONAL)
OTHER_CHAT = ConversationRef(Platform.TELEGRAM, "7", ConversationKind.PERSONAL)


class Chats:
    """A messenger server as the person sees it: what arrived, in order, per chat."""

    platform = Platform.TELEGRAM
    capabilities = Capabilities(max_text_length=4000)

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail_next = 0
        self.blocked: set[str] = set()

    async def send(self, ref: ConversationRef, message: OutboundMessage) -> SentMessage:
        if ref.conversation_id in self.blocked:
            raise Unreachable("bot was blocked by the user")
        if self.fail_next:
            self.fail_next -= 1
            raise TransientFailure("502 Bad Gateway")
        self.sent.append((ref.conversation_id, message.text))
        return SentMessage(ref, str(len(self.sent)))

    async def edit(self, sent: SentMessage, message: OutboundMessage) -> None:
        raise Rejected("not asked of this server")

    async def delete(self, sent: SentMessage) -> None:
        raise Rejected("not asked of this server")

    def seen_in(self, ref: ConversationRef) -> list[str]:
        return [text for chat, text in self.sent if chat == ref.conversation_id]


def instance(database: Database, clock: ManualClock, chats: Chats,
             name: str | None = None) -> tuple[OutboundPath, DeliveryWorker]:
    worker = DeliveryWorker(db=database, clock=clock, messengers={"telegram": chats},
                            worker_id=name)
    path = OutboundPath(db=database, clock=clock, worker=worker)
    path.register("telegram", chats)
    return path, worker


async def stage(path: OutboundPath, database: Database, clock: ManualClock,
                *replies: tuple[ConversationRef, str], event: str) -> Staged:
    """An update recorded with its reply (as commands/core.py ``_finish`` does)."""
    async with database.session() as session:
        staged = await path.stage(
            session, [Planned(ref, Outgoing(OutboundMessage(text=text)))
                      for ref, text in replies],
            event_id=event, asked_at=clock.now())
        await session.commit()
    return staged


async def rows_left(database: Database) -> list[Delivery]:
    async with database.session() as session:
        return list(await session.scalars(select(Delivery).order_by(col(Delivery.id))))


async def test_a_reply_that_waited_out_the_lease_before_its_send_goes_out_once(
        database: Database, clock: ManualClock) -> None:
    chats = Chats()
    path, worker = instance(database, clock, chats)
    try:
        staged = await stage(path, database, clock, (CHAT, "R1"), event="e1")
        # The reply waits in the adapter's per-chat queue (an earlier reply waits out a 429)
        # longer than the lease; meanwhile the worker takes the row and sends it.
        clock.advance(timedelta(seconds=61))
        assert await worker.run_once() == 1
        assert await path.send_staged(staged) == ["queued"]  # not sent a second time
        assert await worker.run_once() == 0
    finally:
        await worker.close()
    assert chats.seen_in(CHAT) == ["R1"]
    [row] = await rows_left(database)  # the worker's record of it stays
    assert row.state == "sent"


async def test_a_reply_staged_behind_one_that_failed_waits_for_it(
        database: Database, clock: ManualClock) -> None:
    chats = Chats()
    path, worker = instance(database, clock, chats)
    try:
        first = await stage(path, database, clock, (CHAT, "R1"), event="e1")
        second = await stage(path, database, clock, (CHAT, "R2"), event="e2")
        chats.fail_next = 1  # a 502 blip: R1 is left to the worker
        assert await path.send_staged(first) == ["queued"]
        assert await path.send_staged(second) == ["queued"]  # not ahead of R1
        await worker.run_once()
    finally:
        await worker.close()
    assert chats.seen_in(CHAT) == ["R1", "R2"]


async def test_another_instance_does_not_answer_ahead_of_a_reply_waiting_in_the_outbox(
        database: Database, clock: ManualClock) -> None:
    chats = Chats()
    a, worker_a = instance(database, clock, chats, "A")
    b, worker_b = instance(database, clock, chats, "B")
    try:
        # B has answered before (whatever it read at its start is old by now)
        assert await b.send_staged(await stage(b, database, clock, (OTHER_CHAT, "B0"),
                                               event="e0")) == ["sent"]
        chats.fail_next = 1
        assert await a.send_staged(await stage(a, database, clock, (CHAT, "R1"),
                                               event="e1")) == ["queued"]
        assert await b.send_staged(await stage(b, database, clock, (CHAT, "R2"),
                                               event="e2")) == []  # queued behind R1
        await worker_a.run_once()
        await worker_b.run_once()
    finally:
        await worker_a.close()
        await worker_b.close()
    assert chats.seen_in(CHAT) == ["R1", "R2"]


async def test_an_unreachable_chat_does_not_cost_another_chat_its_reply(
        database: Database, clock: ManualClock) -> None:
    chats = Chats()
    chats.blocked.add(CHAT.conversation_id)
    path, worker = instance(database, clock, chats)
    try:
        staged = await stage(path, database, clock, (CHAT, "to 42"), (CHAT, "more to 42"),
                             (OTHER_CHAT, "to 7"), event="e1")
        assert await path.send_staged(staged) == ["failed", "failed", "sent"]
    finally:
        await worker.close()
    assert chats.seen_in(OTHER_CHAT) == ["to 7"]


async def test_a_reply_to_a_conversation_with_a_long_key_queues_behind_its_failed_one(
        database: Database, clock: ManualClock) -> None:
    chats = Chats()
    long_chat = ConversationRef(Platform.TELEGRAM, "9" * 450, ConversationKind.PERSONAL)
    path, worker = instance(database, clock, chats)
    try:
        first = await stage(path, database, clock, (long_chat, "R1"), event="e1")
        second = await stage(path, database, clock, (long_chat, "R2"), event="e2")
        chats.fail_next = 1
        assert await path.send_staged(first) == ["queued"]
        assert await path.send_staged(second) == ["queued"]
        await worker.run_once()
        third = await stage(path, database, clock, (long_chat, "R3"), event="e3")
        assert await path.send_staged(third) == ["sent"]  # the queue is empty again
    finally:
        await worker.close()
    assert chats.seen_in(long_chat) == ["R1", "R2", "R3"]


async def test_sending_at_once_does_not_wait_for_the_record_of_the_send(
        database: Database, clock: ManualClock) -> None:
    chats = Chats()
    path, worker = instance(database, clock, chats)
    try:
        staged = await stage(path, database, clock, (CHAT, "R1"), event="e1")
        async with database.session() as busy:  # the outbox is locked by another writer
            await busy.execute(update(Delivery).values(reason="held"))
            # the next reply of the chat waits only for the platform, not for the record
            assert await asyncio.wait_for(path.send_staged(staged), 2) == ["sent"]
            await busy.rollback()
        await worker.close()
        assert await rows_left(database) == []  # recorded (removed) once the lock went
    finally:
        await worker.close()
    assert chats.seen_in(CHAT) == ["R1"]


def test_sqlite_gives_up_at_once_on_a_snapshot_that_can_never_write(tmp_path: Path) -> None:
    path = str(tmp_path / "snapshot.db")
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE t (x INTEGER)")
    setup.commit()

    async def scenario() -> float:
        reader = InlineConnection(lambda: sqlite3.connect(path, timeout=0,
                                                          isolation_level=None),
                                  busy_seconds=3)
        await reader
        try:
            await reader.execute("BEGIN")
            await reader.execute("SELECT * FROM t")  # a read snapshot
            setup.execute("INSERT INTO t VALUES (1)")  # another connection writes meanwhile
            setup.commit()
            started = time.monotonic()
            with pytest.raises(sqlite3.OperationalError):
                await reader.execute("INSERT INTO t VALUES (2)")  # SQLITE_BUSY_SNAPSHOT
            return time.monotonic() - started
        finally:
            await reader.close()

    try:
        assert asyncio.run(scenario()) < 1  # not retried for busy_seconds: it never succeeds
    finally:
        setup.close()


async def test_a_queued_reply_names_the_person_it_answers(
        database: Database, clock: ManualClock) -> None:
    chats = Chats()
    path, worker = instance(database, clock, chats)
    async with database.session() as session:
        person = Person(name="Renata Kowalska")
        session.add(person)
        await session.commit()
        await session.refresh(person)
    try:
        async with database.session() as session:
            staged = await path.stage(
                session, [Planned(CHAT, Outgoing(OutboundMessage(text="R1")))],
                event_id="e1", asked_at=clock.now(), person_id=person.id)
            await session.commit()
        chats.fail_next = 1
        assert await path.send_staged(staged) == ["queued"]
        # what an erasure of the person looks for: the reply waiting in the outbox
        async with database.session() as session:
            [row] = await session.scalars(
                select(Delivery).where(col(Delivery.person_id) == person.id))
        assert row.state == "pending"
    finally:
        await worker.close()


async def test_a_reply_waiting_behind_others_keeps_its_lease_and_goes_out_at_once(
        database: Database, clock: ManualClock) -> None:
    chats = Chats()
    worker = DeliveryWorker(db=database, clock=clock, messengers={"telegram": chats},
                            settings=DeliverySettings(lease=timedelta(seconds=0.3)))
    path = OutboundPath(db=database, clock=clock, worker=worker)
    path.register("telegram", chats)
    try:
        staged = await stage(path, database, clock, (CHAT, "R1"), event="e1")
        for _ in range(4):  # it waits behind the chat's earlier replies, longer than a lease
            clock.advance(timedelta(seconds=0.2))
            await until_leased(database, clock, past=clock.now() + timedelta(seconds=0.2))
        assert await worker.run_once() == 0  # still held by the process that staged it
        assert await path.send_staged(staged) == ["sent"]
    finally:
        await worker.close()
    assert chats.seen_in(CHAT) == ["R1"]


async def until_leased(database: Database, clock: ManualClock, *, past: datetime) -> None:
    """Wait (real time: the renewal runs every third of the lease) until the reply's lease
    reaches beyond ``past``."""
    for _ in range(300):
        [row] = await rows_left(database)
        assert row.claimed_until is not None
        if row.claimed_until.replace(tzinfo=row.claimed_until.tzinfo or UTC) > past:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the lease was not renewed")
