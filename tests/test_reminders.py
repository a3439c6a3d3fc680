"""The reminder scheduler: restarts, downtime, several instances, people who cannot be
reached — with an injected clock and real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select

from adapters.console.messenger import ConsoleMessenger
from bots.app import App, build_app
from bots.components import build_components
from commands.clock import WARSAW
from commands.model import ConversationRef, OutboundMessage, SentMessage
from commands.ports import Capabilities
from scheduler.delivery import DeliveryWorker
from store.calendar import forum_by_key
from store.db import Database
from store.models import Delivery, DeliveryState, ForumMember, Person
from tests.calendar_helpers import (
    MEMBER,
    MODERATOR,
    Timeline,
    link_console,
    session_as,
)


def warsaw(*args: int) -> datetime:
    return datetime(*args, tzinfo=WARSAW)


async def everyone_in_pzp_with_a_messenger(app: App) -> list[str]:
    """Every sample person joins PZP and links a console account; returns their e-mails."""
    async with app.db.session() as session:
        forum = await forum_by_key(session, "PZP")
        assert forum is not None
        people = list((await session.execute(select(Person))).scalars())
        members = set((await session.execute(select(ForumMember.person_id).where(
            ForumMember.forum_id == forum.id))).scalars())
        for person in people:
            if person.id not in members:
                session.add(ForumMember(forum_id=forum.id, person_id=person.id))
        await session.commit()
    emails = sorted(p.email for p in people if p.email)
    await link_console(app, *emails)
    return emails


async def states(app: App) -> Counter[str]:
    async with app.db.session() as session:
        rows = await session.execute(select(Delivery.state, func.count()).where(
            Delivery.kind == "reminder").group_by(Delivery.state))
        return Counter({state: count for state, count in rows})


def second_instance(app: App) -> App:
    """Another service process on the same database: its own engine, worker and messenger."""
    db = Database(app.db.url.render_as_string(False), schema=app.db.schema)
    other = build_app(app.config, clock=app.clock, db=db, morphology=app.morphology)
    return other


class DyingMessenger:
    """Delivers ``survive`` messages, then hangs forever: the process is about to be killed."""

    platform = ConsoleMessenger.platform
    capabilities = Capabilities(max_text_length=100_000)

    def __init__(self, survive: int) -> None:
        self.delivered: list[tuple[str, str]] = []
        self._survive = survive

    async def send(self, ref: ConversationRef, message: OutboundMessage) -> SentMessage:
        if len(self.delivered) >= self._survive:
            await asyncio.Event().wait()
        self.delivered.append((ref.conversation_id, message.title))
        return SentMessage(ref, str(len(self.delivered)))

    async def edit(self, sent: SentMessage, message: OutboundMessage) -> None:
        raise NotImplementedError


async def test_a_restart_in_the_middle_of_a_due_minute_loses_none_and_repeats_none(
        app: App) -> None:
    people = await everyone_in_pzp_with_a_messenger(app)
    await session_as(app, MODERATOR).say("/wydarzenie nowe PZP Posiedzenie; kiedy: 2 grudnia "
                                         "10:00")
    app.clock.set(warsaw(2026, 12, 1, 9, 0, 20))  # type: ignore[attr-defined]
    # The first process sends half of the 9:00 reminders, then dies in the middle of the minute.
    dying = DyingMessenger(survive=len(people) // 2)
    first = DeliveryWorker(db=app.db, clock=app.clock, messengers={"console": dying},
                           worker_id="process-1")
    task = asyncio.create_task(first.run_once())
    for _ in range(500):
        if (await states(app))["sent"] >= len(people) // 2:
            break
        await asyncio.sleep(0.02)
    task.cancel()  # kill: rows it had claimed stay leased to a process that is gone

    restarted = second_instance(app)
    try:
        app.clock.advance(timedelta(minutes=6))  # type: ignore[attr-defined]  # lease ran out
        assert restarted.calendar is not None
        await restarted.calendar.reminders.plan_all()  # what start-up does first
        await restarted.worker.run_once()
    finally:
        await restarted.close()
    console = restarted.messengers["console"]
    assert isinstance(console, ConsoleMessenger)
    reached = [(c, title) for c, title in dying.delivered] + [
        (d.conversation.conversation_id, d.text.splitlines()[0]) for d in console.transcript]
    per_person = Counter(c for c, _ in reached)
    assert len(per_person) == len(people) and set(per_person.values()) == {1}
    assert {title for _, title in reached} == {"Przypomnienie: Posiedzenie"}
    assert all("z opóźnieniem — miało dotrzeć 2026-12-01 09:00" in d.text
               for d in console.transcript)  # six minutes late: it says so
    assert await states(app) == Counter({"sent": len(people), "pending": len(people)})


async def test_two_instances_send_each_reminder_exactly_once(app: App) -> None:
    people = await everyone_in_pzp_with_a_messenger(app)
    other = second_instance(app)
    try:
        await session_as(app, MODERATOR).say("/wydarzenie nowe PZP Posiedzenie; kiedy: 2 "
                                             "grudnia 10:00")
        # Both planners run at once (as they would on two servers): one row per reminder.
        assert app.calendar is not None and other.calendar is not None
        await asyncio.gather(app.calendar.reminders.plan_all(),
                             other.calendar.reminders.plan_all())
        assert await states(app) == Counter({"pending": 2 * len(people)})
        app.clock.set(warsaw(2026, 12, 1, 9, 0, 5))  # type: ignore[attr-defined]
        components = build_components(app) + build_components(other)  # APScheduler, both
        for component in components:
            await component.start()
        try:
            for _ in range(200):
                if (await states(app))["sent"] == len(people):
                    break
                await asyncio.sleep(0.05)
        finally:
            for component in reversed(components):
                await component.stop()
    finally:
        await other.close()
    transcripts = [app.messengers["console"], other.messengers["console"]]
    delivered = [d.conversation.conversation_id for m in transcripts
                 for d in m.transcript]  # type: ignore[attr-defined]
    assert Counter(delivered) == Counter({f"console:{p}": 1 for p in people})


async def test_reminders_due_while_down_go_late_with_a_note_or_are_recorded_missed(
        app: App) -> None:
    await link_console(app, MODERATOR, MEMBER)
    moderator = session_as(app, MODERATOR)
    await moderator.say("/wydarzenie nowe PZP Narada A; kiedy: 2 grudnia 10:00")
    await moderator.say("/wydarzenie nowe PZP Narada B; kiedy: 4 grudnia 10:00")
    timeline = Timeline(app)
    # Down from Tuesday 8:00 until 15:00: the 9:00 reminder is still useful, late with a note.
    app.clock.set(warsaw(2026, 12, 1, 15))  # type: ignore[attr-defined]
    await timeline.step()
    late = [r for r in timeline.received if r.to == MEMBER]
    assert len(late) == 1 and late[0].text.startswith("Przypomnienie: Narada A")
    assert "(z opóźnieniem — miało dotrzeć 2026-12-01 09:00)" in late[0].text
    # Down again from Thursday 8:00 until 21:30: quiet hours now, and by 7:00 the reminder
    # would be 22 hours late (grace: 12 h) — recorded as missed, never sent at night.
    app.clock.set(warsaw(2026, 12, 2, 12))  # type: ignore[attr-defined]
    await timeline.step()
    app.clock.set(warsaw(2026, 12, 3, 21, 30))  # type: ignore[attr-defined]
    await timeline.step()
    night = [r for r in timeline.received if r.at.hour >= 20]
    assert night == []
    [details] = await moderator.say("/wydarzenie 2")
    assert "Przypomnienia: wysłane 0, czekające 2, nieudane 0, przeterminowane 2." in details
    rest = await timeline.run_until(warsaw(2026, 12, 4, 12))
    assert [(r.to, r.at) for r in rest if r.to == MEMBER] == [(MEMBER, warsaw(2026, 12, 4, 9))]


async def test_people_without_a_messenger_are_recorded_then_reminded_once_linked(
        app: App) -> None:
    await link_console(app, MODERATOR)
    moderator = session_as(app, MODERATOR)
    [created] = await moderator.say("/wydarzenie nowe PZP Posiedzenie; kiedy: 2 grudnia 10:00")
    assert "Renata Nowak" in created.split("nie dostaną przypomnień:")[1]
    await link_console(app, MEMBER)  # she links Telegram (here: the console) on Tuesday
    timeline = Timeline(app)
    received = await timeline.run_until(warsaw(2026, 12, 2, 9, 30))
    assert [(r.to, r.at) for r in received if r.to == MEMBER] == [
        (MEMBER, warsaw(2026, 12, 1, 9)), (MEMBER, warsaw(2026, 12, 2, 9))]
    [details] = await moderator.say("/wydarzenie 1")
    assert "Renata Nowak" not in details.split("nie dostaną przypomnień:")[1]
    async with app.db.session() as session:
        failed = await session.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.state == DeliveryState.FAILED.value))
    assert failed == 0
