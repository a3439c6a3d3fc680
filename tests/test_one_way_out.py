"""Issue 17.2 / 14.4: one way out. Every reply is an outbox row written in the transaction
that records its update, sent at once by the process that wrote it; a process that dies
before the platform answered leaves it to any instance's delivery worker, after the lease.
Edits and deletions of relayed answers take the same way, so a minute-long outage of any
messenger loses none of them. Slack tells its own messages apart by their kind.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select
from sqlmodel import col

from adapters.slack.replies import ReplyDelivery
from adapters.slack.sender import SlackSender
from adapters.slack.translate import Inbound, ReplyRoute
from commands.context import Reply
from commands.model import (
    KIND_HELP,
    KIND_UNLINKED,
    ConversationKind,
    ConversationRef,
    MessageReceived,
    OutboundMessage,
    Platform,
    Sender,
)
from commands.texts import t
from scheduler.delivery import DeliveryWorker
from store.models import Delivery, DeliveryState
from tests.test_forums_e2e import JULIA, PAULINA, PZP_CHANNEL, PZP_TEAMS, ask, link_forum_groups
from tests.test_forums_e2e import mirrored as mirrored_in
from tests.test_reply_outage import ASKER, OUTAGE, QUESTIONS, in_order, teams_outage
from tests.world import World, until

# --- a process killed after the commit, before Telegram answered ------------------------------


def private_question(user: int, text: str) -> dict[str, Any]:
    """A private Telegram message, as the webhook hands it over."""
    sender = {"id": user, "is_bot": False, "first_name": "Renata", "language_code": "pl"}
    return {"update_id": time.monotonic_ns() % 1_000_000_000, "message": {
        "message_id": time.monotonic_ns() % 1_000_000_000, "date": int(time.time()),
        "chat": {"id": user, "type": "private", "first_name": "Renata"},
        "from": sender, "text": text}}


def answers(world: World) -> list[str]:
    assert ASKER.telegram is not None
    return [m["text"] for m in world.tg.sent_messages(ASKER.telegram)]


async def reply_rows(world: World) -> list[Delivery]:
    async with world.app.db.session() as session:
        rows = await session.scalars(select(Delivery).where(col(Delivery.kind) == "reply"))
        return list(rows)


async def test_a_reply_cut_off_by_a_crash_is_sent_by_another_instance_after_the_lease(
        world: World) -> None:
    await world.link(ASKER)
    assert ASKER.telegram is not None
    question, answer = QUESTIONS[0]
    world.tg.hang_next("sendMessage")  # the process dies while Telegram is being asked
    assert await world.telegram.receive(private_question(ASKER.telegram, question))
    await until(lambda: world.tg.held_calls == 1)
    # Recorded with the update (the webhook's 200 was earned): the reply is a row, held by
    # the process that is about to die.
    [row] = await reply_rows(world)
    assert row.state == DeliveryState.SENDING.value
    assert answers(world) == []

    other = DeliveryWorker(db=world.app.db, clock=world.clock,
                           messengers=world.app.messengers)  # another instance, same database
    try:
        assert await other.run_once() == 0  # the lease of the dead process still holds
        world.clock.advance(timedelta(minutes=2))  # longer than [delivery]'s lease
        assert await other.run_once() == 1
        assert in_order(answers(world)) == [answer]
        world.tg.release_held()  # the dead process's call never reached Telegram
        await world.telegram.drain()
        assert await other.run_once() == 0
    finally:
        await other.close()
    assert in_order(answers(world)) == [answer]  # once
    [row] = await reply_rows(world)
    assert row.state == DeliveryState.SENT.value


async def test_replies_sent_at_once_leave_no_row_and_are_not_sent_twice(
        world: World) -> None:
    await world.link(ASKER)
    assert ASKER.telegram is not None
    for question, _ in QUESTIONS:
        assert await world.telegram.receive(private_question(ASKER.telegram, question))
    await world.telegram.drain()
    assert in_order(answers(world)) == [answer for _, answer in QUESTIONS]
    await until_forgotten(world)
    assert await world.deliver() == 0  # nothing left for the worker: nothing sent twice
    assert len(answers(world)) == 3


async def until_forgotten(world: World) -> None:
    """The group commit that removes the rows follows the sends (off the reply's path)."""
    for _ in range(200):
        if not await reply_rows(world):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"reply rows left: {await reply_rows(world)}")


# --- edits and deletions of relayed answers: Teams and Slack away for a minute ---------------


@pytest.fixture
async def forum(world: World) -> World:
    await link_forum_groups(world)
    return world


async def test_forum_answer_edit_and_deletion_wait_out_a_teams_outage(forum: World) -> None:
    world = forum
    post = await ask(world)
    answer = await world.slack_channel_says(JULIA, PZP_CHANNEL, "Mam projekt umowy.",
                                            thread_ts=post.slack_ts)
    await world.deliver()
    assert mirrored_in(world, post, "via Slack: Mam projekt umowy.") == {"telegram", "teams"}

    teams_outage(world, on=True)
    await world.slack_channel_edits(JULIA, PZP_CHANNEL, answer, "Mam projekt umowy z 2025.",
                                    before="Mam projekt umowy.", thread_ts=post.slack_ts)
    edited = "via Slack: Mam projekt umowy z 2025."
    assert mirrored_in(world, post, edited) == {"telegram"}  # Teams is down
    world.clock.advance(OUTAGE)
    teams_outage(world, on=False)
    await world.deliver()
    assert mirrored_in(world, post, edited) == {"telegram", "teams"}

    teams_outage(world, on=True)
    await world.slack_channel_deletes(JULIA, PZP_CHANNEL, answer,
                                      text="Mam projekt umowy z 2025.", thread_ts=post.slack_ts)
    assert mirrored_in(world, post, edited) == {"teams"}  # gone from Telegram at once
    world.clock.advance(OUTAGE)
    teams_outage(world, on=False)
    await world.deliver()
    assert not mirrored_in(world, post, "Mam projekt umowy")
    assert await world.deliver() == 0  # each done once


async def test_forum_answer_edit_and_deletion_wait_out_a_slack_outage(forum: World) -> None:
    world = forum
    post = await ask(world)
    answer = await world.teams_channel_says(PAULINA, PZP_TEAMS, "Wzór jest w BIP.",
                                            thread=post.teams_root)
    await world.deliver()
    assert mirrored_in(world, post, "via Teams: Wzór jest w BIP.") == {"telegram", "slack"}

    world.slack_fake.set_outage(503)
    await world.teams_channel_edits(PAULINA, PZP_TEAMS, answer, "Wzór jest w BIP, zakładka Z.",
                                    thread=post.teams_root)
    edited = "via Teams: Wzór jest w BIP, zakładka Z."
    assert mirrored_in(world, post, edited) == {"telegram"}  # Slack is down
    world.clock.advance(OUTAGE)
    world.slack_fake.set_outage(None)
    await world.deliver()
    assert mirrored_in(world, post, edited) == {"telegram", "slack"}

    world.slack_fake.set_outage(503)
    await world.teams_channel_deletes(PAULINA, PZP_TEAMS, answer, thread=post.teams_root)
    assert mirrored_in(world, post, edited) == {"slack"}
    world.clock.advance(OUTAGE)
    world.slack_fake.set_outage(None)
    await world.deliver()
    assert not mirrored_in(world, post, "Wzór jest w BIP")
    assert await world.deliver() == 0


# --- Slack knows its messages by their kind ---------------------------------------------------


def slack_inbound() -> Inbound:
    ref = ConversationRef(Platform.SLACK, "D0RNOWAK", ConversationKind.PERSONAL, tenant_id="T1")
    event = MessageReceived(platform=Platform.SLACK, event_id="Ev1", conversation=ref,
                            sender=Sender(Platform.SLACK, "U0RNOWAK", tenant_id="T1"),
                            text="/start")
    return Inbound(event=event, route=ReplyRoute(channel="D0RNOWAK", user_id="U0RNOWAK"),
                   team_ids=frozenset({"T1"}))


def slack_texts(world: World, message: OutboundMessage) -> list[str]:
    """What the Slack adapter's plan makes of a reply with ``message`` (nothing is sent)."""
    delivery = ReplyDelivery(sender=SlackSender(client=AsyncWebClient(token="xoxb-test")),
                             commands={"/lacznik": "pl"}, outbound=world.app.outbound)
    planned = delivery.plan(slack_inbound(), Reply.of(message))
    return [p.item.message.text + "|" + p.item.message.footer for p in planned]


async def test_slack_adds_its_typing_hints_by_the_message_kind_not_its_text(
        world: World) -> None:
    unlinked = t("pl", "error.unlinked")
    [hinted] = slack_texts(world, OutboundMessage(text="Połącz konto.", kind=KIND_UNLINKED))
    assert "/lacznik" in hinted  # how to type /start on Slack
    [plain] = slack_texts(world, OutboundMessage(text=unlinked))  # the same words, another kind
    assert "/lacznik" not in plain
    [help_page] = slack_texts(world, OutboundMessage(title="Pomoc", text="…", kind=KIND_HELP))
    assert "/lacznik" in help_page.split("|", 1)[1]


async def test_the_core_names_the_kind_of_its_unlinked_and_help_answers(world: World) -> None:
    stranger = ConversationRef(Platform.SLACK, "D0OBCY", ConversationKind.PERSONAL,
                               tenant_id="T1")
    event = MessageReceived(platform=Platform.SLACK, event_id="Ev-kind", conversation=stranger,
                            sender=Sender(Platform.SLACK, "U0OBCY", tenant_id="T1"),
                            text="kto od śmieci w Wieliczce?")
    reply = await world.app.core.handle(event)
    assert [m.kind for m in reply.messages] == [KIND_UNLINKED]
    help_event = MessageReceived(platform=Platform.SLACK, event_id="Ev-help",
                                 conversation=stranger,
                                 sender=Sender(Platform.SLACK, "U0OBCY", tenant_id="T1"),
                                 text="/pomoc")
    reply = await world.app.core.handle(help_event)
    assert KIND_HELP in [m.kind for m in reply.messages]
