"""The Telegram adapter as people meet it: the real python-telegram-bot client against the fake
Bot API server, the real core and the real database (SQLite and PostgreSQL).

Assertions are about what reached Telegram (the visible text, entities, buttons, topics), what
the platform got back (HTTP statuses) and what was stored.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot

from adapters.telegram import TelegramComponent, build_telegram_component
from adapters.telegram.bookkeeping import group_ref
from bots.app import App
from bots.service import Service
from commands.model import (
    ConversationKind,
    ConversationRef,
    OutboundMessage,
    Platform,
    Priority,
)
from commands.ports import Unreachable
from store.models import Person
from store.people import (
    find_account,
    find_conversation,
    issue_link_code,
    link_account,
    person_by_email,
    remember_conversation,
    set_conversation_registered,
)
from tests.fakes.telegram_api import FakeTelegramServer, load_payload

BOT = "LacznikTestBot"
COORDINATOR = "w.fras@wieliczka.example.pl"  # a Wieliczka coordinator in the sample data
WASTE_PERSON = "j.kolodziej@wieliczka.example.pl"  # answers "kto od śmieci w Wieliczce"
USER = 408258968  # the sender of private_text_message.json
SUPERGROUP = -1001650852901  # supergroup_command_at_botname.json
SUPERGROUP_USER = 221287654
FORUM = -1001847508954  # forum_topic_message.message.json
FORUM_USER = 1253681278
SECRET = "s3cret-Webhook_token"
WEBHOOK_URL = "https://lacznik.example.org/telegram/webhook"


# --- the harness -------------------------------------------------------------------------------


async def until(check: Callable[[], bool], within: float = 5.0) -> None:
    """Wait for ``check()`` (the adapter works in its own tasks)."""
    for _ in range(int(within / 0.005)):
        if check():
            return
        await asyncio.sleep(0.005)
    raise TimeoutError(f"not within {within}s")


class Telegram:
    """The fake server, the running adapter and the app, with a few shorthands."""

    def __init__(self, app: App, tg: FakeTelegramServer, component: TelegramComponent) -> None:
        self.app, self.tg, self.component = app, tg, component

    async def deliver(self, *updates: dict[str, Any], keep_id: bool = False) -> None:
        """Queue updates for getUpdates and wait until the adapter has handled them all."""
        before = self.component.received
        for update in updates:
            self.tg.push_update(update, keep_id=keep_id)
        await until(lambda: self.component.received >= before + len(updates))
        await self.component.drain()

    def texts(self, chat_id: int) -> list[str]:
        """What the people in a chat see from the bot, oldest first."""
        return [m["text"] for m in self.tg.sent_messages(chat_id)]

    async def link(self, user_id: int, email: str = COORDINATOR) -> int:
        """Link a Telegram account to a directory person (as an admin's code would)."""
        async with self.app.db.session() as session:
            person = await person_by_email(session, email)
            assert person is not None and person.id is not None
            await link_account(session, platform="telegram", tenant_id="",
                               external_id=str(user_id), person_id=person.id,
                               private_ref=private_ref(user_id).to_json())
            await session.commit()
        return person.id

    async def register_group(self, chat_id: int) -> None:
        """An admin registered the group (e.g. as a forum's group)."""
        ref = group_ref(chat_id)
        async with self.app.db.session() as session:
            await remember_conversation(session, platform="telegram", key=ref.key,
                                        kind=ref.kind.value, ref=ref.to_json())
            await set_conversation_registered(session, platform="telegram", key=ref.key,
                                              registered=True)
            await session.commit()


def private_ref(user_id: int) -> ConversationRef:
    return ConversationRef(Platform.TELEGRAM, str(user_id), ConversationKind.PERSONAL)


def _command_entities(text: str) -> list[dict[str, Any]]:
    if not text.startswith("/"):
        return []
    return [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]


def private(text: str, *, user_id: int = USER, lang: str = "pl") -> dict[str, Any]:
    """A private message (from the real sample, with our text and sender)."""
    update = load_payload("private_text_message.json")
    message = update["message"]
    message["chat"]["id"] = message["from"]["id"] = user_id
    message["from"]["language_code"] = lang
    message["text"] = text
    message["entities"] = _command_entities(text)
    return update


def in_group(text: str, *, chat_id: int = SUPERGROUP, user_id: int = SUPERGROUP_USER
             ) -> dict[str, Any]:
    """A supergroup message (from the real ``/start@swantabot`` sample)."""
    update = load_payload("supergroup_command_at_botname.json")
    message = update["message"]
    message["chat"]["id"], message["from"]["id"] = chat_id, user_id
    message["text"], message["entities"] = text, _command_entities(text)
    return update


def in_forum(text: str, *, topic: bool) -> dict[str, Any]:
    """A message in the forum supergroup: in topic 4, or in the General topic."""
    message = load_payload("forum_topic_message.message.json")
    message["text"], message["entities"] = text, _command_entities(text)
    if not topic:
        for key in ("is_topic_message", "message_thread_id", "reply_to_message"):
            message.pop(key)
    return {"message": message}


def me(tg: FakeTelegramServer) -> dict[str, Any]:
    return {"id": tg.bot_id, "is_bot": True, "first_name": "Łącznik", "username": BOT}


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(username=BOT) as server:
        yield server


async def started(app: App, tg: FakeTelegramServer, **settings: Any) -> TelegramComponent:
    component = build_telegram_component(
        app, {"token": tg.token, "api_base_url": tg.url, **settings})
    await component.start()
    return component


@pytest.fixture
async def telegram(app: App, tg: FakeTelegramServer) -> AsyncIterator[Telegram]:
    component = await started(app, tg)
    yield Telegram(app, tg, component)
    await component.stop()


# --- private chats -----------------------------------------------------------------------------


async def test_private_command_and_plain_question_get_rich_answers(telegram: Telegram) -> None:
    await telegram.link(USER)
    await telegram.deliver(private("/kto odpady Wieliczka"))
    await telegram.deliver(private("kto od śmieci w Wieliczce?"))
    command, question = telegram.tg.sent_messages(USER)
    assert command["text"] == question["text"]
    assert command["text"].startswith("gospodarka odpadami — Wieliczka\n\n"
                                      "Jolanta Kołodziej — Wieliczka\n")
    assert "Telefon: +48 12 000 61 82" in command["text"]
    entities = {(e["type"], e.get("url")) for e in command["entities"]}
    assert ("text_link", "tel:+48120006182") in entities
    assert ("text_link", "mailto:j.kolodziej@wieliczka.example.pl") in entities
    assert ("bold", None) in entities and ("italic", None) in entities
    assert command["message_thread_id"] is None and command["reply_parameters"] is None


async def test_unlinked_user_is_told_how_to_link_and_a_deep_link_code_links_them(
        telegram: Telegram) -> None:
    await telegram.deliver(private("kto od śmieci w Wieliczce?", user_id=555))
    [refusal] = telegram.texts(555)
    assert "Nie znam jeszcze tego konta" in refusal and "/start KOD" in refusal
    assert "@" not in refusal and "+48" not in refusal  # no directory data
    app = telegram.app
    async with app.db.session() as session:
        person = await person_by_email(session, COORDINATOR)
        assert person is not None and person.id is not None
        code = await issue_link_code(session, person.id, platform="telegram",
                                     valid_for=timedelta(hours=24), now=app.clock.now())
        await session.commit()
    # https://t.me/LacznikTestBot?start=CODE makes the client send "/start CODE".
    await telegram.deliver(private(f"/start {code}", user_id=555))
    await telegram.deliver(private("kto od śmieci w Wieliczce?", user_id=555))
    _, linked, answer = telegram.texts(555)
    assert "połączone z wpisem: Wioletta Fraś (Wieliczka)" in linked
    assert "+48 12 000 61 82" in answer
    async with app.db.session() as session:
        account = await find_account(session, "telegram", "", "555")
    assert account is not None and account.person_id == person.id
    assert account.private_ref and ConversationRef.from_json(account.private_ref) == (
        private_ref(555))


async def test_page_button_edits_the_answer_after_answering_the_query(
        telegram: Telegram) -> None:
    await telegram.link(USER)
    await telegram.deliver(private("/kto odpady"))
    [first] = telegram.tg.sent_messages(USER)
    assert "Strona 1 z 3" in first["text"]
    [[button]] = first["reply_markup"]["inline_keyboard"]
    assert button["text"] == "Dalej ›" and len(button["callback_data"].encode()) <= 64
    press = {"callback_query": {
        "id": "query-1", "from": private("x")["message"]["from"], "chat_instance": "77",
        "data": button["callback_data"],
        "message": {"message_id": first["message_id"], "from": me(telegram.tg),
                    "chat": {"id": USER, "type": "private", "first_name": "Hirrolot"},
                    "date": 1, "text": first["text"]},
    }}
    await telegram.deliver(press)
    [paged] = telegram.tg.sent_messages(USER)  # the same message, no new one
    assert "Strona 2 z 3" in paged["text"] and paged["history"] == [first["text"]]
    methods = [c.method for c in telegram.tg.calls]
    assert methods.index("answerCallbackQuery") < methods.index("editMessageText")
    [answered] = telegram.tg.calls_to("answerCallbackQuery")
    assert answered.status == 200 and answered.params["callback_query_id"] == "query-1"

    stale = load_payload("callback_query_inline_keyboard.json")  # data "*": not our button
    await telegram.deliver(stale)
    answered = telegram.tg.calls_to("answerCallbackQuery")[-1]
    assert answered.params["text"] == "This button has expired. Please ask again."
    assert len(telegram.tg.calls_to("sendMessage")) == 1  # a toast, nothing else


# --- groups and topics -------------------------------------------------------------------------


async def test_commands_with_this_bots_name_answered_other_bots_ignored(
        telegram: Telegram) -> None:
    await telegram.register_group(SUPERGROUP)
    await telegram.link(SUPERGROUP_USER)
    await telegram.deliver(in_group("/kto@SomeOtherBot odpady Wieliczka"),
                           in_group(f"/kto@{BOT} odpady Wieliczka"))
    [message] = telegram.tg.sent_messages(SUPERGROUP)  # only the second one was answered
    assert "Jolanta Kołodziej — Wieliczka" in message["text"]
    assert message["reply_parameters"]["message_id"] == 3  # quotes the question
    assert telegram.tg.calls_to("leaveChat") == []


async def test_forum_topic_reply_stays_in_the_topic_general_and_reply_chains_have_none(
        telegram: Telegram) -> None:
    await telegram.register_group(FORUM)
    await telegram.link(FORUM_USER)
    await telegram.deliver(in_forum("/kto odpady Wieliczka", topic=True))
    await telegram.deliver(in_forum("/who waste Wieliczka", topic=False))
    in_topic, in_general = telegram.tg.sent_messages(FORUM)
    assert in_topic["message_thread_id"] == 4 and "Jolanta Kołodziej" in in_topic["text"]
    assert in_general["message_thread_id"] is None and "Jolanta Kołodziej" in in_general["text"]

    update = load_payload("supergroup_command_reply_thread_no_topic.json")
    chat_id = update["message"]["chat"]["id"]
    await telegram.register_group(chat_id)
    update["message"]["text"] = "/help"  # a reply chain: message_thread_id, but no topic
    update["message"]["entities"] = _command_entities("/help")
    await telegram.deliver(update)
    [message] = telegram.tg.sent_messages(chat_id)
    assert message["text"].startswith("Łącznik — commands")
    assert message["message_thread_id"] is None


async def test_added_to_an_unregistered_group_it_explains_and_leaves_else_it_stays(
        telegram: Telegram) -> None:
    update = load_payload("my_chat_member_bot_added_to_group.json")
    change = update["my_chat_member"]
    change["old_chat_member"]["user"] = change["new_chat_member"]["user"] = me(telegram.tg)
    chat_id = change["chat"]["id"]
    await telegram.deliver(update)
    [goodbye] = telegram.texts(chat_id)
    assert goodbye.startswith("This group is not registered with Łącznik")
    [left] = telegram.tg.calls_to("leaveChat")
    assert left.params["chat_id"] == chat_id and left.status == 200
    async with telegram.app.db.session() as session:
        stored = await find_conversation(session, "telegram", group_ref(chat_id).key)
    assert stored is not None and stored.title == "Uncouth"
    assert not stored.registered and not stored.active

    added = load_payload("group_bot_added_new_chat_members.json")
    added["message"]["new_chat_members"] = [me(telegram.tg)]
    registered = added["message"]["chat"]["id"]
    await telegram.register_group(registered)
    await telegram.deliver(added)
    assert len(telegram.tg.calls_to("leaveChat")) == 1 and telegram.texts(registered) == []


# --- robustness --------------------------------------------------------------------------------


async def test_duplicates_once_unparseable_skipped_and_polling_goes_on(
        telegram: Telegram, caplog: pytest.LogCaptureFixture) -> None:
    update = private("/pomoc")
    update["update_id"] = 5_000_000
    await telegram.deliver(update, update, keep_id=True)  # one batch, twice the same id
    assert len(telegram.texts(USER)) == 1
    broken = {"message": {"message_id": 1, "chat": "not a chat", "text": "/pomoc"}}
    old_sample = load_payload("docs_private_command_start.json")  # PTB cannot parse it
    await telegram.deliver(broken, old_sample)
    [answer] = telegram.texts(1111111)
    assert "Nie znam jeszcze tego konta" in answer
    assert any("skipped: chat is not an object" in r.getMessage() for r in caplog.records)
    await telegram.deliver(private("/pomoc"))
    assert len(telegram.texts(USER)) == 2


async def test_html_in_directory_data_is_shown_literally(telegram: Telegram) -> None:
    app = telegram.app
    async with app.db.session() as session:
        person = await person_by_email(session, WASTE_PERSON)
        assert person is not None
        stored = await session.get(Person, person.id)
        assert stored is not None
        stored.notes = "PSZOK <b>tylko</b> pn & wt <script>alert(1)</script>"
        stored.position = "inspektor </i><a href='x'>"
        session.add(stored)
        await session.commit()
    app.directory.invalidate()
    await telegram.link(USER)
    await telegram.deliver(private("/kto odpady Wieliczka"))
    [message] = telegram.tg.sent_messages(USER)
    assert "Uwagi: PSZOK <b>tylko</b> pn & wt <script>alert(1)</script>" in message["text"]
    assert "Stanowisko: inspektor </i><a href='x'>" in message["text"]
    links = [e["url"] for e in message["entities"] if e["type"] == "text_link"]
    assert links == ["mailto:j.kolodziej@wieliczka.example.pl", "tel:+48120006182"]


# --- sending on its own ------------------------------------------------------------------------


async def test_quiet_and_loud_sends_an_edit_and_a_topic_announcement(telegram: Telegram) -> None:
    messenger = telegram.component.messenger
    ref = private_ref(USER)
    await messenger.send(ref, OutboundMessage(text="Cicho", priority=Priority.QUIET))
    sent = await messenger.send(ref, OutboundMessage(text="Głośno 1/3",
                                                     priority=Priority.URGENT))
    await messenger.edit(sent, OutboundMessage(text="Głośno 2/3"))
    quiet, loud = telegram.tg.sent_messages(USER)
    assert (quiet["text"], quiet["disable_notification"]) == ("Cicho", True)
    assert (loud["text"], loud["disable_notification"]) == ("Głośno 2/3", False)
    assert loud["history"] == ["Głośno 1/3"]

    telegram.tg.add_chat({"id": FORUM, "type": "supergroup", "title": "twest", "is_forum": True})
    topic = group_ref(FORUM).in_thread("4")
    sent = await messenger.send(topic, OutboundMessage(title="Ogłoszenie",
                                                       text="Jutro zebranie."))
    [message] = telegram.tg.sent_messages(FORUM)
    assert message["message_thread_id"] == 4
    assert message["text"] == "Ogłoszenie\n\nJutro zebranie."
    assert sent.conversation == topic and sent.message_id == str(message["message_id"])


async def test_5000_character_answer_is_split_at_line_boundaries(telegram: Telegram) -> None:
    lines = [f"{i:03d} " + "Wieliczka, Skawina, Niepołomice & Zielonki; " * 2 for i in range(60)]
    text = "\n".join(line.strip() for line in lines)
    assert len(text) > 5000
    await telegram.component.messenger.send(private_ref(USER), OutboundMessage(text=text))
    parts = telegram.texts(USER)
    assert len(parts) == 2 and all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts) == text  # cut between two lines, nothing lost


async def test_429_waits_for_that_chat_only_and_loses_nothing(telegram: Telegram) -> None:
    tg, messenger = telegram.tg, telegram.component.messenger
    busy, other = 1001, 1002
    tg.fail_next("sendMessage", chat_id=busy, retry_after=1)

    async def burst() -> None:
        for n in (1, 2):
            await messenger.send(private_ref(busy), OutboundMessage(text=f"komunikat {n}"))

    start = time.monotonic()
    await asyncio.gather(burst(), messenger.send(private_ref(other),
                                                 OutboundMessage(text="inny czat")))
    assert telegram.texts(busy) == ["komunikat 1", "komunikat 2"]
    assert telegram.texts(other) == ["inny czat"]
    calls = tg.calls_to("sendMessage")
    limited = [c for c in calls if c.status == 429]
    delivered = {c.params["text"]: c.timestamp for c in calls if c.status == 200}
    assert len(limited) == 1 and limited[0].params["chat_id"] == busy
    assert delivered["komunikat 1"] - limited[0].timestamp >= 0.95  # waited retry_after
    assert delivered["inny czat"] - start < 0.5  # the other chat did not wait


async def test_blocked_bot_marks_the_account_unreachable_until_unblocked(
        telegram: Telegram) -> None:
    async def reachable() -> tuple[bool, str]:
        async with telegram.app.db.session() as session:
            account = await find_account(session, "telegram", "", str(USER))
        assert account is not None
        return account.reachable, account.unreachable_reason

    await telegram.link(USER)
    telegram.tg.block_chat(USER)
    with pytest.raises(Unreachable) as caught:
        await telegram.component.messenger.send(private_ref(USER),
                                                OutboundMessage(text="Przypomnienie"))
    assert caught.value.reason == "blocked"
    assert await reachable() == (False, "blocked")

    update = load_payload("my_chat_member_private_bot_blocked.json")  # kicked → member
    change = update["my_chat_member"]
    change["chat"]["id"] = change["from"]["id"] = USER
    change["old_chat_member"]["user"] = change["new_chat_member"]["user"] = me(telegram.tg)
    change["old_chat_member"]["status"], change["new_chat_member"]["status"] = "kicked", "member"
    await telegram.deliver(update)
    assert await reachable() == (True, "")
    change["old_chat_member"]["status"], change["new_chat_member"]["status"] = "member", "kicked"
    await telegram.deliver(update)
    assert await reachable() == (False, "blocked")


async def test_migrated_group_keeps_its_registration_on_send_and_on_the_service_message(
        telegram: Telegram) -> None:
    old, new = -4726613835, -1004726613835
    await telegram.register_group(old)
    telegram.tg.migrate_chat(old, new)
    sent = await telegram.component.messenger.send(group_ref(old),
                                                   OutboundMessage(text="Przypomnienie"))
    assert sent.conversation.conversation_id == str(new)
    assert telegram.texts(new) == ["Przypomnienie"]
    async with telegram.app.db.session() as session:
        assert await find_conversation(session, "telegram", group_ref(old).key) is None
        moved = await find_conversation(session, "telegram", group_ref(new).key)
    assert moved is not None and moved.registered
    assert ConversationRef.from_json(moved.ref).conversation_id == str(new)

    older, newer = -555, -100555  # told by Telegram's service message this time
    await telegram.register_group(older)
    await telegram.link(SUPERGROUP_USER)
    service = {"message": {"message_id": 40, "date": 1, "from": {"id": SUPERGROUP_USER},
                           "chat": {"id": older, "type": "group", "title": "Gmina"},
                           "migrate_to_chat_id": newer}}
    await telegram.deliver(service, in_group("/pomoc", chat_id=newer))
    [answer] = telegram.texts(newer)
    assert answer.startswith("Łącznik — polecenia")  # registered: no goodbye, no leaving
    assert telegram.tg.calls_to("leaveChat") == []


# --- start-up and transports -------------------------------------------------------------------


async def test_polling_start_up_menu_webhook_removal_and_clean_logs(
        app: App, tg: FakeTelegramServer, caplog: pytest.LogCaptureFixture) -> None:
    async with Bot(tg.token, base_url=tg.base_url) as earlier:
        await earlier.set_webhook(WEBHOOK_URL)  # left over from a webhook deployment
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "telegram"):  # whatever an earlier test configured
        caplog.set_level(logging.DEBUG, logger=name)
    component = await started(app, tg)
    harness = Telegram(app, tg, component)
    try:
        await harness.link(USER)
        await harness.deliver(private("kto od śmieci w Wieliczce?"))
        assert harness.texts(USER)
    finally:
        await component.stop()
    [deleted] = tg.calls_to("deleteWebhook")
    assert not deleted.params.get("drop_pending_updates") and tg.webhook["url"] == ""
    polls = tg.calls_to("getUpdates")
    assert polls and all(p.params["allowed_updates"] == [
        "message", "edited_message", "callback_query", "my_chat_member"] for p in polls)
    default = [c["command"] for c in tg.commands(None, "")]
    polish = [c["command"] for c in tg.commands(None, "pl")]
    english = {c["command"]: c["description"] for c in tg.commands(None, "en")}
    assert default == polish and {"start", "pomoc", "kto", "moje_dane"} <= set(polish)
    assert {"start", "help", "who", "me"} <= set(english)
    assert english["who"].startswith("who handles a topic in a gmina")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "getUpdates" in logged  # the HTTP client did log its requests …
    assert tg.token.split(":")[1] not in logged  # … but never the token
    assert "+48 12 000 61 82" not in logged and "Wieliczce" not in logged  # nor any bodies


async def test_webhook_checks_the_secret_and_answers_like_polling(
        app: App, tg: FakeTelegramServer) -> None:
    polling = await started(app, tg)
    harness = Telegram(app, tg, polling)
    await harness.link(USER)
    await harness.deliver(private("kto od śmieci w Wieliczce?"))
    await polling.stop()

    hook = await started(app, tg, mode="webhook", webhook_url=WEBHOOK_URL,
                         webhook_secret=SECRET)
    runner = web.AppRunner(Service(app, [hook]).web_app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/telegram/webhook"
    try:
        assert tg.webhook["url"] == WEBHOOK_URL and tg.webhook["secret_token"] == SECRET
        assert tg.webhook["allowed_updates"] == ["message", "edited_message", "callback_query",
                                                 "my_chat_member"]
        question = {**private("kto od śmieci w Wieliczce?"), "update_id": 900_000_001}
        assert (await tg.post_webhook(url, question, "forged"))[0] == 403
        assert (await tg.post_webhook(url, question))[0] == 403  # no header at all
        await hook.drain()
        assert hook.received == 0 and len(harness.texts(USER)) == 1
        assert (await tg.post_webhook(url, question, SECRET))[0] == 200
        assert (await tg.post_webhook(url, question, SECRET))[0] == 200  # Telegram's retry
        await hook.drain()
        by_polling, by_webhook = harness.texts(USER)  # the retry was not answered again
        assert by_webhook == by_polling
    finally:
        await hook.stop()
        await runner.cleanup()
