"""Issue 14.4: every message the bot sends survives a messenger outage.

The real adapters (python-telegram-bot, Bolt's sender, our Bot Framework client) run against
the messenger fakes, which answer every send with a 5xx for a minute of the app's clock. The
questions are recorded and answered by the core meanwhile; the answers the platform did not
take wait in the outbox and go out once it is back — in order, each once. An answer older
than ``[delivery] reply_max_age_seconds`` is replaced by one notice asking to ask again.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from commands.texts import t
from tests.test_forums_e2e import JULIA, PZP_CHANNEL, ask, link_forum_groups, mirrored
from tests.world import (
    JOLANTA,
    RENATA,
    TEAMS_BOT,
    TENANT,
    JSONDict,
    Staff,
    World,
    teams_chat,
    teams_text,
)

# Three questions with answers told apart by their first line.
QUESTIONS = (
    ("kto od śmieci w Wieliczce?", "gospodarka odpadami — Wieliczka"),
    ("kto od oświaty w Skawinie?", "oświata — Skawina"),
    ("kto od zamówień publicznych w Niepołomicach?", "zamówienia publiczne — Niepołomice"),
)
OUTAGE = timedelta(seconds=60)
TOO_LATE_NOTICE = t("pl", "sec.reply_too_late")

ASKER = Staff("r.nowak@wieliczka.example.pl", "Renata Nowak", telegram=7001, slack="U0RNOWAK",
              teams="29:rnowak")


def in_order(texts: list[str]) -> list[str]:
    """Which answers ``texts`` hold, in the order they arrived (each once per arrival)."""
    arrived = []
    for text in texts:
        arrived += [answer for _, answer in QUESTIONS if text.startswith(answer)
                    or f"\n{answer}" in text[:200]]
    return arrived


async def telegram_asks(world: World, staff: Staff, text: str) -> None:
    """A private message handed to the adapter as the webhook does (polling itself is down
    with the rest of the Bot API during the outage)."""
    assert staff.telegram is not None
    user = {"id": staff.telegram, "is_bot": False, "first_name": "Renata", "language_code": "pl"}
    update: dict[str, Any] = {"update_id": time.monotonic_ns() % 1_000_000_000, "message": {
        "message_id": time.monotonic_ns() % 1_000_000_000, "date": int(time.time()),
        "chat": {"id": staff.telegram, "type": "private", "first_name": "Renata"},
        "from": user, "text": text}}
    assert await world.telegram.receive(update)
    await world.telegram.drain()


def telegram_texts(world: World, staff: Staff) -> list[str]:
    assert staff.telegram is not None
    return [m["text"] for m in world.tg.sent_messages(staff.telegram)]


async def test_telegram_answers_wait_out_a_minute_long_outage(world: World) -> None:
    await world.link(ASKER)
    world.tg.outage(3600)  # 502 Bad Gateway on every call until ended below
    for question, _ in QUESTIONS:
        await telegram_asks(world, ASKER, question)
    assert telegram_texts(world, ASKER) == []
    assert (await world.outbox())["pending"] == 3
    await world.deliver()  # the worker tries while the outage lasts: nothing is lost
    assert (await world.outbox())["pending"] == 3
    world.clock.advance(OUTAGE)
    world.tg.outage(None)  # Telegram is back
    await world.deliver()
    assert in_order(telegram_texts(world, ASKER)) == [answer for _, answer in QUESTIONS]
    assert (await world.outbox())["sent"] == 3
    await world.deliver()  # nothing is sent twice
    assert len(telegram_texts(world, ASKER)) == 3


async def test_an_answer_after_a_restart_does_not_overtake_one_still_queued(
        world: World) -> None:
    await world.link(ASKER)
    world.tg.outage(3600)
    await telegram_asks(world, ASKER, QUESTIONS[0][0])  # queued in the outbox
    world.tg.outage(None)
    await world.restart()  # a new process: it knows nothing of what the old one queued
    await telegram_asks(world, ASKER, QUESTIONS[1][0])  # Telegram is up, yet it waits its turn
    assert telegram_texts(world, ASKER) == []
    await world.deliver()
    assert in_order(telegram_texts(world, ASKER)) == [QUESTIONS[0][1], QUESTIONS[1][1]]


async def test_telegram_page_turned_during_an_outage_edits_the_answer_after_it(
        world: World) -> None:
    await world.link(ASKER)
    assert ASKER.telegram is not None
    await telegram_asks(world, ASKER, "/kto odpady")
    [first] = world.tg.sent_messages(ASKER.telegram)
    assert "Strona 1 z 3" in first["text"]
    [[button]] = first["reply_markup"]["inline_keyboard"]
    world.tg.outage(3600)
    press = {"update_id": 1, "callback_query": {
        "id": "q-outage", "chat_instance": "1", "data": button["callback_data"],
        "from": {"id": ASKER.telegram, "is_bot": False, "first_name": "Renata"},
        "message": {"message_id": first["message_id"], "date": first["date"],
                    "chat": {"id": ASKER.telegram, "type": "private", "first_name": "Renata"},
                    "from": {"id": world.tg.bot_id, "is_bot": True, "first_name": "Ł"},
                    "text": first["text"]}}}
    assert await world.telegram.receive(press)
    await world.telegram.drain()
    assert "Strona 1 z 3" in world.tg.sent_messages(ASKER.telegram)[0]["text"]
    world.clock.advance(OUTAGE)
    world.tg.outage(None)
    await world.deliver()
    [paged] = world.tg.sent_messages(ASKER.telegram)  # the same message, edited: no new one
    assert "Strona 2 z 3" in paged["text"]


async def test_telegram_answer_too_old_is_replaced_by_one_notice(world: World) -> None:
    await world.link(ASKER)
    world.tg.outage(3600)
    for question, _ in QUESTIONS[:2]:
        await telegram_asks(world, ASKER, question)
    world.clock.advance(timedelta(minutes=11))  # past reply_max_age_seconds (600)
    world.tg.outage(None)
    await telegram_asks(world, ASKER, QUESTIONS[2][0])  # asked after the outage
    await world.deliver()
    texts = telegram_texts(world, ASKER)
    assert texts[0].startswith(TOO_LATE_NOTICE)
    assert in_order(texts) == [QUESTIONS[2][1]]  # the late ones never arrive, the new one does
    assert len(texts) == 2
    assert (await world.outbox())["missed"] == 1


def slack_texts(world: World, staff: Staff) -> list[str]:
    return [m.get("text", "") for m in world.on_slack(staff)]


async def slack_warmed_up(world: World, staff: Staff) -> int:
    """One exchange before the outage (Bolt checks the token with ``auth.test`` on the
    first request it serves); returns how many messages the DM holds."""
    await world.slack_says(staff, "pomoc")
    return len(slack_texts(world, staff))


async def test_slack_answers_wait_out_a_minute_long_outage(world: World) -> None:
    await world.link(ASKER)
    before = await slack_warmed_up(world, ASKER)
    world.slack_fake.set_outage(503)  # the Web API answers 503 service_unavailable
    for question, _ in QUESTIONS:
        await world.slack_says(ASKER, question)
    assert len(slack_texts(world, ASKER)) == before
    assert (await world.outbox())["pending"] == 3
    world.clock.advance(OUTAGE)
    world.slack_fake.set_outage(None)
    await world.deliver()
    texts = slack_texts(world, ASKER)[before:]
    assert in_order(texts) == [answer for _, answer in QUESTIONS]
    await world.deliver()
    assert len(slack_texts(world, ASKER)) == before + 3


async def test_slack_answer_too_old_is_replaced_by_one_notice(world: World) -> None:
    await world.link(ASKER)
    before = await slack_warmed_up(world, ASKER)
    world.slack_fake.set_outage(503)
    for question, _ in QUESTIONS[:2]:
        await world.slack_says(ASKER, question)
    world.clock.advance(timedelta(minutes=11))
    world.slack_fake.set_outage(None)
    await world.deliver()
    texts = slack_texts(world, ASKER)[before:]
    assert len(texts) == 1 and TOO_LATE_NOTICE in texts[0]
    assert in_order(texts) == []


def teams_message(world: World, staff: Staff, text: str) -> JSONDict:
    """A message in ``staff``'s 1:1 chat with the bot, as the Bot Connector posts it."""
    assert staff.teams is not None
    return {
        "type": "message", "id": str(time.monotonic_ns()), "channelId": "msteams",
        "serviceUrl": world.connector.service_url,
        "timestamp": datetime.now(UTC).isoformat(timespec="microseconds"),
        "from": {"id": staff.teams, "name": staff.name, "aadObjectId": f"aad-{staff.teams[3:]}"},
        "recipient": {"id": TEAMS_BOT, "name": "Łącznik"},
        "conversation": {"id": teams_chat(staff), "conversationType": "personal",
                         "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}}, "textFormat": "plain", "text": text,
        "locale": "pl-PL",
    }


def teams_texts(world: World, staff: Staff) -> list[str]:
    return [teams_text(activity) for activity in world.on_teams(staff)]


def teams_outage(world: World, *, on: bool) -> None:
    """The Connector answers every call 502 Bad Gateway while ``on``."""
    if on:
        world.connector.fail_next(times=1_000_000, status=502)
    else:
        world.connector._faults.clear()  # the fake has no "until further notice" of its own


async def test_teams_answers_wait_out_a_minute_long_outage(world: World) -> None:
    await world.link(JOLANTA)
    teams_outage(world, on=True)
    for question, _ in QUESTIONS:
        await world.teams_post(teams_message(world, JOLANTA, question))  # 200: recorded
    assert teams_texts(world, JOLANTA) == []
    assert (await world.outbox())["pending"] == 3
    world.clock.advance(OUTAGE)
    teams_outage(world, on=False)
    await world.deliver()
    assert in_order(teams_texts(world, JOLANTA)) == [answer for _, answer in QUESTIONS]
    await world.deliver()
    assert len(teams_texts(world, JOLANTA)) == 3


async def test_teams_answer_too_old_is_replaced_by_one_notice(world: World) -> None:
    await world.link(JOLANTA)
    teams_outage(world, on=True)
    for question, _ in QUESTIONS[:2]:
        await world.teams_post(teams_message(world, JOLANTA, question))
    world.clock.advance(timedelta(minutes=11))
    teams_outage(world, on=False)
    await world.deliver()
    texts = teams_texts(world, JOLANTA)
    assert len(texts) == 1 and TOO_LATE_NOTICE in texts[0]


# --- edits and deletions of relayed forum answers ------------------------------------------


@pytest.fixture
async def forum(world: World) -> World:
    """The world with forum PZP's groups on the three messengers."""
    await link_forum_groups(world)
    return world


async def test_forum_answer_edit_and_deletion_wait_out_an_outage(forum: World) -> None:
    world = forum
    post = await ask(world)
    answer = await world.slack_channel_says(JULIA, PZP_CHANNEL, "Mam projekt umowy.",
                                            thread_ts=post.slack_ts)
    await world.deliver()
    assert mirrored(world, post, "via Slack: Mam projekt umowy.") == {"telegram", "teams"}

    world.tg.outage(3600)
    await world.slack_channel_edits(JULIA, PZP_CHANNEL, answer, "Mam projekt umowy z 2025.",
                                    before="Mam projekt umowy.", thread_ts=post.slack_ts)
    edited = "via Slack: Mam projekt umowy z 2025."
    assert mirrored(world, post, edited) == {"teams"}  # Telegram is down
    world.clock.advance(OUTAGE)
    world.tg.outage(None)
    await world.deliver()
    assert mirrored(world, post, edited) == {"telegram", "teams"}
    assert any("Mam projekt umowy z 2025." in m["text"] for m in world.on_telegram(RENATA))

    world.tg.outage(3600)
    await world.slack_channel_deletes(JULIA, PZP_CHANNEL, answer,
                                      text="Mam projekt umowy z 2025.", thread_ts=post.slack_ts)
    assert mirrored(world, post, edited) == {"telegram"}  # removed on Teams at once
    world.clock.advance(OUTAGE)
    world.tg.outage(None)
    await world.deliver()
    assert not mirrored(world, post, "Mam projekt umowy")
    assert not any("Mam projekt umowy" in m["text"] for m in world.on_telegram(RENATA))
    assert await world.deliver() == 0  # each done once
