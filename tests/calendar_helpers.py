"""Helpers of the calendar tests: linking console accounts and living through time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from adapters.console.adapter import ConsoleSession
from adapters.console.messenger import ConsoleMessenger
from bots.app import App
from commands.clock import WARSAW, ManualClock
from commands.model import ConversationKind, ConversationRef, Platform
from store.models import Delivery, DeliveryState
from store.people import link_account, person_by_email

MODERATOR = "b.urbanski@krakow.example.pl"  # moderates PZP in the sample data
MEMBER = "r.nowak@wieliczka.example.pl"  # a member of PZP
ADMIN = "m.zawadzka-hejmo@metropoliakrakowska.example.pl"


def private_chat(email: str) -> ConversationRef:
    """The console chat of one person (so a transcript tells who got what)."""
    return ConversationRef(Platform.CONSOLE, f"console:{email}", ConversationKind.PERSONAL)


async def link_console(app: App, *emails: str) -> None:
    """Give people a console account the bot may write to on its own."""
    async with app.db.session() as session:
        for email in emails:
            person = await person_by_email(session, email)
            assert person is not None, email
            await link_account(session, platform="console", tenant_id="", external_id=email,
                               person_id=int(person.id or 0),
                               private_ref=private_chat(email).to_json())
        await session.commit()


def session_as(app: App, email: str) -> ConsoleSession:
    """A console conversation as ``email``."""
    return ConsoleSession(app.core, email)


@dataclass(frozen=True, slots=True)
class Received:
    """A message that reached someone, and when (Warsaw time)."""

    at: datetime
    to: str  # the e-mail
    text: str


class Timeline:
    """Lives through time: jumps the clock to each moment something is due, runs the planner
    and the delivery worker there, and records what reached whom at which Warsaw time."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.clock = app.clock
        assert isinstance(self.clock, ManualClock)
        messenger = app.messengers["console"]
        assert isinstance(messenger, ConsoleMessenger)
        self.messenger = messenger
        self.seen = len(messenger.transcript)
        self.received: list[Received] = []

    async def next_due(self) -> datetime | None:
        async with self.app.db.session() as session:
            moment = await session.scalar(select(func.min(Delivery.not_before)).where(
                Delivery.state == DeliveryState.PENDING.value))
        if moment is None:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    async def step(self) -> None:
        """Plan and send what is due now."""
        calendar = self.app.calendar
        assert calendar is not None
        await calendar.reminders.plan_all()
        await self.app.worker.run_once()
        for delivery in self.messenger.transcript[self.seen:]:
            email = delivery.conversation.conversation_id.removeprefix("console:")
            self.received.append(Received(self.clock.now().astimezone(WARSAW), email,
                                          delivery.text))
        self.seen = len(self.messenger.transcript)

    async def run_until(self, end: datetime) -> list[Received]:
        """Everything that arrives from now until ``end``."""
        start = len(self.received)
        await self.step()
        for _ in range(10_000):  # a safety net: every step moves time or settles rows
            due = await self.next_due()
            if due is None or due > end:
                break
            self.clock.set(max(due, self.clock.now()))
            await self.step()
        self.clock.set(end)
        await self.step()
        return self.received[start:]


async def buttons_of_last_message_to(app: App, email: str) -> list[tuple[str, str, str]]:
    """(label, action, value) of the buttons on the last message the bot sent ``email`` on
    its own — what a messenger shows under a reminder."""
    from commands.model import message_from_json

    async with app.db.session() as session:
        person = await person_by_email(session, email)
        row = (await session.execute(
            select(Delivery).where(Delivery.person_id == person.id,  # type: ignore[union-attr]
                                   Delivery.state == DeliveryState.SENT.value)
            .order_by(Delivery.sent_at.desc(), Delivery.id.desc())  # type: ignore[union-attr]
        )).scalars().first()
    assert row is not None
    return [(b.label, b.action, b.value) for b in message_from_json(row.payload).buttons]


async def press(app: App, email: str, action: str, value: str) -> list[str]:
    """Press a button as ``email`` (the console path: the user is who they say)."""
    from commands.model import ActionInvoked, Sender

    conversation = private_chat(email)
    reply = await app.core.handle(ActionInvoked(
        platform=Platform.CONSOLE, event_id=f"press-{action}-{value}", conversation=conversation,
        sender=Sender(Platform.CONSOLE, email, email), action=action, value=value))
    return [reply.notice] if reply.notice and not reply.messages else [
        m.text for m in reply.messages]
