"""The outbox and the delivery worker: nothing lost, nothing sent twice, several instances."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import func, select

from adapters.console.messenger import ConsoleMessenger
from bots.app import App
from commands.clock import ManualClock, SystemClock
from commands.model import (
    ConversationKind,
    ConversationRef,
    OutboundMessage,
    Platform,
    Priority,
    SentMessage,
    message_to_json,
)
from scheduler.delivery import DeliverySettings, DeliveryWorker
from scheduler.runner import SchedulerComponent
from store.calendar import retime_row
from store.db import Database
from store.models import Delivery, DeliveryState
from store.outbox import NewDelivery, cancel_pending, claim_due, enqueue, state_counts

REF = ConversationRef(Platform.CONSOLE, "console", ConversationKind.PERSONAL)


def deliveries(app: App, count: int, *, due_in: timedelta = timedelta(0), source: str = "test",
               useful_for: timedelta | None = None) -> list[NewDelivery]:
    now = app.clock.now()
    return [
        NewDelivery(
            dedupe_key=f"{source}:{i}", kind="notice", platform="console", target=REF.to_json(),
            payload=message_to_json(OutboundMessage(text=f"wiadomość {i}",
                                                    priority=Priority.QUIET)),
            not_before=now + due_in, source=source,
            useful_until=now + due_in + useful_for if useful_for else None,
        )
        for i in range(count)
    ]


async def add(app: App, rows: list[NewDelivery]) -> int:
    async with app.db.session() as session:
        inserted = await enqueue(session, rows)
        await session.commit()
    return inserted


async def counts(app: App, source: str = "test") -> dict[str, int]:
    async with app.db.session() as session:
        return await state_counts(session, source=source)


def worker(app: App, messenger: ConsoleMessenger, name: str, db: Database | None = None
           ) -> DeliveryWorker:
    return DeliveryWorker(db=db or app.db, clock=app.clock, messengers={"console": messenger},
                          worker_id=name)


async def test_producing_the_same_delivery_twice_stores_it_once(bare_app: App) -> None:
    assert await add(bare_app, deliveries(bare_app, 3)) == 3
    assert await add(bare_app, deliveries(bare_app, 3)) == 0  # a retried command, a 2nd instance
    assert await counts(bare_app) == {"pending": 3}


async def test_due_rows_are_sent_once_and_future_rows_wait(bare_app: App) -> None:
    console = ConsoleMessenger()
    await add(bare_app, deliveries(bare_app, 2, source="now"))
    await add(bare_app, deliveries(bare_app, 2, source="later", due_in=timedelta(hours=1)))
    sender = worker(bare_app, console, "w1")
    assert await sender.run_once() == 2
    assert await sender.run_once() == 0
    assert [d.text for d in console.transcript] == ["wiadomość 0", "wiadomość 1"]
    bare_app.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    assert await sender.run_once() == 2
    assert await counts(bare_app, "later") == {"sent": 2}
    async with bare_app.db.session() as session:
        ids = (await session.execute(select(Delivery.message_id).where(
            Delivery.source == "later"))).scalars().all()
    assert all(ids)  # the platform's message ids are kept for later edits


async def test_two_instances_share_the_work_without_double_sending(bare_app: App) -> None:
    await add(bare_app, deliveries(bare_app, 300))
    first, second = ConsoleMessenger(), ConsoleMessenger()
    # A second instance: its own engine and connection pool on the same database.
    other_db = Database(bare_app.db.url.render_as_string(False), schema=bare_app.db.schema)
    try:
        await asyncio.gather(worker(bare_app, first, "instance-a").run_once(),
                             worker(bare_app, second, "instance-b", other_db).run_once())
    finally:
        await other_db.dispose()
    texts = [d.text for d in first.transcript + second.transcript]
    assert len(texts) == 300 and len(set(texts)) == 300
    assert await counts(bare_app) == {"sent": 300}


async def test_rows_of_a_crashed_worker_are_taken_over_after_the_lease(bare_app: App) -> None:
    await add(bare_app, deliveries(bare_app, 5))
    async with bare_app.db.session() as session:  # a worker claims, then dies before sending
        claimed = await claim_due(session, now=bare_app.clock.now(), worker="crashed",
                                  limit=10, lease=timedelta(minutes=5))
    assert len(claimed) == 5
    console = ConsoleMessenger()
    survivor = worker(bare_app, console, "survivor")
    assert await survivor.run_once() == 0  # still leased to the crashed worker
    bare_app.clock.advance(timedelta(minutes=6))  # type: ignore[attr-defined]
    assert await survivor.run_once() == 5
    assert len(console.transcript) == 5
    assert await counts(bare_app) == {"sent": 5}


async def test_late_rows_say_so_and_useless_ones_are_recorded_as_missed(bare_app: App) -> None:
    await add(bare_app, deliveries(bare_app, 1, source="late", useful_for=timedelta(hours=2)))
    await add(bare_app, deliveries(bare_app, 1, source="useless", useful_for=timedelta(minutes=30)))
    bare_app.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]  # the service was down
    console = ConsoleMessenger()
    await worker(bare_app, console, "w").run_once()
    [shown] = console.transcript
    assert "z opóźnieniem — miało dotrzeć 2026-11-23 10:00" in shown.text
    assert await counts(bare_app, "useless") == {"missed": 1}


async def test_a_platform_that_is_not_configured_fails_with_a_reason(bare_app: App) -> None:
    rows = [NewDelivery(dedupe_key="x", kind="notice", platform="slack", target=REF.to_json(),
                        payload=message_to_json(OutboundMessage(text="x")),
                        not_before=bare_app.clock.now(), source="test")]
    await add(bare_app, rows)
    await worker(bare_app, ConsoleMessenger(), "w").run_once()
    async with bare_app.db.session() as session:
        row = (await session.execute(select(Delivery))).scalars().one()
        total = await session.scalar(select(func.count()).select_from(Delivery))
    assert (row.state, row.reason, total) == (DeliveryState.FAILED.value,
                                              "slack is not configured", 1)


# --- rows due in a moment, leases kept alive ----------------------------------------------------


async def test_rows_due_within_the_tick_go_out_in_this_round(bare_app: App) -> None:
    """The scheduler ticks every second; a reminder due half a second later is not left for
    the next tick (up to a second late) but sent at its moment."""
    await add(bare_app, deliveries(bare_app, 3, source="soon", due_in=timedelta(seconds=0.5)))
    await add(bare_app, deliveries(bare_app, 1, source="later", due_in=timedelta(seconds=5)))
    console = ConsoleMessenger()
    due = bare_app.clock.now() + timedelta(seconds=0.5)
    assert await worker(bare_app, console, "w").run_once() == 3
    assert len(console.transcript) == 3
    assert bare_app.clock.now() == due  # the (manual) clock waited exactly until then
    assert await counts(bare_app, "soon") == {"sent": 3}
    assert await counts(bare_app, "later") == {"pending": 1}


class CancelWhileWaiting(ManualClock):
    """A clock under which, while the worker waits for the due moment, a user cancels."""

    def __init__(self, app: App) -> None:
        super().__init__(app.clock.now())
        self._db = app.db

    async def sleep_until(self, moment: datetime) -> None:
        async with self._db.session() as session:
            await cancel_pending(session, source="soon")
            await session.commit()
        await super().sleep_until(moment)


async def test_a_reminder_cancelled_while_the_worker_waits_for_it_is_not_sent(
        bare_app: App) -> None:
    await add(bare_app, deliveries(bare_app, 2, source="soon", due_in=timedelta(seconds=0.5)))
    console = ConsoleMessenger()
    waiting = DeliveryWorker(db=bare_app.db, clock=CancelWhileWaiting(bare_app),
                             messengers={"console": console}, worker_id="w")
    await waiting.run_once()
    assert console.transcript == []
    assert await counts(bare_app, "soon") == {"cancelled": 2}


class EditWhileWaiting(ManualClock):
    """A clock under which, while the worker waits for the due moment, the organiser edits
    the event: the reminder's text changes, its moment stays."""

    def __init__(self, app: App) -> None:
        super().__init__(app.clock.now())
        self._db = app.db

    async def sleep_until(self, moment: datetime) -> None:
        async with self._db.session() as session:
            [row] = (await session.execute(select(Delivery))).scalars().all()
            await retime_row(session, int(row.id or 0), not_before=row.not_before,
                             useful_until=row.useful_until, payload=message_to_json(
                                 OutboundMessage(text="Spotkanie przeniesione do sali 12")))
            await session.commit()
        await super().sleep_until(moment)


async def test_a_reminder_edited_while_the_worker_waits_for_it_goes_out_as_edited(
        bare_app: App) -> None:
    await add(bare_app, deliveries(bare_app, 1, source="soon", due_in=timedelta(seconds=0.5)))
    console = ConsoleMessenger()
    waiting = DeliveryWorker(db=bare_app.db, clock=EditWhileWaiting(bare_app),
                             messengers={"console": console}, worker_id="w")
    assert await waiting.run_once() == 1
    assert [d.text for d in console.transcript] == ["Spotkanie przeniesione do sali 12"]


async def test_two_instances_waiting_for_the_same_moment_send_each_row_once(
        bare_app: App) -> None:
    await add(bare_app, deliveries(bare_app, 200, due_in=timedelta(seconds=0.5)))
    first, second = ConsoleMessenger(), ConsoleMessenger()
    other_db = Database(bare_app.db.url.render_as_string(False), schema=bare_app.db.schema)
    try:
        await asyncio.gather(worker(bare_app, first, "instance-a").run_once(),
                             worker(bare_app, second, "instance-b", other_db).run_once())
    finally:
        await other_db.dispose()
    texts = [d.text for d in first.transcript + second.transcript]
    assert len(texts) == 200 and len(set(texts)) == 200
    assert await counts(bare_app) == {"sent": 200}


class SlowPlatform(ConsoleMessenger):
    """A platform that takes its time to accept a message (until ``answer`` is set)."""

    def __init__(self) -> None:
        super().__init__()
        self.answer = asyncio.Event()
        self.called = asyncio.Event()

    async def send(self, ref: ConversationRef, message: OutboundMessage) -> SentMessage:
        self.called.set()
        await self.answer.wait()
        return await super().send(ref, message)


async def test_a_slow_platform_does_not_let_another_instance_send_again(bare_app: App) -> None:
    """The claim is a lease the working instance keeps renewing; only a dead instance's
    rows are taken over."""
    await add(bare_app, deliveries(bare_app, 1))
    slow, other = SlowPlatform(), ConsoleMessenger()
    lease = timedelta(seconds=0.3)  # renewed every 0.1 s (real time) while working
    working = DeliveryWorker(db=bare_app.db, clock=bare_app.clock,
                             messengers={"console": slow},
                             settings=DeliverySettings(lease=lease), worker_id="slow")
    sending = asyncio.create_task(working.run_once())
    await asyncio.wait_for(slow.called.wait(), 10)
    clock = bare_app.clock
    assert isinstance(clock, ManualClock)
    for _ in range(4):  # well past the first lease, in steps the renewals keep up with
        clock.advance(lease * 0.8)
        await asyncio.sleep(0.25)
        assert await worker(bare_app, other, "other").run_once() == 0
    slow.answer.set()
    assert await sending == 1
    assert other.transcript == [] and len(slow.transcript) == 1
    assert await counts(bare_app) == {"sent": 1}


async def test_shutting_down_lets_sends_under_way_finish_and_be_recorded(bare_app: App
                                                                         ) -> None:
    """Stopping the service mid-send must not leave a message the platform accepted
    unrecorded (it would go out again after the restart)."""
    await add(bare_app, deliveries(bare_app, 1))
    slow = SlowPlatform()
    working = DeliveryWorker(db=bare_app.db, clock=bare_app.clock,
                             messengers={"console": slow}, worker_id="stopping")
    services = bare_app.core.services
    component = SchedulerComponent(db=bare_app.db, clock=bare_app.clock, worker=working,
                                   announcements=services.announcements,
                                   forums=services.forums, tick_seconds=0.05)
    await component.start()
    await asyncio.wait_for(slow.called.wait(), 10)
    asyncio.get_running_loop().call_later(0.2, slow.answer.set)  # the platform answers late
    await component.stop()
    assert len(slow.transcript) == 1
    assert await counts(bare_app) == {"sent": 1}


class TimedPlatform(ConsoleMessenger):
    """A platform that notes when each message reached it."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: list[tuple[str, datetime]] = []
        self.changed = asyncio.Event()

    async def send(self, ref: ConversationRef, message: OutboundMessage) -> SentMessage:
        self.arrived.append((message.text, SystemClock().now()))
        self.changed.set()
        return await super().send(ref, message)

    async def until(self, count: int) -> None:
        async with asyncio.timeout(10):
            while len(self.arrived) < count:
                self.changed.clear()
                await self.changed.wait()


def at(moment: datetime, text: str, key: str) -> NewDelivery:
    return NewDelivery(dedupe_key=key, kind="notice", platform="console", target=REF.to_json(),
                       payload=message_to_json(OutboundMessage(text=text,
                                                               priority=Priority.QUIET)),
                       not_before=moment, source="test")


def running(app: App, platform: ConsoleMessenger) -> SchedulerComponent:
    """The service's scheduler on the real clock, with a tick too long to ever come."""
    clock = SystemClock()
    sending = DeliveryWorker(db=app.db, clock=clock, messengers={"console": platform},
                             worker_id="running")
    services = app.core.services
    return SchedulerComponent(db=app.db, clock=clock, worker=sending,
                              announcements=services.announcements, forums=services.forums,
                              tick_seconds=3600)


async def test_what_is_written_due_now_goes_out_at_once_not_at_the_next_tick(bare_app: App
                                                                             ) -> None:
    """A forum answer or an announcement written while the service runs is sent right away:
    the asker should not wait for the scheduler's next round."""
    platform = TimedPlatform()
    component = running(bare_app, platform)
    await component.start()
    try:
        now = SystemClock().now()
        await add(bare_app, [at(now, "odpowiedź", "a1"), at(now, "kopia", "a2")])
        await platform.until(2)  # the hour-long tick never came
        await add(bare_app, [at(SystemClock().now(), "druga odpowiedź", "a3")])
        await platform.until(3)
    finally:
        await component.stop()
    assert sorted(text for text, _ in platform.arrived) == ["druga odpowiedź", "kopia",
                                                            "odpowiedź"]
    assert await counts(bare_app) == {"sent": 3}


async def test_a_round_waiting_for_rows_about_to_fall_due_sends_new_ones_first(bare_app: App
                                                                              ) -> None:
    """The worker waits for a reminder due in a moment; an answer written meanwhile does
    not wait with it, and the reminder still goes out at its moment, not before."""
    platform = TimedPlatform()
    component = running(bare_app, platform)
    await component.start()
    try:
        reminder_due = SystemClock().now() + timedelta(seconds=1.5)
        await add(bare_app, [at(reminder_due, "przypomnienie", "r1")])
        await asyncio.sleep(0.2)  # the round has read the reminder ahead and waits for it
        await add(bare_app, [at(SystemClock().now(), "odpowiedź", "a1")])
        await platform.until(2)
    finally:
        await component.stop()
    (first, first_at), (second, second_at) = platform.arrived
    assert (first, second) == ("odpowiedź", "przypomnienie")
    assert first_at < reminder_due <= second_at
